using TradingKit.Orders;

namespace TradingKit.StateMachines;

/// <summary>
/// The shape every TradingKit state machine shares: a fixed table of allowed transitions, checked without
/// allocating. Implementations are stateless; the caller holds the current state and asks before it changes it.
/// </summary>
/// <typeparam name="TState">The enum of states.</typeparam>
/// <remarks>
/// Common rules: re-entering the current state is an idempotent no-op (<see cref="TransitionOutcome.NoOp"/>),
/// terminal states have no way out, and a refused transition is never applied: <c>Transition</c> throws a
/// <see cref="Errors.TradingKitException"/> with a stable code instead. See <c>docs/state-machines.md</c>.
/// </remarks>
public interface IStateMachine<TState>
    where TState : struct, Enum
{
    /// <summary>Gets every state, in declaration order.</summary>
    static abstract ReadOnlySpan<TState> AllStates { get; }

    /// <summary>True for a state that no transition leaves.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether it is terminal.</returns>
    static abstract bool IsTerminal(TState state);

    /// <summary>Classifies a transition without applying anything.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns><see cref="TransitionOutcome.NoOp"/> for the same state, <see cref="TransitionOutcome.Applied"/> when allowed, else <see cref="TransitionOutcome.Refused"/>.</returns>
    static abstract TransitionOutcome Classify(TState from, TState to);

    /// <summary>True when <paramref name="to"/> may follow <paramref name="from"/>; the same state counts as allowed (a no-op).</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns>Whether the transition is allowed.</returns>
    static abstract bool CanTransition(TState from, TState to);

    /// <summary>Checks a transition the caller is about to apply, throwing when it is refused.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns><see cref="TransitionOutcome.Applied"/> when the caller should move to <paramref name="to"/>, <see cref="TransitionOutcome.NoOp"/> when it already holds it; never <see cref="TransitionOutcome.Refused"/>.</returns>
    /// <exception cref="Errors.TradingKitException">The transition is not allowed.</exception>
    static abstract TransitionOutcome Transition(TState from, TState to);
}
