using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Orders;

namespace TradingKit.Benchmarks.Events;

/// <summary>
/// OrderFilled, the most frequent event, through the event serializer (target ≤ 1 µs for serialise + deserialise).
/// The baseline is the same work with a plain DTO of strings and numbers and default source-generated options, the
/// floor of what System.Text.Json can do for this shape.
/// </summary>
[MemoryDiagnoser]
public class EventSerializationBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private OrderFilled _filled = null!;
    private byte[] _json = null!;
    private PlainFill _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _filled = new OrderFilled
        {
            TradeId = new TradeId("698759123"),
            ClientOrderId = new ClientOrderId("tk-z535umzndn5p322ufijlpwjk4"),
            VenueOrderId = new VenueOrderId("8389765589274"),
            Symbol = new Symbol("BTCUSDT"),
            Side = OrderSide.Buy,
            Quantity = 0.015m,
            Price = 65012.35m,
            Fee = 0.39007m,
            FeeCurrency = "USDT",
            Liquidity = LiquiditySide.Taker,
            PositionSide = PositionSide.Both,
            ExecutedAt = new DateTimeOffset(2025, 6, 2, 13, 30, 15, 123, TimeSpan.Zero),
        };
        _json = EventSerializer.Serialize(_filled);
        _plain = new PlainFill("698759123", "tk-z535umzndn5p322ufijlpwjk4", "8389765589274", "BTCUSDT", 1, 0.015m, 65012.35m, 0.39007m, "USDT", 2, 0,
            _filled.ExecutedAt);
    }

    [Benchmark(Baseline = true, Description = "plain DTO serialise + deserialise")]
    public PlainFill? PlainRoundTrip()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        JsonSerializer.Serialize(writer, _plain, PlainJsonContext.Default.PlainFill);
        return JsonSerializer.Deserialize(_buffer.WrittenSpan, PlainJsonContext.Default.PlainFill);
    }

    [Benchmark(Description = "OrderFilled serialise (IBufferWriter)")]
    public int Serialize()
    {
        _buffer.ResetWrittenCount();
        EventSerializer.Serialize(_filled, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "OrderFilled serialise (byte[])")]
    public byte[] SerializeToArray() => EventSerializer.Serialize(_filled);

    [Benchmark(Description = "OrderFilled deserialise")]
    public ITradingEvent Deserialize() => EventSerializer.Deserialize("order_filled", _json);

    [Benchmark(Description = "OrderFilled serialise + deserialise")]
    public ITradingEvent RoundTrip()
    {
        _buffer.ResetWrittenCount();
        EventSerializer.Serialize(_filled, _buffer);
        return EventSerializer.Deserialize("order_filled", _buffer.WrittenSpan);
    }
}

/// <summary>The baseline's shape: OrderFilled's fields as primitives.</summary>
public sealed record PlainFill(
    string TradeId, string ClientOrderId, string VenueOrderId, string Symbol, int Side, decimal Quantity, decimal Price,
    decimal Fee, string FeeCurrency, int Liquidity, int PositionSide, DateTimeOffset ExecutedAt);

[System.Text.Json.Serialization.JsonSerializable(typeof(PlainFill))]
internal sealed partial class PlainJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
