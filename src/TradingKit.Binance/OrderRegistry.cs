using System.Collections.Concurrent;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance;

/// <summary>What the adapter knows about one order: enough to resolve venue ids and to reconcile after a gap.</summary>
internal sealed class TrackedOrder
{
    public required ClientOrderId ClientOrderId { get; init; }

    public required Symbol Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public bool IsAlgo { get; init; }

    public long? OrderId { get; set; }

    public decimal Quantity { get; set; }

    public decimal? LimitPrice { get; set; }

    public OrderStatus Status { get; set; } = OrderStatus.Submitted;

    public decimal FilledQuantity { get; set; }
}

/// <summary>
/// Order ids and fill dedup keys seen by this adapter instance. Fills from the stream and from polling are
/// merged here by trade id, so each is reported once.
/// </summary>
internal sealed class OrderRegistry
{
    private readonly ConcurrentDictionary<string, TrackedOrder> _byClientId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TrackedOrder> _byOrderId = new();
    private readonly ConcurrentDictionary<long, ClientOrderId> _algoByActualOrderId = new();
    private readonly ConcurrentDictionary<string, byte> _seenTrades = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastFillTime = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _symbols = new(StringComparer.Ordinal);

    public IEnumerable<string> Symbols => _symbols.Keys;

    public IEnumerable<TrackedOrder> Orders => _byClientId.Values;

    public void AddSymbol(string symbol) => _symbols.TryAdd(symbol, 0);

    public TrackedOrder Track(TrackedOrder order)
    {
        AddSymbol(order.Symbol.Value);
        return _byClientId.GetOrAdd(order.ClientOrderId.Value, order);
    }

    public TrackedOrder? Find(ClientOrderId id) => _byClientId.TryGetValue(id.Value, out var o) ? o : null;

    public TrackedOrder? FindByOrderId(long orderId) => _byOrderId.TryGetValue(orderId, out var o) ? o : null;

    public void SetOrderId(TrackedOrder order, long orderId)
    {
        order.OrderId = orderId;
        _byOrderId[orderId] = order;
    }

    public void MapAlgoActualOrder(long actualOrderId, ClientOrderId clientAlgoId) => _algoByActualOrderId[actualOrderId] = clientAlgoId;

    public ClientOrderId? AlgoFor(long actualOrderId) => _algoByActualOrderId.TryGetValue(actualOrderId, out var id) ? id : null;

    /// <summary>Records a fill's dedup key; false when it was already reported.</summary>
    public bool TryMarkTrade(string tradeKey, string symbol, DateTimeOffset time)
    {
        if (!_seenTrades.TryAdd(tradeKey, 0))
        {
            return false;
        }

        _lastFillTime.AddOrUpdate(symbol, time, (_, old) => time > old ? time : old);
        return true;
    }

    public bool HasSeen(string tradeKey) => _seenTrades.ContainsKey(tradeKey);

    public DateTimeOffset? LastFillTime(string symbol) => _lastFillTime.TryGetValue(symbol, out var t) ? t : null;
}
