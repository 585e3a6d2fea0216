using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Oms;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Oms;

/// <summary>What the OMS tests build their orders, contexts and venue reports from.</summary>
internal static class OmsTestKit
{
    public static readonly DateTimeOffset Start = new(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);

    public static OrderRequest Request(string id = "cid-1", decimal qty = 1m) => new()
    {
        ClientOrderId = new ClientOrderId(id),
        Symbol = "BTCUSDT",
        Side = OrderSide.Buy,
        Type = OrderType.Limit,
        Quantity = qty,
        LimitPrice = 100m,
    };

    public static OrderContext Context() => new(new StrategyId("s1"), CorrelationId.New(), 100m, Start);

    /// <summary>A venue trade report: a buy of <paramref name="qty"/> at 100 for the order.</summary>
    public static ExecutionReport TradeReport(string clientOrderId, string tradeId, decimal qty) => new(Start)
    {
        Kind = ExecutionKind.Trade,
        ClientOrderId = new ClientOrderId(clientOrderId),
        Symbol = "BTCUSDT",
        Side = OrderSide.Buy,
        Status = OrderStatus.PartiallyFilled,
        Fill = new Fill
        {
            TradeId = new TradeId(tradeId),
            ClientOrderId = new ClientOrderId(clientOrderId),
            Symbol = "BTCUSDT",
            Side = OrderSide.Buy,
            Quantity = qty,
            Price = 100m,
            Timestamp = Start,
        },
    };

    /// <summary>Keeps every order change the OMS records, in order.</summary>
    public sealed class RecordingRecorder : IOrderRecorder
    {
        public List<OrderChange> Changes { get; } = [];

        public ValueTask RecordAsync(OrderChange change, CancellationToken cancellationToken = default)
        {
            Changes.Add(change);
            return ValueTask.CompletedTask;
        }
    }
}
