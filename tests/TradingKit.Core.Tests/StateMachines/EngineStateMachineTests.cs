using TradingKit.Engine;
using TradingKit.Errors;
using TradingKit.Orders;
using static TradingKit.Engine.EngineState;

namespace TradingKit.Core.Tests.StateMachines;

public sealed class EngineStateMachineTests : StateMachineContractTests<EngineStateMachine, EngineState>
{
    // Allowed for the engine itself; SAFE → RUNNING is missing on purpose (operator only).
    private static readonly (EngineState From, EngineState To)[] EnginePairs =
    [
        (Booting, Recovering), (Booting, Safe), (Booting, Stopping),
        (Recovering, Running), (Recovering, Paused), (Recovering, Safe), (Recovering, Stopping),
        (Running, Paused), (Running, Safe), (Running, Stopping),
        (Paused, Running), (Paused, Safe), (Paused, Stopping),
        (Safe, Stopping),
        (Stopping, Stopped), (Stopping, Safe),
    ];

    private static readonly (EngineState From, EngineState To)[] OperatorOnlyPairs = [(Safe, Running)];

    protected override IReadOnlyCollection<(EngineState From, EngineState To)> AllowedPairs => EnginePairs;

    protected override IReadOnlyCollection<EngineState> TerminalStates => [Stopped];

    protected override EngineState Initial => Booting;

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Classify_ByOperator_EveryPair_AllowsTheEngineTableAndTheOperatorOnlyEdges(EngineState from, EngineState to)
    {
        var expected = from == to ? TransitionOutcome.NoOp
            : EnginePairs.Contains((from, to)) || OperatorOnlyPairs.Contains((from, to)) ? TransitionOutcome.Applied
            : TransitionOutcome.Refused;

        Assert.Equal(expected, EngineStateMachine.Classify(from, to, byOperator: true));
        Assert.Equal(expected != TransitionOutcome.Refused, EngineStateMachine.CanTransition(from, to, byOperator: true));
        Assert.Equal(OperatorOnlyPairs.Contains((from, to)), EngineStateMachine.RequiresOperator(from, to));
    }

    [Fact]
    public void SafeToRunning_WithoutOperator_IsRefused_AndTheErrorSaysAnOperatorIsNeeded()
    {
        Assert.Equal(TransitionOutcome.Refused, EngineStateMachine.Classify(Safe, Running, byOperator: false));

        var ex = Assert.Throws<InvalidStateTransitionException>(() => EngineStateMachine.Transition(Safe, Running, byOperator: false));

        Assert.Equal(ErrorCodes.InvalidStateTransition, ex.Code);
        Assert.Equal("Engine", ex.Machine);
        Assert.Equal(Safe, ex.From);
        Assert.Equal(Running, ex.To);
        Assert.Contains("operator", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeToRunning_ByOperator_IsApplied()
        => Assert.Equal(TransitionOutcome.Applied, EngineStateMachine.Transition(Safe, Running, byOperator: true));

    [Theory]
    [MemberData(nameof(EveryState))]
    public void EveryNonTerminalState_CanTripToSafe_AndStartStopping(EngineState state)
    {
        if (state is Stopped)
        {
            Assert.False(EngineStateMachine.CanTransition(state, Safe));
            Assert.False(EngineStateMachine.CanTransition(state, Stopping));
            return;
        }

        Assert.True(EngineStateMachine.CanTransition(state, Safe));
        Assert.True(EngineStateMachine.CanTransition(state, Stopping));
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void AcceptsNewOrders_OnlyWhenRunning(EngineState state)
        => Assert.Equal(state == Running, EngineStateMachine.AcceptsNewOrders(state));

    [Fact]
    public void Operator_CannotRestartAStoppedEngine()
        => Assert.Equal(TransitionOutcome.Refused, EngineStateMachine.Classify(Stopped, Running, byOperator: true));
}
