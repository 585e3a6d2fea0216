using System.Runtime.CompilerServices;

namespace TradingKit.Orders;

/// <summary>The outcome of asking a state machine for a transition.</summary>
public enum TransitionOutcome : byte
{
    /// <summary>The transition is allowed and was (or may be) applied.</summary>
    Applied = 0,

    /// <summary>The target equals the current state: an idempotent no-op.</summary>
    NoOp = 1,

    /// <summary>The transition is not in the table and must not be applied.</summary>
    Refused = 2,
}

/// <summary>
/// The one place that says which order status may follow which. Table-driven and allocation-free:
/// each status has a bit mask of the statuses it may move to.
/// </summary>
/// <remarks>
/// Rules (see <c>docs/state-machines.md</c> for the full table): re-entering the same status is a no-op;
/// terminal statuses absorb, except that a fill reported after a cancel or expiry completes the order
/// (<see cref="OrderStatus.Cancelled"/>/<see cref="OrderStatus.Expired"/> → <see cref="OrderStatus.Filled"/>),
/// because the venue is the truth; a fill may arrive before the acknowledgement; a refused cancel or modify
/// restores the status held before the pending state.
/// </remarks>
public static class OrderStateMachine
{
    private const int Count = 12;

    private static readonly ushort[] Allowed = BuildTable();

    /// <summary>Every status, in declaration order.</summary>
    public static ReadOnlySpan<OrderStatus> AllStatuses =>
    [
        OrderStatus.New, OrderStatus.Submitted, OrderStatus.Acknowledged, OrderStatus.PartiallyFilled, OrderStatus.Filled,
        OrderStatus.PendingCancel, OrderStatus.PendingUpdate, OrderStatus.Cancelled, OrderStatus.Rejected, OrderStatus.Expired,
        OrderStatus.Denied, OrderStatus.Triggered,
    ];

    /// <summary>True for statuses no report can leave (except a late fill on a cancelled or expired order).</summary>
    /// <param name="status">The status.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(OrderStatus status)
        => status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected or OrderStatus.Expired or OrderStatus.Denied;

    /// <summary>True while the order is (or may be) working at the venue.</summary>
    /// <param name="status">The status.</param>
    /// <returns>Whether it is open.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsOpen(OrderStatus status) => !IsTerminal(status) && status != OrderStatus.New;

    /// <summary>True for the statuses that wait for a venue answer to a cancel or modify.</summary>
    /// <param name="status">The status.</param>
    /// <returns>Whether it is pending.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsPending(OrderStatus status) => status is OrderStatus.PendingCancel or OrderStatus.PendingUpdate;

    /// <summary>Classifies a transition without applying anything.</summary>
    /// <param name="from">The current status.</param>
    /// <param name="to">The requested status.</param>
    /// <returns><see cref="TransitionOutcome.NoOp"/> for the same status, <see cref="TransitionOutcome.Applied"/> when allowed, else <see cref="TransitionOutcome.Refused"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(OrderStatus from, OrderStatus to)
    {
        if (from == to)
        {
            return TransitionOutcome.NoOp;
        }

        var f = (uint)from;
        return f < Count && (Allowed[f] & (1 << (int)to)) != 0 ? TransitionOutcome.Applied : TransitionOutcome.Refused;
    }

    /// <summary>True when <paramref name="to"/> may follow <paramref name="from"/> (the same status counts as allowed: a no-op).</summary>
    /// <param name="from">The current status.</param>
    /// <param name="to">The requested status.</param>
    /// <returns>Whether the transition is allowed.</returns>
    public static bool CanTransition(OrderStatus from, OrderStatus to) => Classify(from, to) != TransitionOutcome.Refused;

    private static ushort[] BuildTable()
    {
        var t = new ushort[Count];
        void Allow(OrderStatus from, params OrderStatus[] to)
        {
            foreach (var s in to)
            {
                t[(int)from] |= (ushort)(1 << (int)s);
            }
        }

        // The whole table lives here and nowhere else.
        Allow(OrderStatus.New,
            OrderStatus.Submitted, OrderStatus.Denied, OrderStatus.Cancelled);
        Allow(OrderStatus.Submitted,
            OrderStatus.Acknowledged, OrderStatus.Rejected, OrderStatus.PartiallyFilled, OrderStatus.Filled,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Triggered, OrderStatus.PendingCancel);
        Allow(OrderStatus.Acknowledged,
            OrderStatus.PartiallyFilled, OrderStatus.Filled, OrderStatus.PendingCancel, OrderStatus.PendingUpdate,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Triggered, OrderStatus.Rejected);
        Allow(OrderStatus.Triggered,
            OrderStatus.PartiallyFilled, OrderStatus.Filled, OrderStatus.PendingCancel, OrderStatus.PendingUpdate,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Rejected);
        Allow(OrderStatus.PartiallyFilled,
            OrderStatus.Filled, OrderStatus.PendingCancel, OrderStatus.PendingUpdate, OrderStatus.Cancelled, OrderStatus.Expired);
        Allow(OrderStatus.PendingCancel,
            OrderStatus.Cancelled, OrderStatus.Filled, OrderStatus.Expired,
            OrderStatus.Submitted, OrderStatus.Acknowledged, OrderStatus.Triggered, OrderStatus.PartiallyFilled);
        Allow(OrderStatus.PendingUpdate,
            OrderStatus.Acknowledged, OrderStatus.Triggered, OrderStatus.PartiallyFilled, OrderStatus.Filled,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.PendingCancel);
        Allow(OrderStatus.Cancelled, OrderStatus.Filled);
        Allow(OrderStatus.Expired, OrderStatus.Filled);
        return t;
    }
}
