using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.StateMachines;

namespace TradingKit.Workers;

/// <summary>
/// The one place that says which worker state may follow which (seed 002): IDLE → SCAN → HOLD → SCAN … → EXIT.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>IDLE → SCAN once started (SC-001).</item>
/// <item>SCAN → HOLD when the entry order filled (SC-005). A poll with no candidate, a lost lock race (SC-004,
/// SC-010), a polling timeout (EC-001) or a risk block (EC-004) keeps SCAN: the same-state no-op.</item>
/// <item>HOLD → SCAN when the exit filled and the lock was released (SC-007, SC-008), or when an order failed
/// and the lock was released (EC-002, EC-003). Watching without an exit keeps HOLD (SC-006).</item>
/// <item>Any state → EXIT on shutdown or failure (SC-009); EXIT is terminal.</item>
/// </list>
/// </remarks>
public sealed class WorkerStateMachine : IStateMachine<WorkerState>
{
    private const string Name = "Worker";

    private static readonly TransitionTable<WorkerState> Allowed = new TransitionTable<WorkerState>()
        .Allow(WorkerState.Idle, WorkerState.Scan, WorkerState.Exit)
        .Allow(WorkerState.Scan, WorkerState.Hold, WorkerState.Exit)
        .Allow(WorkerState.Hold, WorkerState.Scan, WorkerState.Exit);

    private WorkerStateMachine()
    {
    }

    /// <inheritdoc/>
    public static ReadOnlySpan<WorkerState> AllStates => Allowed.States;

    /// <summary>True for <see cref="WorkerState.Exit"/>.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(WorkerState state) => Allowed.IsEmptyRow(state);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(WorkerState from, WorkerState to) => Allowed.Classify(from, to);

    /// <inheritdoc/>
    public static bool CanTransition(WorkerState from, WorkerState to) => Allowed.Classify(from, to) != TransitionOutcome.Refused;

    /// <inheritdoc/>
    /// <exception cref="InvalidStateTransitionException">The transition is not allowed (<c>INVALID_STATE_TRANSITION</c>).</exception>
    public static TransitionOutcome Transition(WorkerState from, WorkerState to) => Allowed.Ensure(Name, from, to);
}
