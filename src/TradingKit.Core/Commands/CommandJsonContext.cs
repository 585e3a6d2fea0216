using System.Text.Json.Serialization;
using TradingKit.Events.Json;
using TradingKit.Orders;

namespace TradingKit.Commands;

/// <summary>The source-generated JSON contracts of every built-in command; same rules as the events' (docs/events.md).</summary>
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
        typeof(SymbolJsonConverter),
        typeof(StrategyIdJsonConverter),
        typeof(UpperSnakeEnumConverter<OrderSide>),
        typeof(UpperSnakeEnumConverter<OrderType>),
        typeof(UpperSnakeEnumConverter<TimeInForce>),
        typeof(UpperSnakeEnumConverter<PositionSide>),
    ])]
[JsonSerializable(typeof(PauseEngine))]
[JsonSerializable(typeof(ResumeEngine))]
[JsonSerializable(typeof(SetEngineMode))]
[JsonSerializable(typeof(CancelAll))]
[JsonSerializable(typeof(RunReconcile))]
[JsonSerializable(typeof(RebuildProjection))]
[JsonSerializable(typeof(UpdateConfig))]
[JsonSerializable(typeof(SetKillSwitch))]
[JsonSerializable(typeof(ResetSafeMode))]
[JsonSerializable(typeof(ApproveProposal))]
[JsonSerializable(typeof(RejectProposal))]
[JsonSerializable(typeof(PlaceOrder))]
[JsonSerializable(typeof(CancelOrder))]
[JsonSerializable(typeof(ModifyOrder))]
[JsonSerializable(typeof(ClosePosition))]
[JsonSerializable(typeof(SetLeverage))]
internal sealed partial class CommandJsonContext : JsonSerializerContext;
