using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.Workers;
using static TradingKit.Workers.WorkerState;

namespace TradingKit.Core.Tests.StateMachines;

public sealed class WorkerStateMachineTests : StateMachineContractTests<WorkerStateMachine, WorkerState>
{
    protected override IReadOnlyCollection<(WorkerState From, WorkerState To)> AllowedPairs =>
    [
        (Idle, Scan), (Idle, Exit),
        (Scan, Hold), (Scan, Exit),
        (Hold, Scan), (Hold, Exit),
    ];

    protected override IReadOnlyCollection<WorkerState> TerminalStates => [Exit];

    protected override WorkerState Initial => Idle;

    [Fact]
    public void SC001_SC005_SC007_TheSeedsLifeCycle_IdleScanHoldScanExit_IsAllowedStepByStep()
    {
        WorkerState[] path = [Idle, Scan, Hold, Scan, Exit];
        for (var i = 1; i < path.Length; i++)
        {
            Assert.Equal(TransitionOutcome.Applied, WorkerStateMachine.Transition(path[i - 1], path[i]));
        }
    }

    [Fact]
    public void EC001_EC004_APollWithoutCandidate_KeepsScan_AsANoOp()
        => Assert.Equal(TransitionOutcome.NoOp, WorkerStateMachine.Transition(Scan, Scan));

    [Fact]
    public void SC006_WatchingWithoutAnExit_KeepsHold_AsANoOp()
        => Assert.Equal(TransitionOutcome.NoOp, WorkerStateMachine.Transition(Hold, Hold));

    [Fact]
    public void SC009_AFailedWorker_ExitsFromHold_AndNeverComesBack()
    {
        Assert.Equal(TransitionOutcome.Applied, WorkerStateMachine.Transition(Hold, Exit));

        var ex = Assert.Throws<InvalidStateTransitionException>(() => WorkerStateMachine.Transition(Exit, Scan));
        Assert.Equal(ErrorCodes.InvalidStateTransition, ex.Code);
        Assert.Equal("Worker", ex.Machine);
    }

    [Fact]
    public void IdleCannotHoldBeforeScanning()
        => Assert.False(WorkerStateMachine.CanTransition(Idle, Hold));
}
