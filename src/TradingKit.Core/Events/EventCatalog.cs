using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using TradingKit.Errors;
using TradingKit.Events.Json;

namespace TradingKit.Events;

/// <summary>
/// The registry of event type names. Every <see cref="ITradingEvent"/> has one stable name that never changes once
/// shipped: names are written here as literals, never derived from .NET type names, so renaming a record cannot
/// orphan stored events. Names are lower snake_case, in the past tense (<c>order_filled</c>); the schema version
/// is stored beside the name, not in it.
/// </summary>
public static partial class EventCatalog
{
    private static readonly TypeRegistry<ITradingEvent> Registry = new("event",
    [
        PayloadRegistration.Of("engine_started", 1, EventJsonContext.Default.EngineStarted),
        PayloadRegistration.Of("engine_stopped", 1, EventJsonContext.Default.EngineStopped),
        PayloadRegistration.Of("engine_paused", 1, EventJsonContext.Default.EnginePaused),
        PayloadRegistration.Of("engine_resumed", 1, EventJsonContext.Default.EngineResumed),
        PayloadRegistration.Of("engine_mode_changed", 1, EventJsonContext.Default.EngineModeChanged),
        PayloadRegistration.Of("engine_state_changed", 1, EventJsonContext.Default.EngineStateChanged),
        PayloadRegistration.Of("manual_override_executed", 1, EventJsonContext.Default.ManualOverrideExecuted),
        PayloadRegistration.Of("config_changed", 1, EventJsonContext.Default.ConfigChanged),
        PayloadRegistration.Of("kill_switch_changed", 1, EventJsonContext.Default.KillSwitchChanged),
        PayloadRegistration.Of("risk_guard_rejected", 1, EventJsonContext.Default.RiskGuardRejected),
        PayloadRegistration.Of("risk_guard_tripped", 1, EventJsonContext.Default.RiskGuardTripped),
        PayloadRegistration.Of("order_submitted", 2, EventJsonContext.Default.OrderSubmitted),
        PayloadRegistration.Of("order_accepted", 1, EventJsonContext.Default.OrderAccepted),
        PayloadRegistration.Of("order_rejected", 1, EventJsonContext.Default.OrderRejected),
        PayloadRegistration.Of("order_denied", 1, EventJsonContext.Default.OrderDenied),
        PayloadRegistration.Of("order_triggered", 1, EventJsonContext.Default.OrderTriggered),
        PayloadRegistration.Of("order_cancel_requested", 1, EventJsonContext.Default.OrderCancelRequested),
        PayloadRegistration.Of("order_cancel_rejected", 1, EventJsonContext.Default.OrderCancelRejected),
        PayloadRegistration.Of("order_update_requested", 1, EventJsonContext.Default.OrderUpdateRequested),
        PayloadRegistration.Of("order_updated", 1, EventJsonContext.Default.OrderUpdated),
        PayloadRegistration.Of("order_update_rejected", 1, EventJsonContext.Default.OrderUpdateRejected),
        PayloadRegistration.Of("order_cancelled", 1, EventJsonContext.Default.OrderCancelled),
        PayloadRegistration.Of("order_expired", 1, EventJsonContext.Default.OrderExpired),
        PayloadRegistration.Of("order_filled", 1, EventJsonContext.Default.OrderFilled),
        PayloadRegistration.Of("position_changed", 1, EventJsonContext.Default.PositionChanged),
        PayloadRegistration.Of("balance_changed", 1, EventJsonContext.Default.BalanceChanged),
        PayloadRegistration.Of("fee_charged", 1, EventJsonContext.Default.FeeCharged),
        PayloadRegistration.Of("funding_applied", 1, EventJsonContext.Default.FundingApplied),
        PayloadRegistration.Of("transfer_recorded", 1, EventJsonContext.Default.TransferRecorded),
        PayloadRegistration.Of("deposit_recorded", 1, EventJsonContext.Default.DepositRecorded),
        PayloadRegistration.Of("withdrawal_recorded", 1, EventJsonContext.Default.WithdrawalRecorded),
        PayloadRegistration.Of("drift_detected", 1, EventJsonContext.Default.DriftDetected),
        PayloadRegistration.Of("reconciliation_performed", 1, EventJsonContext.Default.ReconciliationPerformed),
        PayloadRegistration.Of("quarantine_started", 1, EventJsonContext.Default.QuarantineStarted),
        PayloadRegistration.Of("quarantine_completed", 1, EventJsonContext.Default.QuarantineCompleted),
        PayloadRegistration.Of("venue_connected", 1, EventJsonContext.Default.VenueConnected),
        PayloadRegistration.Of("venue_disconnected", 1, EventJsonContext.Default.VenueDisconnected),
        PayloadRegistration.Of("venue_reconnected", 1, EventJsonContext.Default.VenueReconnected),
        PayloadRegistration.Of("worker_started", 1, EventJsonContext.Default.WorkerStarted),
        PayloadRegistration.Of("candidate_scanned", 1, EventJsonContext.Default.CandidateScanned),
        PayloadRegistration.Of("lock_acquired", 1, EventJsonContext.Default.LockAcquired),
        PayloadRegistration.Of("lock_rejected", 1, EventJsonContext.Default.LockRejected),
        PayloadRegistration.Of("lock_released", 1, EventJsonContext.Default.LockReleased),
        PayloadRegistration.Of("position_entered", 1, EventJsonContext.Default.PositionEntered),
        PayloadRegistration.Of("position_exited", 1, EventJsonContext.Default.PositionExited),
        PayloadRegistration.Of("position_monitored", 1, EventJsonContext.Default.PositionMonitored),
        PayloadRegistration.Of("mandatory_liquidation_triggered", 1, EventJsonContext.Default.MandatoryLiquidationTriggered),
        PayloadRegistration.Of("risk_violation_recorded", 1, EventJsonContext.Default.RiskViolationRecorded),
        PayloadRegistration.Of("decision_recorded", 1, EventJsonContext.Default.DecisionRecorded),
        PayloadRegistration.Of("session_summary_recorded", 1, EventJsonContext.Default.SessionSummaryRecorded),
        PayloadRegistration.Of("proposal_created", 1, EventJsonContext.Default.ProposalCreated),
        PayloadRegistration.Of("proposal_approved", 1, EventJsonContext.Default.ProposalApproved),
        PayloadRegistration.Of("proposal_rejected", 1, EventJsonContext.Default.ProposalRejected),
    ]);

