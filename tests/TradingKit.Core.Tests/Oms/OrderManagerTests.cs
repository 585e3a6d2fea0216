using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Oms;
using TradingKit.Orders;
using static TradingKit.Core.Tests.Oms.OmsTestKit;

namespace TradingKit.Core.Tests.Oms;

public sealed class OrderManagerTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ScriptedBroker _broker = new();
    private readonly RecordingRecorder _recorder = new();

    private OrderManager CreateOms(IOrderGate? gate = null, int maxRetries = 3) => new(_broker, _recorder,
        new OmsOptions { MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.Zero, CallTimeout = Timeout.InfiniteTimeSpan }, _time, gate);

    [Fact]
    public async Task TEST712_SameClientOrderIdSubmittedTwice_YieldsOneOrderAndOneVenueCall()
    {
        var oms = CreateOms();
        var first = await oms.SubmitAsync(Request(), Context());
        var second = await oms.SubmitAsync(Request(), Context());

        Assert.Equal(SubmitStatus.Accepted, first.Status);
        Assert.Equal(SubmitStatus.Duplicate, second.Status);
        Assert.Same(first.Order, second.Order);
        Assert.Single(_broker.Submits);
        Assert.Single(oms.Orders);
    }

    [Fact]
    public async Task Submit_RecordsTheOrderBeforeTheVenueCall()
    {
        var oms = CreateOms();
        var recordedBeforeCall = new List<OrderChangeKind>();
        _broker.OnSubmit = _ => recordedBeforeCall.AddRange(_recorder.Changes.Select(c => c.Kind));

        await oms.SubmitAsync(Request(), Context());

        Assert.Equal([OrderChangeKind.Submitted], recordedBeforeCall);
        Assert.Equal([OrderChangeKind.Submitted, OrderChangeKind.Accepted], _recorder.Changes.Select(c => c.Kind));
    }

    [Fact]
    public async Task Submit_TransientFailures_AreRetriedWithTheSameClientOrderId()
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.RateLimited, "429", retryAfter: TimeSpan.Zero));
        var oms = CreateOms();

        var outcome = await oms.SubmitAsync(Request("cid-retry"), Context());

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Equal(3, _broker.Submits.Count);
        Assert.All(_broker.Submits, r => Assert.Equal("cid-retry", r.ClientOrderId.Value));
        Assert.Single(oms.Orders);
    }

    [Fact]
    public async Task Submit_TransientFailuresOutlastingRetries_FailWithBrokerTimeoutTransient()
    {
        for (var i = 0; i < 3; i++)
        {
            _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.Transient, "timeout before send"));
        }

        var oms = CreateOms(maxRetries: 2);
        var outcome = await oms.SubmitAsync(Request(), Context());

        Assert.Equal(SubmitStatus.Failed, outcome.Status);
        Assert.Equal(ErrorCodes.BrokerTimeoutTransient, outcome.Code);
        Assert.Equal(3, _broker.Submits.Count);
        Assert.Equal(OrderStatus.Rejected, outcome.Order!.Status);
    }

    [Fact]
    public async Task Submit_PermanentRejection_IsRecordedWithItsReasonAndNeverRetried()
    {
        _broker.SubmitScript.Enqueue(_ => SubmitResult.Refused("-2019", "Margin is insufficient."));
        var oms = CreateOms();

        var outcome = await oms.SubmitAsync(Request(), Context());

        Assert.Equal(SubmitStatus.Rejected, outcome.Status);
        Assert.Equal(ErrorCodes.BrokerRejected, outcome.Code);
        Assert.Single(_broker.Submits);
        var rejected = Assert.Single(_recorder.Changes, c => c.Kind == OrderChangeKind.Rejected);
        Assert.Equal("Margin is insufficient.", rejected.Reason);
        Assert.Equal("-2019", rejected.VenueCode);
        Assert.Equal(1, oms.RejectedCount);
    }

    [Fact]
    public async Task Submit_UnknownOutcome_QueriesTheVenueBeforeAnyResend_AndAdoptsTheFoundOrder()
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.UnknownOutcome, "read timeout"));
        _broker.QueryScript.Enqueue(() => new VenueOrderState
        {
            ClientOrderId = new ClientOrderId("cid-unknown"),
            VenueOrderId = new VenueOrderId("V-77"),
            Symbol = "BTCUSDT",
            Side = OrderSide.Buy,
            Status = OrderStatus.Acknowledged,
            Quantity = 1m,
        });
        var oms = CreateOms();

        var outcome = await oms.SubmitAsync(Request("cid-unknown"), Context());

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Single(_broker.Submits);
        Assert.Equal([new ClientOrderId("cid-unknown")], _broker.Queries);
        Assert.Equal(new VenueOrderId("V-77"), outcome.Order!.VenueOrderId);
    }

    [Fact]
    public async Task Submit_UnknownOutcome_NotFoundAtVenue_ResendsWithTheSameId()
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.UnknownOutcome, "read timeout"));
        _broker.QueryScript.Enqueue(() => null);
        var oms = CreateOms();

        var outcome = await oms.SubmitAsync(Request("cid-resend"), Context());

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Equal(2, _broker.Submits.Count);
        Assert.All(_broker.Submits, r => Assert.Equal("cid-resend", r.ClientOrderId.Value));
        Assert.Single(_broker.Queries);
    }

    [Fact]
    public async Task Submit_UnknownOutcome_QueryFailing_LeavesOrderSubmittedAndNeverResends()
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.UnknownOutcome, "read timeout"));
        for (var i = 0; i < 5; i++)
        {
            _broker.QueryScript.Enqueue(() => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        }

        var oms = CreateOms(maxRetries: 1);
        var outcome = await oms.SubmitAsync(Request(), Context());

        Assert.Equal(SubmitStatus.Unknown, outcome.Status);
        Assert.Equal(OrderStatus.Submitted, outcome.Order!.Status);
        Assert.Single(_broker.Submits);
    }

    [Fact]
    public async Task Submit_DuplicateIdRefusalOnResend_FetchesTheOriginalInsteadOfRejecting()
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.UnknownOutcome, "timeout"));
        _broker.QueryScript.Enqueue(() => null);
        _broker.SubmitScript.Enqueue(_ => SubmitResult.Refused("-4116", "ClientOrderId is duplicated."));
        _broker.QueryScript.Enqueue(() => new VenueOrderState
        {
            ClientOrderId = new ClientOrderId("cid-dup"),
            VenueOrderId = new VenueOrderId("V-1"),
            Symbol = "BTCUSDT",
            Side = OrderSide.Buy,
            Status = OrderStatus.Acknowledged,
            Quantity = 1m,
        });
        var oms = CreateOms();

        var outcome = await oms.SubmitAsync(Request("cid-dup"), Context());

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Equal(OrderStatus.Acknowledged, outcome.Order!.Status);
    }

    [Fact]
    public async Task Submit_DeniedByTheGate_MakesZeroVenueCalls()
    {
        var oms = CreateOms(new DenyGate());

        var outcome = await oms.SubmitAsync(Request(), Context());

        Assert.Equal(SubmitStatus.Denied, outcome.Status);
        Assert.Equal(ErrorCodes.KillSwitchActive, outcome.Code);
        Assert.Equal(0, _broker.TotalCalls);
        Assert.Equal(OrderStatus.Denied, outcome.Order!.Status);
        Assert.Equal([OrderChangeKind.Denied], _recorder.Changes.Select(c => c.Kind));
    }

    [Fact]
    public async Task Submit_WithoutClientOrderId_IsRefusedWithOmsIdempotencyMissing()
    {
        var oms = CreateOms();
        var request = Request() with { ClientOrderId = default };

        var ex = await Assert.ThrowsAsync<TradingKitException>(() => oms.SubmitAsync(request, Context()).AsTask());

        Assert.Equal(ErrorCodes.OmsIdempotencyMissing, ex.Code);
        Assert.Equal(0, _broker.TotalCalls);
    }

    [Fact]
    public async Task ApplyReport_SameTradeIdTwice_AppliesTheFillOnce()
    {
        var oms = CreateOms();
        var outcome = await oms.SubmitAsync(Request(qty: 2m), Context());
        var report = TradeReport("cid-1", "T-1", 1m);

        var first = await oms.ApplyReportAsync(report);
        var second = await oms.ApplyReportAsync(report);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal(1m, outcome.Order!.FilledQuantity);
        Assert.Equal(OrderStatus.PartiallyFilled, outcome.Order!.Status);
        Assert.Equal(1, oms.FillCount);
        Assert.Equal(1, oms.DuplicateFillCount);
        Assert.Single(_recorder.Changes, c => c.Kind == OrderChangeKind.Filled);
    }

    [Fact]
    public async Task ApplyReport_FillBeforeAck_IsApplied_AndTheLateAckChangesNothing()
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.UnknownOutcome, "timeout"));
        for (var i = 0; i < 5; i++)
        {
            _broker.QueryScript.Enqueue(() => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        }

        var oms = CreateOms(maxRetries: 1);
        var order = (await oms.SubmitAsync(Request(qty: 1m), Context())).Order!;
        Assert.Equal(OrderStatus.Submitted, order.Status);

        Assert.NotNull(await oms.ApplyReportAsync(TradeReport("cid-1", "T-9", 1m)));
        await oms.ApplyReportAsync(new ExecutionReport(Start) { Kind = ExecutionKind.Accepted, ClientOrderId = order.ClientOrderId, Symbol = order.Symbol, Side = order.Side, Status = OrderStatus.Acknowledged, VenueOrderId = new VenueOrderId("V-9") });

        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(new VenueOrderId("V-9"), order.VenueOrderId);
        Assert.Equal(0, oms.OpenOrderCount);
    }

    [Fact]
    public async Task Cancel_RejectedByVenue_RestoresThePreviousStatus()
    {
        var oms = CreateOms();
        var order = (await oms.SubmitAsync(Request(), Context())).Order!;
        _broker.CancelScript.Enqueue(() => SubmitResult.Refused("-2011", "Unknown order sent."));

        var sent = await oms.CancelAsync(order.ClientOrderId);

        Assert.False(sent);
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.Contains(_recorder.Changes, c => c.Kind == OrderChangeKind.CancelRejected);
    }

    [Fact]
    public async Task Cancel_ConfirmedByReport_ClosesTheOrder_AndALateFillIsStillApplied()
    {
        var oms = CreateOms();
        var order = (await oms.SubmitAsync(Request(qty: 2m), Context())).Order!;
        Assert.True(await oms.CancelAsync(order.ClientOrderId));
        Assert.Equal(OrderStatus.PendingCancel, order.Status);

        await oms.ApplyReportAsync(new ExecutionReport(Start) { Kind = ExecutionKind.Cancelled, ClientOrderId = order.ClientOrderId, Symbol = order.Symbol, Side = order.Side, Status = OrderStatus.Cancelled });
        var late = await oms.ApplyReportAsync(TradeReport("cid-1", "T-late", 1m));

        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.NotNull(late);
        Assert.Equal(1m, order.FilledQuantity);
        Assert.Equal(0, oms.OpenOrderCount);
    }

    [Fact]
    public async Task ApplyReport_ForUnknownOrder_IsCountedAndNotApplied()
    {
        var oms = CreateOms();

        var fill = await oms.ApplyReportAsync(TradeReport("nobody", "T-1", 1m));

        Assert.Null(fill);
        Assert.Equal(1, oms.UnknownReports);
        Assert.Empty(_recorder.Changes);
    }

    private sealed class DenyGate : IOrderGate
    {
        public GateDecision Check(Order order) => new(false, ErrorCodes.KillSwitchActive, "kill switch is on");
    }
}
