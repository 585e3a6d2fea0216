using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TradingKit.Binance;
using TradingKit.Binance.Streams;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Benchmarks.Binance;

/// <summary>
/// Parsing one <c>ORDER_TRADE_UPDATE</c> (target ≤ 1 µs, ≤ 200 B). The baseline reads the same fields through a
/// <see cref="JsonDocument"/>, the obvious way; <c>TryRead</c> is the adapter's reader (bytes to fields, no document; the
/// compact scan for Binance's shape), shown beside its general <see cref="Utf8JsonReader"/> path;
/// <c>Read + map</c> is the whole per-message path of the adapter for a fill of a known order: fields, dedup by trade id,
/// and the <see cref="ExecutionReport"/> with its <see cref="Fill"/> that the OMS receives.
/// </summary>
[MemoryDiagnoser]
public class OrderTradeUpdateParseBenchmarks
{
    private const string Message = """
        {"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{"s":"BTCUSDT","c":"s1-ma-cross-7f3a9c2e41d0b8aa","S":"SELL","o":"LIMIT","f":"GTC","q":"0.001","p":"9.91","ap":"9.91","sp":"0","x":"TRADE","X":"PARTIALLY_FILLED","i":8886774,"l":"0.0005","z":"0.0005","L":"9.91","N":"USDT","n":"0.002","T":1568879465650,"t":12345,"b":"0","a":"9.91","m":true,"R":false,"wt":"CONTRACT_PRICE","ot":"LIMIT","ps":"BOTH","cp":false,"rp":"0","V":"NONE","pm":"NONE","gtd":0,"er":"0"}}
        """;

    private readonly byte[] _message = Encoding.UTF8.GetBytes(Message);
    private OrderRegistry _registry = null!;
    private ConcurrentDictionary<string, byte> _seenTrades = null!;

    [GlobalSetup]
    public void Setup()
    {
        _registry = new OrderRegistry();
        var tracked = _registry.Track(new TrackedOrder
        {
            ClientOrderId = new ClientOrderId("s1-ma-cross-7f3a9c2e41d0b8aa"),
            Symbol = new Symbol("BTCUSDT"),
            Side = OrderSide.Sell,
            Quantity = 0.001m,
        });
        _registry.SetOrderId(tracked, 8886774);

        // The registry reports each trade id once; the benchmark forgets it after each run so every run maps a fresh fill.
        _seenTrades = (ConcurrentDictionary<string, byte>)typeof(OrderRegistry)
            .GetField("_seenTrades", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(_registry)!;
    }

    [Benchmark(Baseline = true, Description = "JsonDocument: same fields")]
    public decimal Document()
    {
        using var doc = JsonDocument.Parse(_message);
        var o = doc.RootElement.GetProperty("o");
        var sum = decimal.Parse(o.GetProperty("q").GetString()!, CultureInfo.InvariantCulture)
            + decimal.Parse(o.GetProperty("l").GetString()!, CultureInfo.InvariantCulture)
            + decimal.Parse(o.GetProperty("z").GetString()!, CultureInfo.InvariantCulture)
            + decimal.Parse(o.GetProperty("L").GetString()!, CultureInfo.InvariantCulture)
            + decimal.Parse(o.GetProperty("n").GetString()!, CultureInfo.InvariantCulture);
        var length = o.GetProperty("s").GetString()!.Length + o.GetProperty("c").GetString()!.Length + o.GetProperty("x").GetString()!.Length
            + o.GetProperty("X").GetString()!.Length + o.GetProperty("S").GetString()!.Length + o.GetProperty("N").GetString()!.Length
            + o.GetProperty("ps").GetString()!.Length;
        return sum + length + o.GetProperty("i").GetInt64() + o.GetProperty("t").GetInt64() + o.GetProperty("T").GetInt64()
            + doc.RootElement.GetProperty("E").GetInt64() + (o.GetProperty("m").GetBoolean() ? 1 : 0);
    }

    [Benchmark(Description = "OrderTradeUpdateReader.TryRead")]
    public decimal Read()
    {
        OrderTradeUpdateReader.TryRead(_message, out var u);
        return Sum(in u);
    }

    [Benchmark(Description = "  its Utf8JsonReader path (any JSON)")]
    public decimal ReadWithReader()
    {
        OrderTradeUpdateReader.TryReadWithReader(_message, out var u);
        return Sum(in u);
    }

    private static decimal Sum(in OrderTradeUpdate u)
        => u.Quantity + u.LastQuantity + u.CumulativeQuantity + u.LastPrice + u.Commission
            + u.Symbol.Length + u.ClientOrderId.Length + u.ExecutionType.Length + u.Status.Length + u.Side.Length + u.CommissionAsset.Length
            + u.PositionSide.Length + u.OrderId + u.TradeId + u.TradeTime + u.EventTime + (u.IsMaker ? 1 : 0);

    [Benchmark(Description = "Read + map to ExecutionReport (with Fill, dedup)")]
    public ExecutionReport? ReadAndMap()
    {
        OrderTradeUpdateReader.TryRead(_message, out var u);
        var report = BinanceUserEventParser.Map(in u, _registry);
        _seenTrades.TryRemove("BTCUSDT:12345", out _);
        return report;
    }
}
