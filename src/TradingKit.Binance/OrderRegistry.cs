using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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

    /// <summary><see cref="OrderId"/> as TradingKit's type, made once rather than per report.</summary>
    public VenueOrderId? VenueOrderId { get; set; }

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
    // Unix ms in a box per symbol: moved forward in place, so recording a fill allocates nothing here.
    private readonly ConcurrentDictionary<string, StrongBox<long>> _lastFillTime = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _symbols = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrackedOrder>.AlternateLookup<ReadOnlySpan<char>> _byClientIdText;

    public OrderRegistry()
    {
        _byClientIdText = _byClientId.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public IEnumerable<string> Symbols => _symbols.Keys;

    public IEnumerable<TrackedOrder> Orders => _byClientId.Values;

    public void AddSymbol(string symbol) => _symbols.TryAdd(symbol, 0);

    public TrackedOrder Track(TrackedOrder order)
    {
        AddSymbol(order.Symbol.Value);
        return _byClientId.GetOrAdd(order.ClientOrderId.Value, order);
    }

    public TrackedOrder? Find(ClientOrderId id) => _byClientId.TryGetValue(id.Value, out var o) ? o : null;

    /// <summary>Finds an order by its client id as UTF-8 bytes from a message, without making a string.</summary>
    public TrackedOrder? Find(ReadOnlySpan<byte> utf8ClientId)
    {
        // Client ids are at most 36 ASCII characters; anything longer is not one of ours.
        if (utf8ClientId.IsEmpty || utf8ClientId.Length > 64)
        {
            return null;
        }

        Span<char> chars = stackalloc char[64];
        var count = System.Text.Encoding.UTF8.GetChars(utf8ClientId, chars);
        return _byClientIdText.TryGetValue(chars[..count], out var o) ? o : null;
    }

    public TrackedOrder? FindByOrderId(long orderId) => _byOrderId.TryGetValue(orderId, out var o) ? o : null;

    public void SetOrderId(TrackedOrder order, long orderId)
    {
        order.OrderId = orderId;
        order.VenueOrderId = new VenueOrderId(orderId.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

        var box = _lastFillTime.GetOrAdd(symbol, static _ => new StrongBox<long>(long.MinValue));
        var ms = time.ToUnixTimeMilliseconds();
        for (var seen = Volatile.Read(ref box.Value); ms > seen; seen = Volatile.Read(ref box.Value))
        {
            if (Interlocked.CompareExchange(ref box.Value, ms, seen) == seen)
            {
                break;
            }
        }
        return true;
    }

    public bool HasSeen(string tradeKey) => _seenTrades.ContainsKey(tradeKey);

    public DateTimeOffset? LastFillTime(string symbol)
        => _lastFillTime.TryGetValue(symbol, out var box) && Volatile.Read(ref box.Value) is var ms and > long.MinValue
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
}
