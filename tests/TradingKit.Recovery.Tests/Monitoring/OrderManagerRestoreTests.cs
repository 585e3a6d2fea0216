using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Recovery.Tests.Support;

namespace TradingKit.Recovery.Tests.Monitoring;

public sealed class OrderManagerRestoreTests
{
    [Fact]
    public async Task RestoredOrder_IsKnown_OpenAndNotSentAgain()
    {
        var h = new OmsHarness();
        var request = new OrderRequest { ClientOrderId = new ClientOrderId("restored-1"), Symbol = OmsHarness.Spx, Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m, LimitPrice = 90m };
        var order = new Order(request, h.Clock.GetUtcNow());
        order.MarkSubmitted(h.Clock.GetUtcNow());
        order.Acknowledge(new VenueOrderId("v-1"), h.Clock.GetUtcNow());
        var context = new OrderContext(OmsHarness.Strategy, CorrelationId.New(), null, h.Clock.GetUtcNow());

        h.Orders.Restore(order, context);
        var again = await h.Orders.SubmitAsync(request, context);

        Assert.Equal(SubmitStatus.Duplicate, again.Status);
        Assert.Same(order, again.Order);
        Assert.Equal(0, h.Venue.Submits);
        Assert.Equal(1, h.Orders.OpenOrderCount);
        Assert.Same(context, h.Orders.GetContext(request.ClientOrderId));
        Assert.Equal("INVALID_ORDER_REQUEST", Assert.Throws<TradingKitException>(() => h.Orders.Restore(order, context)).Code);
    }

    [Fact]
    public void RestoredOrders_CountInTheSessionsSubmittedRejectedAndFillTotals()
    {
        var h = new OmsHarness();
        var now = h.Clock.GetUtcNow();
        var context = new OrderContext(OmsHarness.Strategy, CorrelationId.New(), null, now);
        var filled = new Order(new OrderRequest { ClientOrderId = new ClientOrderId("filled-1"), Symbol = OmsHarness.Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 2m }, now);
        filled.MarkSubmitted(now);
        filled.Acknowledge(new VenueOrderId("v-1"), now);
        foreach (var tradeId in new[] { "t-1", "t-2" })
        {
            filled.ApplyFill(new Fill { TradeId = new TradeId(tradeId), ClientOrderId = filled.ClientOrderId, Symbol = OmsHarness.Spx, Side = OrderSide.Buy, Quantity = 1m, Price = 100m, Timestamp = now });
        }

        var rejected = new Order(new OrderRequest { ClientOrderId = new ClientOrderId("rejected-1"), Symbol = OmsHarness.Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m }, now);
        rejected.MarkSubmitted(now);
        rejected.Reject("no margin", now);

        h.Orders.Restore(filled, context);
        h.Orders.Restore(rejected, context);

        Assert.Equal(2, filled.FillCount);
        Assert.Equal(2, h.Orders.SubmittedCount);
        Assert.Equal(1, h.Orders.RejectedCount);
        Assert.Equal(2, h.Orders.FillCount);
    }
}
