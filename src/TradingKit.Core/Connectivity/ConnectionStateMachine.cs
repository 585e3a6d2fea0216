using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.StateMachines;

namespace TradingKit.Connectivity;

/// <summary>
/// The one place that says which connection state may follow which:
/// DISCONNECTED → CONNECTING → CONNECTED → RECONNECTING → CONNECTED.
/// </summary>
/// <remarks>
/// Failure edges: CONNECTING → DISCONNECTED when the first attempt gives up, RECONNECTING → DISCONNECTED when
/// reconnecting gives up, CONNECTED → DISCONNECTED on a deliberate close. A drop while connected goes to
/// RECONNECTING, never straight back to CONNECTING, so listeners can tell a first connect from a recovery (after
/// which the stream may have missed events and polling must converge). No state is terminal.
/// </remarks>
public sealed class ConnectionStateMachine : IStateMachine<ConnectionState>
{
    private const string Name = "Connection";

    private static readonly TransitionTable<ConnectionState> Allowed = new TransitionTable<ConnectionState>()
        .Allow(ConnectionState.Disconnected, ConnectionState.Connecting)
        .Allow(ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnected)
        .Allow(ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Disconnected)
        .Allow(ConnectionState.Reconnecting, ConnectionState.Connected, ConnectionState.Disconnected);

    private ConnectionStateMachine()
    {
    }

    /// <inheritdoc/>
    public static ReadOnlySpan<ConnectionState> AllStates => Allowed.States;

    /// <summary>Always false: a connection can always be opened again.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether it is terminal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTerminal(ConnectionState state) => Allowed.IsEmptyRow(state);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransitionOutcome Classify(ConnectionState from, ConnectionState to) => Allowed.Classify(from, to);

    /// <inheritdoc/>
    public static bool CanTransition(ConnectionState from, ConnectionState to) => Allowed.Classify(from, to) != TransitionOutcome.Refused;

    /// <inheritdoc/>
    /// <exception cref="InvalidStateTransitionException">The transition is not allowed (<c>INVALID_STATE_TRANSITION</c>).</exception>
    public static TransitionOutcome Transition(ConnectionState from, ConnectionState to) => Allowed.Ensure(Name, from, to);
}
