using TradingKit.Orders;
using TradingKit.Reconciliation;
using TradingKit.Recovery.Tests.Support;

namespace TradingKit.Recovery.Tests.Monitoring;

public sealed class InFlightMonitorTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(10);

    private static InFlightMonitor Monitor(OmsHarness h, int tries = 3)
        => new(h.Orders, h.Venue, h.Sink, h.Clock, new InFlightMonitorOptions { Threshold = Threshold, QueryInterval = TimeSpan.FromSeconds(5), MaxUnansweredQueries = tries });

    [Fact]
    public async Task SubmittedOrderTheVenueNeverSaw_BecomesRejected_AfterNUnansweredQueries()
    {
        var h = new OmsHarness();
        h.Venue.SubmitVanishes = true;
        var order = await h.SubmitAsync(OrderSide.Buy, 1m, limit: 90m);
        var monitor = Monitor(h);
        var queriesBefore = h.Venue.Queries;

        Assert.Equal(0, (await monitor.CheckAsync()).Queried);
        h.Advance(Threshold);
        Assert.Equal(1, (await monitor.CheckAsync()).Queried);
        Assert.Equal(0, (await monitor.CheckAsync()).Queried);
        h.Advance(TimeSpan.FromSeconds(5));
        await monitor.CheckAsync();
        Assert.Equal(2, monitor.UnansweredQueries(order.ClientOrderId));
        Assert.Equal(OrderStatus.Submitted, order.Status);
        h.Advance(TimeSpan.FromSeconds(5));
        var last = await monitor.CheckAsync();

        Assert.Equal(1, last.RejectedUnanswered);
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.StartsWith(InFlightMonitor.UnresolvedCode, order.Reason, StringComparison.Ordinal);
        Assert.Contains("3 queries", order.Reason, StringComparison.Ordinal);
        Assert.Equal(queriesBefore + 3, h.Venue.Queries);
    }

    [Fact]
    public async Task SubmittedOrderKnownAtTheVenue_IsAcknowledgedByTheQuery()
    {
        var h = new OmsHarness();
        h.Venue.SubmitThenTimeout = true;
        h.Venue.QueryFailures = 4;
        var order = await h.SubmitAsync(OrderSide.Buy, 1m, limit: 90m);
        Assert.Equal(OrderStatus.Submitted, order.Status);
        h.Advance(Threshold);

        var result = await Monitor(h).CheckAsync();

        Assert.Equal(1, result.Resolved);
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.NotNull(order.VenueOrderId);
    }

    [Fact]
    public async Task QueryFailures_CountAsUnanswered_ButAnAnswerResetsTheCount()
    {
        var h = new OmsHarness();
        h.Venue.SubmitThenTimeout = true;
        h.Venue.QueryFailures = 4;
        var order = await h.SubmitAsync(OrderSide.Buy, 1m, limit: 90m);
        h.Venue.CancelVanishes = true;
        await h.Orders.CancelAsync(order.ClientOrderId);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        h.Venue.QueryFailures = 2;
        var monitor = Monitor(h);
        h.Advance(Threshold);
        await monitor.CheckAsync();
        h.Advance(TimeSpan.FromSeconds(5));
        await monitor.CheckAsync();
        Assert.Equal(2, monitor.UnansweredQueries(order.ClientOrderId));

        h.Advance(TimeSpan.FromSeconds(5));
        var result = await monitor.CheckAsync();

        Assert.Equal(0, monitor.UnansweredQueries(order.ClientOrderId));
        Assert.Equal([order.ClientOrderId], result.StillPending);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
    }

    [Fact]
    public async Task PendingCancel_StaysPending_EvenAfterManyUnansweredQueries()
    {
        var h = new OmsHarness();
        var order = await h.SubmitAsync(OrderSide.Buy, 1m, limit: 90m);
        await h.DrainAsync();
        h.Venue.CancelVanishes = true;
        await h.Orders.CancelAsync(order.ClientOrderId);
        h.Venue.QueryFailures = 100;
        var monitor = Monitor(h, tries: 2);

        for (var i = 0; i < 6; i++)
        {
            h.Advance(Threshold);
            var result = await monitor.CheckAsync();
            Assert.Equal([order.ClientOrderId], result.StillPending);
            Assert.Equal(0, result.RejectedUnanswered);
        }

        Assert.Equal(6, monitor.UnansweredQueries(order.ClientOrderId));
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
    }

    [Fact]
    public async Task PendingCancel_ResolvedAtTheVenue_IsCancelledByTheQuery()
    {
        var h = new OmsHarness();
        var order = await h.SubmitAsync(OrderSide.Buy, 1m, limit: 90m);
        await h.DrainAsync();
        await h.Orders.CancelAsync(order.ClientOrderId);
        await h.DrainAsync(deliver: false);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        h.Advance(Threshold);

        var result = await Monitor(h).CheckAsync();

        Assert.Equal(1, result.Resolved);
        Assert.Empty(result.StillPending);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
    }

    [Fact]
    public async Task PendingUpdate_AppliedAtTheVenue_IsConfirmedByTheQuery()
    {
        var h = new OmsHarness();
        var order = await h.SubmitAsync(OrderSide.Buy, 1m, limit: 90m);
        await h.DrainAsync();
        await h.Orders.ModifyAsync(new ModifyRequest(order.ClientOrderId, order.Symbol, 2m, 91m, null));
        await h.DrainAsync(deliver: false);
        Assert.Equal(OrderStatus.PendingUpdate, order.Status);
        h.Advance(Threshold);

        await Monitor(h).CheckAsync();

        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.Equal((2m, 91m), (order.Quantity, order.LimitPrice));
    }

    [Fact]
    public async Task SubmittedOrderFilledAtTheVenue_WithTheFillReportLost_GetsItsFillsFromTheQuery()
    {
        var h = new OmsHarness();
        h.Venue.SubmitThenTimeout = true;
        h.Venue.QueryFailures = 4;
        var order = await h.SubmitAsync(OrderSide.Buy, 2m);
        await h.BarAsync(101m, deliver: false);
        h.Advance(Threshold);

        await Monitor(h).CheckAsync();

        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(2m, h.Portfolio.GetNetQuantity(OmsHarness.Spx));
    }
}
