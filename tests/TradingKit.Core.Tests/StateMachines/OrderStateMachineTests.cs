using TradingKit.Errors;
using TradingKit.Orders;
using static TradingKit.Orders.OrderStatus;

namespace TradingKit.Core.Tests.StateMachines;

public sealed class OrderStateMachineTests : StateMachineContractTests<OrderStateMachine, OrderStatus>
{
    protected override IReadOnlyCollection<(OrderStatus From, OrderStatus To)> AllowedPairs =>
    [
        (New, Submitted), (New, Denied), (New, Cancelled),

        (Submitted, Acknowledged), (Submitted, Rejected), (Submitted, PartiallyFilled), (Submitted, Filled),
        (Submitted, Cancelled), (Submitted, Expired), (Submitted, Triggered), (Submitted, PendingCancel),

        (Acknowledged, PartiallyFilled), (Acknowledged, Filled), (Acknowledged, PendingCancel), (Acknowledged, PendingUpdate),
        (Acknowledged, Cancelled), (Acknowledged, Expired), (Acknowledged, Triggered), (Acknowledged, Rejected),

        (Triggered, PartiallyFilled), (Triggered, Filled), (Triggered, PendingCancel), (Triggered, PendingUpdate),
        (Triggered, Cancelled), (Triggered, Expired), (Triggered, Rejected),

        (PartiallyFilled, Filled), (PartiallyFilled, PendingCancel), (PartiallyFilled, PendingUpdate),
        (PartiallyFilled, Cancelled), (PartiallyFilled, Expired),

        (PendingCancel, Cancelled), (PendingCancel, Filled), (PendingCancel, Expired), (PendingCancel, Rejected),
        (PendingCancel, Submitted), (PendingCancel, Acknowledged), (PendingCancel, Triggered), (PendingCancel, PartiallyFilled),
        (PendingCancel, PendingUpdate),

        (PendingUpdate, Acknowledged), (PendingUpdate, Triggered), (PendingUpdate, PartiallyFilled), (PendingUpdate, Filled),
        (PendingUpdate, Cancelled), (PendingUpdate, Expired), (PendingUpdate, Rejected), (PendingUpdate, PendingCancel),

        (Cancelled, Filled),
        (Expired, Filled),
    ];

    protected override IReadOnlyCollection<OrderStatus> TerminalStates => [Filled, Cancelled, Rejected, Expired, Denied];

    protected override IReadOnlyCollection<(OrderStatus From, OrderStatus To)> TerminalExits => [(Cancelled, Filled), (Expired, Filled)];

    protected override OrderStatus Initial => New;

    protected override string RefusedCode => ErrorCodes.InvalidOrderStatusTransition;

    [Fact]
    public void Transition_Refused_ThrowsOrderStateException_WithBothStatuses()
    {
        var ex = Assert.Throws<OrderStateException>(() => OrderStateMachine.Transition(Filled, Acknowledged));

        Assert.Equal(ErrorCodes.InvalidOrderStatusTransition, ex.Code);
        Assert.Equal(Filled, ex.From);
        Assert.Equal(Acknowledged, ex.To);
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void IsOpen_IsNeitherNewNorTerminal(OrderStatus status)
        => Assert.Equal(status != New && !TerminalStates.Contains(status), OrderStateMachine.IsOpen(status));

    [Theory]
    [MemberData(nameof(EveryState))]
    public void IsPending_OnlyForPendingCancelAndPendingUpdate(OrderStatus status)
        => Assert.Equal(status is PendingCancel or PendingUpdate, OrderStateMachine.IsPending(status));

    [Fact]
    public void AllStatuses_IsTheSameListAsAllStates()
        => Assert.Equal(OrderStateMachine.AllStates.ToArray(), OrderStateMachine.AllStatuses.ToArray());
}
