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
}
