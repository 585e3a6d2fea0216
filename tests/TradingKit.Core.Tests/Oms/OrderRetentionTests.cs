using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Oms;
using TradingKit.Orders;
using static TradingKit.Core.Tests.Oms.OmsTestKit;

namespace TradingKit.Core.Tests.Oms;

/// <summary>
/// <see cref="OmsOptions.RetainedTerminalOrders"/>: the OMS keeps open orders and the newest terminal ones as objects and
/// retires older terminal orders to their client order ids, so a long session's memory does not grow with every order
/// while TEST-712 still holds for every id the session ever used.
/// </summary>
public sealed class OrderRetentionTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ScriptedBroker _broker = new();
    private readonly RecordingRecorder _recorder = new();
    private readonly SwitchGate _gate = new();

    private OrderManager CreateOms(int? retained) => new(_broker, _recorder,
        new OmsOptions { RetryBaseDelay = TimeSpan.Zero, CallTimeout = Timeout.InfiniteTimeSpan, RetainedTerminalOrders = retained }, _time, _gate);

    [Fact]
    public async Task TheNewestTerminalOrdersAreKept_AndOlderOnesAreRetiredToTheirIds()
    {
        var oms = CreateOms(retained: 2);
        for (var i = 1; i <= 4; i++)
        {
            await SubmitAndFillAsync(oms, $"cid-{i}");
        }

        Assert.False(oms.TryGetOrder(new ClientOrderId("cid-1"), out _));
        Assert.False(oms.TryGetOrder(new ClientOrderId("cid-2"), out _));
        Assert.Null(oms.GetContext(new ClientOrderId("cid-2")));
        Assert.True(oms.TryGetOrder(new ClientOrderId("cid-3"), out var third));
        Assert.Equal(OrderStatus.Filled, third.Status);
        Assert.NotNull(oms.GetContext(new ClientOrderId("cid-4")));
        Assert.Equal(["cid-3", "cid-4"], oms.Orders.Select(o => o.ClientOrderId.Value).Order());
        Assert.Equal(2, oms.RetiredOrderCount);

        // The session's counts cover every order, retired or not.
        Assert.Equal(4, oms.SubmittedCount);
        Assert.Equal(4, oms.FillCount);
    }

    [Fact]
    public async Task ByDefaultEveryOrderIsKept()
    {
        Assert.Null(new OmsOptions().RetainedTerminalOrders);
        var oms = CreateOms(retained: null);
        for (var i = 1; i <= 5; i++)
        {
            await SubmitAndFillAsync(oms, $"cid-{i}");
        }

        Assert.Equal(5, oms.Orders.Count());
        Assert.True(oms.TryGetOrder(new ClientOrderId("cid-1"), out _));
        Assert.Equal(0, oms.RetiredOrderCount);
    }

    [Fact]
    public async Task TEST712_TheSameIntentAgainAfterItsOrderWasRetired_IsADuplicateAndNeverSent()
    {
        var oms = CreateOms(retained: 1);
        await SubmitAndFillAsync(oms, "cid-1");
        await SubmitAndFillAsync(oms, "cid-2");
        Assert.False(oms.TryGetOrder(new ClientOrderId("cid-1"), out _));
        var submitsBefore = _broker.Submits.Count;
        var changesBefore = _recorder.Changes.Count;

        var again = await oms.SubmitAsync(Request("cid-1"), Context());

        Assert.Equal(SubmitStatus.Duplicate, again.Status);
        Assert.Null(again.Order);
        Assert.Equal(submitsBefore, _broker.Submits.Count);
        Assert.Equal(changesBefore, _recorder.Changes.Count);
        Assert.Equal(2, oms.SubmittedCount);
    }

    [Fact]
    public async Task ALateReportForARetiredOrder_IsCountedApartAndChangesNothing()
    {
        var oms = CreateOms(retained: 1);
        await SubmitAndFillAsync(oms, "cid-1");
        await SubmitAndFillAsync(oms, "cid-2");
        var changesBefore = _recorder.Changes.Count;

        var late = await oms.ApplyReportAsync(TradeReport("cid-1", "T-late", 1m));
        var stranger = await oms.ApplyReportAsync(TradeReport("nobody", "T-x", 1m));

        Assert.Null(late);
        Assert.Null(stranger);
        Assert.Equal(1, oms.RetiredReports);
        Assert.Equal(1, oms.UnknownReports);
        Assert.Equal(changesBefore, _recorder.Changes.Count);
        Assert.Equal(2, oms.FillCount);
    }

    [Fact]
    public async Task OpenOrdersAreNeverRetired_HoweverManyOrdersEndAfterThem()
    {
        var oms = CreateOms(retained: 1);
        var resting = (await oms.SubmitAsync(Request("resting", qty: 5m), Context())).Order!;
        await oms.ApplyReportAsync(TradeReport("resting", "T-part", 1m));
        for (var i = 1; i <= 3; i++)
        {
            await SubmitAndFillAsync(oms, $"cid-{i}");
        }

        Assert.True(oms.TryGetOrder(resting.ClientOrderId, out var found));
        Assert.Same(resting, found);
        Assert.Equal(OrderStatus.PartiallyFilled, found.Status);
        Assert.Equal(1, oms.OpenOrderCount);
        Assert.NotNull(await oms.ApplyReportAsync(TradeReport("resting", "T-rest", 4m)));
        Assert.Equal(OrderStatus.Filled, resting.Status);

        // It is now the newest terminal order and the only one kept; cid-3 went the way of the others.
        Assert.Equal(["resting"], oms.Orders.Select(o => o.ClientOrderId.Value));
        Assert.Equal(3, oms.RetiredOrderCount);
    }

    [Fact]
    public async Task DeniedAndRejectedOrdersCountAsTerminal()
    {
        var oms = CreateOms(retained: 1);
        _gate.Deny = true;
        var denied = await oms.SubmitAsync(Request("denied"), Context());
        _gate.Deny = false;
        _broker.SubmitScript.Enqueue(_ => SubmitResult.Refused("-2019", "Margin is insufficient."));
        var rejected = await oms.SubmitAsync(Request("rejected"), Context());

        Assert.Equal(SubmitStatus.Denied, denied.Status);
        Assert.Equal(SubmitStatus.Rejected, rejected.Status);
        Assert.False(oms.TryGetOrder(new ClientOrderId("denied"), out _));
        Assert.True(oms.TryGetOrder(new ClientOrderId("rejected"), out _));
        Assert.Equal(SubmitStatus.Duplicate, (await oms.SubmitAsync(Request("denied"), Context())).Status);
        Assert.Single(_broker.Submits);
    }

    [Fact]
    public async Task ARetiredOrderCannotBeRestored()
    {
        var oms = CreateOms(retained: 1);
        await SubmitAndFillAsync(oms, "cid-1");
        await SubmitAndFillAsync(oms, "cid-2");

        var ex = Assert.Throws<TradingKitException>(() => oms.Restore(new Order(Request("cid-1"), Start), Context()));

        Assert.Equal(ErrorCodes.InvalidOrderRequest, ex.Code);
    }

    [Fact]
    public async Task RestoredTerminalOrdersAreRetainedAndRetiredLikeTheOthers()
    {
        var oms = CreateOms(retained: 1);
        oms.Restore(await FilledOrderAsync("old-1"), Context());
        oms.Restore(await FilledOrderAsync("old-2"), Context());

        Assert.False(oms.TryGetOrder(new ClientOrderId("old-1"), out _));
        Assert.True(oms.TryGetOrder(new ClientOrderId("old-2"), out _));
        Assert.Equal(SubmitStatus.Duplicate, (await oms.SubmitAsync(Request("old-1"), Context())).Status);
        Assert.Empty(_broker.Submits);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100_000_001)]
    public void ARetentionOutsideItsRange_IsRefusedAtStartUp(int retained)
    {
        var ex = Assert.Throws<TradingKitException>(() => new OmsOptions { RetainedTerminalOrders = retained }.Validate());

        Assert.Equal(ErrorCodes.InvalidOptions, ex.Code);
        Assert.Contains("RetainedTerminalOrders", ex.Message, StringComparison.Ordinal);
    }

    // An order filled through a throwaway OMS, as start-up recovery would rebuild it from the log.
    private async Task<Order> FilledOrderAsync(string id)
    {
        var other = new OrderManager(new ScriptedBroker(), new RecordingRecorder(), new OmsOptions { RetryBaseDelay = TimeSpan.Zero, CallTimeout = Timeout.InfiniteTimeSpan }, _time);
        var order = (await other.SubmitAsync(Request(id), Context())).Order!;
        await other.ApplyReportAsync(TradeReport(id, "T-" + id, 1m));
        Assert.Equal(OrderStatus.Filled, order.Status);
        return order;
    }

    private static async Task SubmitAndFillAsync(OrderManager oms, string id)
    {
        var outcome = await oms.SubmitAsync(Request(id), Context());
        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.NotNull(await oms.ApplyReportAsync(TradeReport(id, "T-" + id, 1m)));
        Assert.Equal(OrderStatus.Filled, outcome.Order!.Status);
    }

    private sealed class SwitchGate : IOrderGate
    {
        public bool Deny { get; set; }

        public GateDecision Check(Order order) => Deny ? new(false, ErrorCodes.KillSwitchActive, "kill switch is on") : GateDecision.Allow;
    }
}
