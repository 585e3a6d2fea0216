namespace TradingKit.Events;

/// <summary>What kind of state a reconciliation compared.</summary>
public enum DriftKind
{
    /// <summary>A position's quantity or side.</summary>
    Position = 1,

    /// <summary>An order's existence, status or filled quantity.</summary>
    Order = 2,

    /// <summary>An asset balance.</summary>
    Balance = 3,

    /// <summary>A fill known to the venue but not to the log.</summary>
    Fill = 4,
}

/// <summary>The reconciler found local state that disagrees with the venue (the venue wins). Type name <c>drift_detected</c>.</summary>
/// <param name="Kind">What disagreed.</param>
/// <param name="Subject">The key of the thing (a symbol, a client order id, an asset).</param>
/// <param name="LocalValue">The local value, as invariant text.</param>
/// <param name="VenueValue">The venue's value, as invariant text.</param>
/// <param name="Description">A readable explanation.</param>
public sealed record DriftDetected(DriftKind Kind, string Subject, string LocalValue, string VenueValue, string Description) : ITradingEvent;

/// <summary>A reconciliation run finished. Type name <c>reconciliation_performed</c>.</summary>
/// <param name="Trigger">What started it: <c>startup</c>, <c>periodic</c>, <c>command</c>, <c>reconnect</c>.</param>
/// <param name="Succeeded">True when local state now matches the venue.</param>
/// <param name="DriftCount">How many drifts were found.</param>
/// <param name="RepairedCount">How many were repaired.</param>
/// <param name="Duration">How long it took, on the engine clock.</param>
public sealed record ReconciliationPerformed(string Trigger, bool Succeeded, int DriftCount, int RepairedCount, TimeSpan Duration) : ITradingEvent;

/// <summary>A subject (symbol, order) was quarantined: no automatic action on it until resolved. Type name <c>quarantine_started</c>.</summary>
/// <param name="Subject">The quarantined key.</param>
/// <param name="Reason">Why.</param>
public sealed record QuarantineStarted(string Subject, string Reason) : ITradingEvent;

/// <summary>A quarantine ended. Type name <c>quarantine_completed</c>.</summary>
/// <param name="Subject">The key released.</param>
/// <param name="Resolution">How it was resolved (for example <c>auto_repaired</c>, <c>operator</c>).</param>
public sealed record QuarantineCompleted(string Subject, string Resolution) : ITradingEvent;
