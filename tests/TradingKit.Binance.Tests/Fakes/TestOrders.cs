using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance.Tests.Fakes;

public static class TestOrders
{
    public static OrderRequest Limit(string id, decimal qty = 0.010m, decimal price = 50000m, OrderSide side = OrderSide.Buy) => new()
    {
        ClientOrderId = new ClientOrderId(id),
        Symbol = "BTCUSDT",
        Side = side,
        Type = OrderType.Limit,
        Quantity = qty,
        LimitPrice = price,
    };
}
