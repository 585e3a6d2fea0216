using TradingKit.Commands;
using static TradingKit.Commands.CommandStatus;

namespace TradingKit.Core.Tests.StateMachines;

public sealed class CommandStateMachineTests : StateMachineContractTests<CommandStateMachine, CommandStatus>
{
    protected override IReadOnlyCollection<(CommandStatus From, CommandStatus To)> AllowedPairs =>
    [
        (New, Sent),
        (Sent, Ack), (Sent, Failed),
    ];

    protected override IReadOnlyCollection<CommandStatus> TerminalStates => [Ack, Failed];

    protected override CommandStatus Initial => New;

    [Fact]
    public void AClaimedCommand_IsNeverReturnedToNew()
        => Assert.False(CommandStateMachine.CanTransition(Sent, New));
}
