using TradingKit.Domain;
using TradingKit.Events;

namespace TradingKit.Reconciliation;

/// <summary>What a reconciliation found to disagree with the venue.</summary>
public enum DriftType
{
    /// <summary>A local open order the venue has never seen.</summary>
    OrderUnknownAtVenue = 1,

    /// <summary>An order whose status at the venue is ahead of the local one (acknowledged, cancelled, expired, rejected).</summary>
    OrderStatusMismatch = 2,

    /// <summary>An order open at the venue that is unknown locally, or closed locally (an external order).</summary>
    ExternalOrder = 3,

    /// <summary>A venue fill of a local order whose trade id the log does not hold.</summary>
    MissingFill = 4,

    /// <summary>
    /// A local order whose filled quantity at the venue exceeds what its known fills explain; the difference becomes a
    /// fill with a deterministic synthetic trade id.
    /// </summary>
    InferredFill = 5,

    /// <summary>A venue fill of an order unknown locally.</summary>
    ExternalFill = 6,

    /// <summary>A position whose quantity differs from the venue's after every fill repair of the run.</summary>
    PositionMismatch = 7,

    /// <summary>A position of equal quantity whose average price differs from the venue's beyond the tolerance.</summary>
    AveragePriceMismatch = 8,

    /// <summary>Cash that differs from the venue's balance beyond the tolerance.</summary>
    BalanceMismatch = 9,
}

/// <summary>What to do about one drift.</summary>
public enum DriftAction
{
    /// <summary>Record it (a <c>drift_detected</c> event) and nothing else.</summary>
    Record = 0,

    /// <summary>Record it and repair the local state from the venue's (only drift types that can be repaired).</summary>
    Repair = 1,

    /// <summary>Record it and quarantine its symbol: no new order in it until the quarantine completes.</summary>
    Quarantine = 2,
}

/// <summary>One disagreement between the local state and the venue.</summary>
/// <param name="Type">What disagreed.</param>
/// <param name="Symbol">The instrument it concerns.</param>
/// <param name="Subject">Its key: a client order id, a trade id, a symbol, an asset.</param>
/// <param name="LocalValue">The local value, invariant text.</param>
/// <param name="VenueValue">The venue's value, invariant text.</param>
/// <param name="Description">A readable explanation.</param>
public sealed record DriftItem(DriftType Type, Symbol? Symbol, string Subject, string LocalValue, string VenueValue, string Description)
{
    /// <summary>The catalogue's coarser kind of this drift.</summary>
    public DriftKind Kind => Type switch
    {
        DriftType.OrderUnknownAtVenue or DriftType.OrderStatusMismatch or DriftType.ExternalOrder => DriftKind.Order,
        DriftType.MissingFill or DriftType.InferredFill or DriftType.ExternalFill => DriftKind.Fill,
        DriftType.BalanceMismatch => DriftKind.Balance,
        _ => DriftKind.Position,
    };

    /// <summary>What the policy chose.</summary>
    public DriftAction Action { get; init; }

    /// <summary>True when a repair was applied.</summary>
    public bool Repaired { get; init; }

    /// <summary>The catalogue event for this drift.</summary>
    /// <returns>The event.</returns>
    public DriftDetected ToEvent() => new(Kind, Subject, LocalValue, VenueValue, $"{Type}: {Description}");
}

/// <summary>A venue read that failed during a reconciliation; what depends on it was not compared.</summary>
/// <param name="Code">A <see cref="ReconciliationErrorCodes"/> code.</param>
/// <param name="Message">What failed.</param>
public sealed record ReconciliationError(string Code, string Message);

/// <summary>The outcome of one reconciliation run.</summary>
public sealed record ReconciliationResult
{
    /// <summary>What started it (<c>startup</c>, <c>periodic</c>, <c>command</c>, <c>reconnect</c>).</summary>
    public required string Trigger { get; init; }

    /// <summary>When it started, on the engine clock.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it ended, on the engine clock.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>Every drift found, with the action taken.</summary>
    public required IReadOnlyList<DriftItem> Drifts { get; init; }

    /// <summary>Venue reads that failed.</summary>
    public required IReadOnlyList<ReconciliationError> Errors { get; init; }

    /// <summary>Subjects not compared in this run because the venue had moved after the local snapshot; the next run compares them.</summary>
    public required IReadOnlyList<string> Deferred { get; init; }

    /// <summary>Symbols quarantined after the run.</summary>
    public required IReadOnlyList<Symbol> Quarantined { get; init; }

    /// <summary>How many drifts were repaired.</summary>
    public int RepairedCount => Drifts.Count(static d => d.Repaired);

    /// <summary>True when every venue read succeeded and every drift found was repaired.</summary>
    public bool Succeeded => Errors.Count == 0 && Drifts.All(static d => d.Repaired);

    /// <summary>Throws when a venue read failed, with the first failure's code (for example <c>POSITION_SYNC_FAIL</c>).</summary>
    /// <exception cref="ReconciliationException">A venue read failed.</exception>
    public void ThrowIfVenueUnreadable()
    {
        if (Errors.Count > 0)
        {
            throw new ReconciliationException(Errors[0].Code, "Reconciliation could not read the venue: " + string.Join("; ", Errors.Select(static e => e.Message)));
        }
    }
}
