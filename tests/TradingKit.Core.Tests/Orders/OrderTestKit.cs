using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Orders;

/// <summary>Builders shared by the order tests.</summary>
internal static class OrderTestKit
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 2, 9, 0, 0, TimeSpan.Zero);

    public static readonly ClientOrderId Id = new("tk-order-1");

    public static Order NewLimitOrder(decimal quantity = 10m, decimal price = 100m)
        => new(
            new OrderRequest
            {
                ClientOrderId = Id,
                Symbol = "BTCUSDT",
                Side = OrderSide.Buy,
                Type = OrderType.Limit,
                Quantity = quantity,
                LimitPrice = price,
            },
            T0);

    public static Fill Fill(string tradeId, decimal quantity, decimal price = 100m, decimal fee = 0m, int second = 1)
        => new()
        {
            TradeId = new TradeId(tradeId),
            ClientOrderId = Id,
            Symbol = "BTCUSDT",
            Side = OrderSide.Buy,
            Quantity = quantity,
            Price = price,
            Fee = fee,
            Timestamp = T0.AddSeconds(second),
        };

    public static ModifyRequest Modify(decimal? quantity = null, decimal? price = null)
        => new(Id, "BTCUSDT", quantity, price);

    public static DateTimeOffset At(int second) => T0.AddSeconds(second);

    /// <summary>NEW → SUBMITTED → ACKNOWLEDGED.</summary>
    public static Order Working(decimal quantity = 10m)
    {
        var order = NewLimitOrder(quantity);
        order.MarkSubmitted(At(1)).ThrowIfRefused();
        order.Acknowledge(new VenueOrderId("v-1"), At(2)).ThrowIfRefused();
        return order;
    }

    /// <summary>A snapshot of everything observable, to prove a refusal or no-op changed nothing.</summary>
    public static object Snapshot(Order order) => (
        order.Status, order.StatusBeforePending, order.Version, order.Quantity, order.LimitPrice, order.StopPrice,
        order.FilledQuantity, order.AverageFillPrice, order.TotalFees, order.PendingModify, order.Reason, order.UpdatedAt,
        order.VenueOrderId);
}
