using System.Text.Json.Serialization;
using TradingKit.Connectivity;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Events.Json;

/// <summary>
/// The source-generated JSON contracts of every built-in event. The rules (snake_case names, required members,
/// strict numbers, no unknown members, ids as strings, enums as UPPER_SNAKE names) are documented in docs/events.md.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    Converters =
    [
        typeof(ClientOrderIdJsonConverter),
        typeof(VenueOrderIdJsonConverter),
        typeof(TradeIdJsonConverter),
        typeof(StrategyIdJsonConverter),
        typeof(AccountIdJsonConverter),
        typeof(SessionIdJsonConverter),
        typeof(SymbolJsonConverter),
        typeof(CorrelationIdJsonConverter),
        typeof(UpperSnakeEnumConverter<OrderSide>),
        typeof(UpperSnakeEnumConverter<OrderType>),
        typeof(UpperSnakeEnumConverter<TimeInForce>),
        typeof(UpperSnakeEnumConverter<PositionSide>),
        typeof(UpperSnakeEnumConverter<LiquiditySide>),
        typeof(UpperSnakeEnumConverter<TradingState>),
        typeof(UpperSnakeEnumConverter<ConnectionState>),
        typeof(UpperSnakeEnumConverter<TransferStatus>),
        typeof(UpperSnakeEnumConverter<DriftKind>),
    ])]
// OrderFilled has a hand-written contract (OrderFilledJsonConverter), so the enums only it uses are listed here for it.
[JsonSerializable(typeof(LiquiditySide))]
[JsonSerializable(typeof(OrderSide))]
[JsonSerializable(typeof(PositionSide))]
[JsonSerializable(typeof(EngineStarted))]
[JsonSerializable(typeof(EngineStopped))]
[JsonSerializable(typeof(EnginePaused))]
[JsonSerializable(typeof(EngineResumed))]
[JsonSerializable(typeof(EngineModeChanged))]
[JsonSerializable(typeof(EngineStateChanged))]
[JsonSerializable(typeof(ManualOverrideExecuted))]
[JsonSerializable(typeof(ConfigChanged))]
[JsonSerializable(typeof(KillSwitchChanged))]
[JsonSerializable(typeof(RiskGuardRejected))]
[JsonSerializable(typeof(RiskGuardTripped))]
[JsonSerializable(typeof(OrderSubmitted))]
[JsonSerializable(typeof(OrderAccepted))]
[JsonSerializable(typeof(OrderRejected))]
[JsonSerializable(typeof(OrderDenied))]
[JsonSerializable(typeof(OrderTriggered))]
[JsonSerializable(typeof(OrderCancelRequested))]
[JsonSerializable(typeof(OrderCancelRejected))]
[JsonSerializable(typeof(OrderUpdateRequested))]
[JsonSerializable(typeof(OrderUpdated))]
[JsonSerializable(typeof(OrderUpdateRejected))]
[JsonSerializable(typeof(OrderCancelled))]
[JsonSerializable(typeof(OrderExpired))]
[JsonSerializable(typeof(OrderFilled))]
[JsonSerializable(typeof(PositionChanged))]
[JsonSerializable(typeof(BalanceChanged))]
[JsonSerializable(typeof(FeeCharged))]
[JsonSerializable(typeof(FundingApplied))]
[JsonSerializable(typeof(TransferRecorded))]
[JsonSerializable(typeof(DepositRecorded))]
[JsonSerializable(typeof(WithdrawalRecorded))]
[JsonSerializable(typeof(DriftDetected))]
[JsonSerializable(typeof(ReconciliationPerformed))]
[JsonSerializable(typeof(QuarantineStarted))]
[JsonSerializable(typeof(QuarantineCompleted))]
[JsonSerializable(typeof(VenueConnected))]
[JsonSerializable(typeof(VenueDisconnected))]
[JsonSerializable(typeof(VenueReconnected))]
[JsonSerializable(typeof(WorkerStarted))]
[JsonSerializable(typeof(CandidateScanned))]
[JsonSerializable(typeof(LockAcquired))]
[JsonSerializable(typeof(LockRejected))]
[JsonSerializable(typeof(LockReleased))]
[JsonSerializable(typeof(PositionEntered))]
[JsonSerializable(typeof(PositionExited))]
[JsonSerializable(typeof(PositionMonitored))]
[JsonSerializable(typeof(MandatoryLiquidationTriggered))]
[JsonSerializable(typeof(RiskViolationRecorded))]
[JsonSerializable(typeof(DecisionRecorded))]
[JsonSerializable(typeof(SessionSummaryRecorded))]
[JsonSerializable(typeof(ProposalCreated))]
[JsonSerializable(typeof(ProposalApproved))]
[JsonSerializable(typeof(ProposalRejected))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
