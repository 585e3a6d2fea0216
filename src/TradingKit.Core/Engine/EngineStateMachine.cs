using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.StateMachines;

namespace TradingKit.Engine;

/// <summary>
/// The one place that says which engine state may follow which. BOOTING → RECOVERING → RUNNING ⇄ PAUSED;
/// any non-terminal state → SAFE when the risk guard trips or the kill switch is pulled; SAFE → RUNNING only by an
/// operator command; any non-terminal state → STOPPING → STOPPED for a graceful stop.
/// </summary>
/// <remarks>
/// The two-argument members treat the caller as the engine itself (<c>byOperator: false</c>), so they refuse
/// SAFE → RUNNING; the overloads with <c>byOperator</c> let a command handler ask for it explicitly.
/// RECOVERING → PAUSED is allowed so that an engine whose execution is not enabled yet (the library's default)
/// finishes recovery without sending orders. STOPPING → SAFE is allowed because a trip during the stop plan must
/// still block new orders; SAFE → STOPPING then resumes the stop. See <c>docs/state-machines.md</c>.
/// </remarks>
public sealed class EngineStateMachine : IStateMachine<EngineState>
{
    private const string Name = "Engine";
    private const string OperatorHint = "leaving SAFE for RUNNING needs an explicit operator command";

    private static readonly TransitionTable<EngineState> Allowed = new TransitionTable<EngineState>()
        .Allow(EngineState.Booting, EngineState.Recovering, EngineState.Safe, EngineState.Stopping)
        .Allow(EngineState.Recovering, EngineState.Running, EngineState.Paused, EngineState.Safe, EngineState.Stopping)
        .Allow(EngineState.Running, EngineState.Paused, EngineState.Safe, EngineState.Stopping)
        .Allow(EngineState.Paused, EngineState.Running, EngineState.Safe, EngineState.Stopping)
        .Allow(EngineState.Safe, EngineState.Running, EngineState.Stopping)
        .Allow(EngineState.Stopping, EngineState.Stopped, EngineState.Safe);

    // The subset of Allowed that only an operator command may take.
    private static readonly TransitionTable<EngineState> OperatorOnly = new TransitionTable<EngineState>()
        .Allow(EngineState.Safe, EngineState.Running);

    private EngineStateMachine()
    {
    }

    /// <inheritdoc/>
    public static ReadOnlySpan<EngineState> AllStates => Allowed.States;

    /// <summary>True for <see cref="EngineState.Stopped"/>, the only state no transition leaves.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(EngineState state) => Allowed.IsEmptyRow(state);

    /// <summary>True only in <see cref="EngineState.Running"/>: every other state refuses new orders (<c>ENGINE_NOT_RUNNING</c>).</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether new orders may be sent.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AcceptsNewOrders(EngineState state) => state == EngineState.Running;

    /// <summary>True when an operator command is what makes <paramref name="from"/> → <paramref name="to"/> allowed.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns>Whether the transition needs an operator.</returns>
    public static bool RequiresOperator(EngineState from, EngineState to) => OperatorOnly.Contains(from, to);

    /// <summary>Classifies a transition requested by the engine itself (not an operator).</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns>The outcome; SAFE → RUNNING is refused.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(EngineState from, EngineState to) => Classify(from, to, byOperator: false);

    /// <summary>Classifies a transition without applying anything.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <param name="byOperator">True when an operator command asks for it (needed for SAFE → RUNNING).</param>
    /// <returns><see cref="TransitionOutcome.NoOp"/> for the same state, <see cref="TransitionOutcome.Applied"/> when allowed, else <see cref="TransitionOutcome.Refused"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(EngineState from, EngineState to, bool byOperator)
    {
        var outcome = Allowed.Classify(from, to);
        return outcome == TransitionOutcome.Applied && !byOperator && OperatorOnly.Contains(from, to)
            ? TransitionOutcome.Refused
            : outcome;
    }

    /// <summary>True when the engine itself may move from <paramref name="from"/> to <paramref name="to"/> (the same state counts as allowed).</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns>Whether the transition is allowed.</returns>
    public static bool CanTransition(EngineState from, EngineState to) => CanTransition(from, to, byOperator: false);

    /// <summary>True when the transition is allowed for the given requester (the same state counts as allowed).</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <param name="byOperator">True when an operator command asks for it.</param>
    /// <returns>Whether the transition is allowed.</returns>
    public static bool CanTransition(EngineState from, EngineState to, bool byOperator) => Classify(from, to, byOperator) != TransitionOutcome.Refused;

    /// <summary>Checks a transition the engine itself is about to apply.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns><see cref="TransitionOutcome.Applied"/> or <see cref="TransitionOutcome.NoOp"/>.</returns>
    /// <exception cref="InvalidStateTransitionException">The transition is not allowed (<c>INVALID_STATE_TRANSITION</c>).</exception>
    public static TransitionOutcome Transition(EngineState from, EngineState to) => Transition(from, to, byOperator: false);

    /// <summary>Checks a transition the caller is about to apply.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <param name="byOperator">True when an operator command asks for it.</param>
    /// <returns><see cref="TransitionOutcome.Applied"/> or <see cref="TransitionOutcome.NoOp"/>.</returns>
    /// <exception cref="InvalidStateTransitionException">The transition is not allowed (<c>INVALID_STATE_TRANSITION</c>); the message says when an operator command is needed.</exception>
    public static TransitionOutcome Transition(EngineState from, EngineState to, bool byOperator)
    {
        var outcome = Classify(from, to, byOperator);
        if (outcome == TransitionOutcome.Refused)
        {
            TransitionTable<EngineState>.ThrowRefused(Name, from, to, RequiresOperator(from, to) ? OperatorHint : null);
        }

        return outcome;
    }
}
