using TradingKit.Errors;

namespace TradingKit.Reconciliation;

/// <summary>What the reconciler does about each type of drift.</summary>
public sealed record ReconciliationPolicy
{
    /// <summary>
    /// Repairs what the venue's reports prove (missing and inferred fills, order statuses), quarantines what no report of
    /// ours explains (external orders and fills, position differences, orders the venue does not know), records the rest.
    /// </summary>
    public static ReconciliationPolicy AutoRepair { get; } = new();

    /// <summary>Repairs nothing: every drift quarantines its symbol until an operator resolves it.</summary>
    public static ReconciliationPolicy QuarantineAll { get; } = new()
    {
        OrderUnknownAtVenue = DriftAction.Quarantine,
        OrderStatusMismatch = DriftAction.Quarantine,
        MissingFill = DriftAction.Quarantine,
        InferredFill = DriftAction.Quarantine,
        AveragePriceMismatch = DriftAction.Quarantine,
        BalanceMismatch = DriftAction.Quarantine,
    };

    /// <summary>A local open order the venue never saw. Repair rejects it when it is still SUBMITTED; any other status is quarantined.</summary>
    public DriftAction OrderUnknownAtVenue { get; init; } = DriftAction.Repair;

    /// <summary>An order whose venue status is ahead. Repair applies the venue's status.</summary>
    public DriftAction OrderStatusMismatch { get; init; } = DriftAction.Repair;

    /// <summary>An order at the venue unknown locally. It cannot be repaired (TradingKit never adopts or cancels it on its own).</summary>
    public DriftAction ExternalOrder { get; init; } = DriftAction.Quarantine;

    /// <summary>A venue fill of a local order missing from the log. Repair applies it with its own trade id.</summary>
    public DriftAction MissingFill { get; init; } = DriftAction.Repair;

    /// <summary>Filled quantity no known fill explains. Repair applies a fill with a deterministic synthetic trade id.</summary>
    public DriftAction InferredFill { get; init; } = DriftAction.Repair;

    /// <summary>A venue fill of an unknown order. It cannot be repaired: reconciliation never opens a position by itself.</summary>
    public DriftAction ExternalFill { get; init; } = DriftAction.Quarantine;

    /// <summary>A position quantity difference no fill explains. It cannot be repaired: never papered over with a synthetic fill.</summary>
    public DriftAction PositionMismatch { get; init; } = DriftAction.Quarantine;

    /// <summary>An average price difference at equal quantity.</summary>
    public DriftAction AveragePriceMismatch { get; init; } = DriftAction.Record;

    /// <summary>A cash difference.</summary>
    public DriftAction BalanceMismatch { get; init; } = DriftAction.Record;

    /// <summary>The action for one drift type; <see cref="DriftAction.Repair"/> on a type that cannot be repaired counts as a quarantine.</summary>
    /// <param name="type">The drift type.</param>
    /// <returns>The action.</returns>
    public DriftAction For(DriftType type)
    {
        var action = type switch
        {
            DriftType.OrderUnknownAtVenue => OrderUnknownAtVenue,
            DriftType.OrderStatusMismatch => OrderStatusMismatch,
            DriftType.ExternalOrder => ExternalOrder,
            DriftType.MissingFill => MissingFill,
            DriftType.InferredFill => InferredFill,
            DriftType.ExternalFill => ExternalFill,
            DriftType.PositionMismatch => PositionMismatch,
            DriftType.AveragePriceMismatch => AveragePriceMismatch,
            _ => BalanceMismatch,
        };
        var repairable = type is DriftType.OrderUnknownAtVenue or DriftType.OrderStatusMismatch or DriftType.MissingFill or DriftType.InferredFill;
        return action == DriftAction.Repair && !repairable ? DriftAction.Quarantine : action;
    }
}

/// <summary>How the reconciler compares and how hard it tries to read the venue.</summary>
public sealed class ReconcilerOptions
{
    /// <summary>The policy: what to do about each drift type.</summary>
    /// <value>Defaults to <see cref="ReconciliationPolicy.AutoRepair"/>.</value>
    public ReconciliationPolicy Policy { get; set; } = ReconciliationPolicy.AutoRepair;

    /// <summary>Local orders younger than this (on the engine clock) are not judged missing at the venue: its lists may lag.</summary>
    /// <value>Defaults to 5 s.</value>
    public TimeSpan InFlightGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Allowance for the venue's clock running ahead of or behind the engine's: a venue fact stamped later than
    /// (read time − this) is treated as possibly newer than what was compared against it.
    /// </summary>
    /// <value>Defaults to 1 s.</value>
    public TimeSpan ClockSkewTolerance { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The oldest a local snapshot may be when the venue reads start; an older one is refused (<c>RECONCILE_STALE_SNAPSHOT</c>).</summary>
    /// <value>Defaults to 5 s.</value>
    public TimeSpan MaxSnapshotAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The relative difference of average prices tolerated (0.0001 = 1 bp), for venues that round differently.</summary>
    /// <value>Defaults to 0.0001.</value>
    public decimal AveragePriceTolerance { get; set; } = 0.0001m;

    /// <summary>Whether cash is compared with the venue's balance in the portfolio currency (spot and paper accounts; not margin accounts).</summary>
    /// <value>Defaults to false.</value>
    public bool CompareBalances { get; set; }

    /// <summary>The absolute cash difference tolerated.</summary>
    /// <value>Defaults to 0.01.</value>
    public decimal BalanceTolerance { get; set; } = 0.01m;

    /// <summary>Attempts per venue read (UC-04: back off and retry before recording the failure).</summary>
    /// <value>Defaults to 3.</value>
    public int QueryAttempts { get; set; } = 3;

    /// <summary>The delay before the second attempt; it doubles with each further attempt.</summary>
    /// <value>Defaults to 200 ms.</value>
    public TimeSpan QueryRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">Every problem found, code <c>INVALID_OPTIONS</c>.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Policy is null)
        {
            problems.Add("Policy must be set");
        }

        if (InFlightGrace < TimeSpan.Zero || ClockSkewTolerance < TimeSpan.Zero || QueryRetryDelay < TimeSpan.Zero)
        {
            problems.Add("InFlightGrace, ClockSkewTolerance and QueryRetryDelay must not be negative");
        }

        if (MaxSnapshotAge < TimeSpan.Zero)
        {
            problems.Add("MaxSnapshotAge must not be negative");
        }

        if (AveragePriceTolerance < 0m || BalanceTolerance < 0m)
        {
            problems.Add("tolerances must not be negative");
        }

        if (QueryAttempts is < 1 or > 10)
        {
            problems.Add($"QueryAttempts must be 1-10 (got {QueryAttempts})");
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Reconciler options: " + string.Join("; ", problems) + ".");
        }
    }
}
