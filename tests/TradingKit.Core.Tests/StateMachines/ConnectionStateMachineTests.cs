using TradingKit.Connectivity;
using static TradingKit.Connectivity.ConnectionState;

namespace TradingKit.Core.Tests.StateMachines;

public sealed class ConnectionStateMachineTests : StateMachineContractTests<ConnectionStateMachine, ConnectionState>
{
    protected override IReadOnlyCollection<(ConnectionState From, ConnectionState To)> AllowedPairs =>
    [
        (Disconnected, Connecting),
        (Connecting, Connected), (Connecting, Disconnected),
        (Connected, Reconnecting), (Connected, Disconnected),
        (Reconnecting, Connected), (Reconnecting, Disconnected),
    ];

    protected override IReadOnlyCollection<ConnectionState> TerminalStates => [];

    protected override ConnectionState Initial => Disconnected;

    [Fact]
    public void ADropWhileConnected_GoesToReconnecting_NotBackToConnecting()
        => Assert.False(ConnectionStateMachine.CanTransition(Connected, Connecting));
}
