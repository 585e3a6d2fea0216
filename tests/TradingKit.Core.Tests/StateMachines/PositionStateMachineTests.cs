using TradingKit.Positions;
using static TradingKit.Positions.PositionStatus;

namespace TradingKit.Core.Tests.StateMachines;

public sealed class PositionStateMachineTests : StateMachineContractTests<PositionStateMachine, PositionStatus>
{
    protected override IReadOnlyCollection<(PositionStatus From, PositionStatus To)> AllowedPairs =>
    [
        (Flat, Entering),
        (Entering, Open), (Entering, Flat),
        (Open, Exiting), (Open, Flat),
        (Exiting, Flat), (Exiting, Open),
    ];

    protected override IReadOnlyCollection<PositionStatus> TerminalStates => [];

    protected override PositionStatus Initial => Flat;

    [Fact]
    public void ExitingCannotTurnIntoAnEntry_WithoutPassingFlat()
    {
        Assert.False(PositionStateMachine.CanTransition(Exiting, Entering));
        Assert.False(PositionStateMachine.CanTransition(Open, Entering));
        Assert.False(PositionStateMachine.CanTransition(Flat, Exiting));
    }
}
