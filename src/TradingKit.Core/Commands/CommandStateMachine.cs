using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.StateMachines;

namespace TradingKit.Commands;

/// <summary>The one place that says which command status may follow which: NEW → SENT (claimed) → ACK | FAILED.</summary>
/// <remarks>
/// A claim is final: a command claimed by an executor that died stays SENT until something completes it as
/// FAILED (with the reason), so a command is never executed twice. ACK and FAILED are terminal; an operator who
/// wants a failed command retried issues a new command.
/// </remarks>
public sealed class CommandStateMachine : IStateMachine<CommandStatus>
{
    private const string Name = "Command";

    private static readonly TransitionTable<CommandStatus> Allowed = new TransitionTable<CommandStatus>()
        .Allow(CommandStatus.New, CommandStatus.Sent)
        .Allow(CommandStatus.Sent, CommandStatus.Ack, CommandStatus.Failed);

    private CommandStateMachine()
    {
    }

    /// <inheritdoc/>
    public static ReadOnlySpan<CommandStatus> AllStates => Allowed.States;

    /// <summary>True for <see cref="CommandStatus.Ack"/> and <see cref="CommandStatus.Failed"/>.</summary>
    /// <param name="state">The status.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(CommandStatus state) => Allowed.IsEmptyRow(state);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(CommandStatus from, CommandStatus to) => Allowed.Classify(from, to);

    /// <inheritdoc/>
    public static bool CanTransition(CommandStatus from, CommandStatus to) => Allowed.Classify(from, to) != TransitionOutcome.Refused;

    /// <inheritdoc/>
    /// <exception cref="InvalidStateTransitionException">The transition is not allowed (<c>INVALID_STATE_TRANSITION</c>).</exception>
    public static TransitionOutcome Transition(CommandStatus from, CommandStatus to) => Allowed.Ensure(Name, from, to);
}
