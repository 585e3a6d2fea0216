using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.StateMachines;

namespace TradingKit.Positions;

/// <summary>
/// The one place that says which position status may follow which: FLAT → ENTERING → OPEN → EXITING → FLAT.
/// </summary>
/// <remarks>
/// Besides the main cycle: ENTERING → FLAT when the entry order ends (cancelled, rejected, expired) with nothing
/// filled; EXITING → OPEN when the exit order ends with part of the position still held; OPEN → FLAT when the
/// position is closed without an exit order of ours (venue liquidation or auto-deleveraging, a manual close at the
/// venue), because the venue is the truth. A first entry fill moves ENTERING → OPEN even if the entry order keeps
/// working; adding to an open position keeps it OPEN. No status is terminal: FLAT is where the cycle rests.
/// A reconciler that rebuilds the projection sets the status from the venue's quantity rather than walking the table.
/// </remarks>
public sealed class PositionStateMachine : IStateMachine<PositionStatus>
{
    private const string Name = "Position";

    private static readonly TransitionTable<PositionStatus> Allowed = new TransitionTable<PositionStatus>()
        .Allow(PositionStatus.Flat, PositionStatus.Entering)
        .Allow(PositionStatus.Entering, PositionStatus.Open, PositionStatus.Flat)
        .Allow(PositionStatus.Open, PositionStatus.Exiting, PositionStatus.Flat)
        .Allow(PositionStatus.Exiting, PositionStatus.Flat, PositionStatus.Open);

    private PositionStateMachine()
    {
    }

    /// <inheritdoc/>
    public static ReadOnlySpan<PositionStatus> AllStates => Allowed.States;

    /// <summary>Always false: a position cycles back to <see cref="PositionStatus.Flat"/>.</summary>
    /// <param name="state">The status.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(PositionStatus state) => Allowed.IsEmptyRow(state);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(PositionStatus from, PositionStatus to) => Allowed.Classify(from, to);

    /// <inheritdoc/>
    public static bool CanTransition(PositionStatus from, PositionStatus to) => Allowed.Classify(from, to) != TransitionOutcome.Refused;

    /// <inheritdoc/>
    /// <exception cref="InvalidStateTransitionException">The transition is not allowed (<c>INVALID_STATE_TRANSITION</c>).</exception>
    public static TransitionOutcome Transition(PositionStatus from, PositionStatus to) => Allowed.Ensure(Name, from, to);
}
