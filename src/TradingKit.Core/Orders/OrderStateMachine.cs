using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.StateMachines;

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
/// restores the status held before the pending state. The table is memoryless: the edges out of
/// <see cref="OrderStatus.PendingCancel"/> and <see cref="OrderStatus.PendingUpdate"/> are the union of every
/// status they may restore, and <see cref="Order"/> narrows them to the one it remembers.
/// </remarks>
public sealed class OrderStateMachine : IStateMachine<OrderStatus>
{
    private static readonly TransitionTable<OrderStatus> Allowed = BuildTable();

    private OrderStateMachine()
    {
    }

    /// <summary>Gets every status, in declaration order.</summary>
    public static ReadOnlySpan<OrderStatus> AllStatuses => Allowed.States;

    /// <summary>Gets every status, in declaration order (the same as <see cref="AllStatuses"/>).</summary>
    public static ReadOnlySpan<OrderStatus> AllStates => Allowed.States;

    /// <summary>True for statuses no report can leave (except a late fill on a cancelled or expired order).</summary>
    /// <param name="state">The status.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(OrderStatus state)
        => state is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected or OrderStatus.Expired or OrderStatus.Denied;

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
    public static TransitionOutcome Classify(OrderStatus from, OrderStatus to) => Allowed.Classify(from, to);

    /// <summary>True when <paramref name="to"/> may follow <paramref name="from"/> (the same status counts as allowed: a no-op).</summary>
    /// <param name="from">The current status.</param>
    /// <param name="to">The requested status.</param>
    /// <returns>Whether the transition is allowed.</returns>
    public static bool CanTransition(OrderStatus from, OrderStatus to) => Classify(from, to) != TransitionOutcome.Refused;

    /// <summary>Checks a status change the caller is about to apply.</summary>
    /// <param name="from">The current status.</param>
    /// <param name="to">The requested status.</param>
    /// <returns><see cref="TransitionOutcome.Applied"/> or <see cref="TransitionOutcome.NoOp"/>.</returns>
    /// <exception cref="OrderStateException">The change is not allowed (<c>INVALID_ORDER_STATUS_TRANSITION</c>).</exception>
    public static TransitionOutcome Transition(OrderStatus from, OrderStatus to)
    {
        var outcome = Classify(from, to);
        if (outcome == TransitionOutcome.Refused)
        {
            ThrowRefused(from, to);
        }

        return outcome;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRefused(OrderStatus from, OrderStatus to)
        => throw new OrderStateException(ErrorCodes.InvalidOrderStatusTransition, from, to);

    private static TransitionTable<OrderStatus> BuildTable() => new TransitionTable<OrderStatus>()
        // NEW → CANCELLED: cancelled locally before it was sent.
        .Allow(OrderStatus.New,
            OrderStatus.Submitted, OrderStatus.Denied, OrderStatus.Cancelled)
        // A fill, trigger or cancel may overtake the acknowledgement.
        .Allow(OrderStatus.Submitted,
            OrderStatus.Acknowledged, OrderStatus.Rejected, OrderStatus.PartiallyFilled, OrderStatus.Filled,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Triggered, OrderStatus.PendingCancel)
        // ACKNOWLEDGED → REJECTED: some venues accept a stop order and reject it when it triggers.
        .Allow(OrderStatus.Acknowledged,
            OrderStatus.PartiallyFilled, OrderStatus.Filled, OrderStatus.PendingCancel, OrderStatus.PendingUpdate,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Triggered, OrderStatus.Rejected)
        .Allow(OrderStatus.Triggered,
            OrderStatus.PartiallyFilled, OrderStatus.Filled, OrderStatus.PendingCancel, OrderStatus.PendingUpdate,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Rejected)
        .Allow(OrderStatus.PartiallyFilled,
            OrderStatus.Filled, OrderStatus.PendingCancel, OrderStatus.PendingUpdate, OrderStatus.Cancelled, OrderStatus.Expired)
        // Restores (SUBMITTED, ACKNOWLEDGED, TRIGGERED, PARTIALLY_FILLED, or PENDING_UPDATE when a modify is still
        // in flight) plus every end the working status could reach.
        .Allow(OrderStatus.PendingCancel,
            OrderStatus.Cancelled, OrderStatus.Filled, OrderStatus.Expired, OrderStatus.Rejected,
            OrderStatus.Submitted, OrderStatus.Acknowledged, OrderStatus.Triggered, OrderStatus.PartiallyFilled,
            OrderStatus.PendingUpdate)
        .Allow(OrderStatus.PendingUpdate,
            OrderStatus.Acknowledged, OrderStatus.Triggered, OrderStatus.PartiallyFilled, OrderStatus.Filled,
            OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Rejected, OrderStatus.PendingCancel)
        // The venue is the truth: a fill reported after the cancel or expiry is applied and may complete the order.
        .Allow(OrderStatus.Cancelled, OrderStatus.Filled)
        .Allow(OrderStatus.Expired, OrderStatus.Filled);
}