    /// <summary>Every registered event type, built-in first, in registration order.</summary>
    public static IReadOnlyList<CatalogEntry> Entries => [.. Registry.All.Select(static r => r.ToEntry())];

    /// <summary>The stable type name of an event payload.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its registered name.</returns>
    /// <exception cref="TradingKitException">The payload's type is not registered (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    public static string GetTypeName(ITradingEvent payload) => Registry.Get(payload).TypeName;

    /// <summary>The schema version of an event payload.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its schema version.</returns>
    /// <exception cref="TradingKitException">The payload's type is not registered (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    public static int GetSchemaVersion(ITradingEvent payload) => Registry.Get(payload).SchemaVersion;

    /// <summary>The .NET type registered under a type name.</summary>
    /// <param name="typeName">The stable type name.</param>
    /// <returns>The type.</returns>
    /// <exception cref="TradingKitException">No type is registered under the name (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    public static Type GetClrType(string typeName) => Registry.Get(typeName).ClrType;

    /// <summary>Whether a type name is registered.</summary>
    /// <param name="typeName">The stable type name.</param>
    /// <returns>True when known.</returns>
    public static bool IsRegistered(string typeName) => Registry.TryGet(typeName, out _);

    /// <summary>
    /// Registers an application-defined event so it can be stored and read like the built-in ones. Call it once at
    /// start-up, before any payload of the type is stored or read.
    /// </summary>
    /// <typeparam name="TEvent">The event record.</typeparam>
    /// <param name="typeName">Its stable name: 1-100 characters of <c>[a-z0-9_.]</c>, starting with a letter; prefix it with your application's name.</param>
    /// <param name="schemaVersion">Its schema version, starting at 1.</param>
    /// <param name="typeInfo">Its JSON contract, from your own <c>JsonSerializerContext</c>.</param>
    /// <exception cref="ArgumentException">The name or the type is already registered, or the name is malformed.</exception>
    public static void Register<TEvent>(string typeName, int schemaVersion, JsonTypeInfo<TEvent> typeInfo)
        where TEvent : class, ITradingEvent
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        Registry.Register(PayloadRegistration.Of(typeName, schemaVersion, typeInfo));
    }

    /// <summary>
    /// Registers an upcaster: how to turn a stored payload of <paramref name="typeName"/> at schema version
    /// <paramref name="fromVersion"/> into the JSON of version <paramref name="fromVersion"/> + 1. Readers that are given
    /// a stored schema version (<see cref="EventSerializer.Deserialize(string, int, ReadOnlySpan{byte})"/>,
    /// <see cref="EventSerializer.DeserializeEnvelope(ReadOnlySpan{byte})"/>, the PostgreSQL store) chain upcasters up to
    /// the registered version, then read the result with the type's strict contract. Call it once at start-up, after
    /// <see cref="Register{TEvent}"/> gave the type its new version.
    /// </summary>
    /// <param name="typeName">The registered type name.</param>
    /// <param name="fromVersion">The stored version it reads, from 1 to the registered version minus one.</param>
    /// <param name="upcast">Changes the payload object in place or returns a new one (add a field, rename one, ...).</param>
    /// <exception cref="TradingKitException">No type is registered under the name (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromVersion"/> is not below the registered version, or below 1.</exception>
    /// <exception cref="ArgumentException">An upcaster from that version is already registered.</exception>
    public static void RegisterUpcaster(string typeName, int fromVersion, Func<JsonObject, JsonObject> upcast)
    {
        ArgumentNullException.ThrowIfNull(upcast);
        var current = Registry.Get(typeName).SchemaVersion;
        if (fromVersion < 1 || fromVersion >= current)
        {
            throw new ArgumentOutOfRangeException(nameof(fromVersion), fromVersion,
                $"'{typeName}' is at schema version {current}: an upcaster reads a version from 1 to {current - 1}.");
        }

        lock (UpcasterGate)
        {
            if (_upcasters.ContainsKey((typeName, fromVersion)))
            {
                throw new ArgumentException($"An upcaster of '{typeName}' from version {fromVersion} is already registered.", nameof(fromVersion));
            }

            _upcasters = new Dictionary<(string, int), Func<JsonObject, JsonObject>>(_upcasters) { [(typeName, fromVersion)] = upcast }.ToFrozenDictionary();
        }
    }

    private static readonly Lock UpcasterGate = new();

    // The built-in ones: order_submitted gained decision_price in version 2 (null for the orders recorded before).
    private static volatile FrozenDictionary<(string TypeName, int FromVersion), Func<JsonObject, JsonObject>> _upcasters =
        new Dictionary<(string, int), Func<JsonObject, JsonObject>>
        {
            [("order_submitted", 1)] = static payload =>
            {
                payload.TryAdd("decision_price", null);
                return payload;
            },
        }.ToFrozenDictionary();

    internal static bool TryGetUpcaster(string typeName, int fromVersion, out Func<JsonObject, JsonObject>? upcast)
        => _upcasters.TryGetValue((typeName, fromVersion), out upcast);

    internal static PayloadRegistration Get(ITradingEvent payload) => Registry.Get(payload);

    internal static PayloadRegistration Get(string typeName) => Registry.Get(typeName);
}
