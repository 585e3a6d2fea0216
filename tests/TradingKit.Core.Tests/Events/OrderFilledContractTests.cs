using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Events.Json;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Events;

/// <summary>
/// The hand-written <see cref="OrderFilled"/> contract's short cuts: plain decimals parsed without the reader's parser, and
/// enum names matched without the catalogue's converter. Each must give exactly what the slow path gives, and leave
/// everything else to it.
/// </summary>
public sealed class OrderFilledContractTests
{
    public static TheoryData<string> Plain() =>
    [
        "0", "7", "65012.35", "0.015", "0.39007", "1.50", "1.000", "-12.345", "-0.5", "100", "9999999999999999999",
        "999999999.9999999999", "0.000000000000000001", "1844674407.370955161",
    ];

    public static TheoryData<string> LeftToTheReader() =>
    [
        "-0", "-0.0", "1e5", "1E-2", "2.5e+3", "12345678901234567890", "18446744073.709551615", "0.00000000000000000001", "79228162514264337593543950335",
    ];

    [Theory]
    [MemberData(nameof(Plain))]
    public void PlainDecimal_ParsesToTheReadersValueAndScale(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);

        Assert.True(OrderFilledJsonConverter.TryParsePlainDecimal(utf8, out var fast));
        Assert.Equal(decimal.GetBits(ReaderDecimal(utf8)), decimal.GetBits(fast));
    }

    [Theory]
    [MemberData(nameof(LeftToTheReader))]
    public void OtherNumbers_AreLeftToTheReader_AndStillRead(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);

        Assert.False(OrderFilledJsonConverter.TryParsePlainDecimal(utf8, out _));
        var read = (OrderFilled)EventSerializer.Deserialize("order_filled", Encoding.UTF8.GetBytes(Edit(o => o["fee"] = JsonNode.Parse(text))));
        Assert.Equal(decimal.GetBits(ReaderDecimal(utf8)), decimal.GetBits(read.Fee));
    }

    [Fact]
    public void RandomDecimals_ReadBackWithTheirValueAndScale()
    {
        var random = new Random(20261207);
        for (var i = 0; i < 20_000; i++)
        {
            var scale = (byte)random.Next(0, 12);
            var mantissa = random.NextInt64(0, i % 2 == 0 ? 1_000_000_000L : long.MaxValue);
            var value = new decimal((int)mantissa, (int)(mantissa >> 32), 0, random.Next(2) == 0, scale);
            var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var utf8 = Encoding.UTF8.GetBytes(text);

            var expected = decimal.GetBits(ReaderDecimal(utf8));
            if (OrderFilledJsonConverter.TryParsePlainDecimal(utf8, out var fast))
            {
                Assert.Equal(expected, decimal.GetBits(fast));
            }

            var read = (OrderFilled)EventSerializer.Deserialize("order_filled", Encoding.UTF8.GetBytes(Edit(o => o["price"] = JsonNode.Parse(text))));
            Assert.Equal(expected, decimal.GetBits(read.Price));
        }
    }

    [Fact]
    public void EveryEnumValue_IsWrittenAsItsUpperSnakeName_AndReadBack()
    {
        var sample = EventSamples.All.OfType<OrderFilled>().Single();
        foreach (var side in Enum.GetValues<OrderSide>())
        {
            foreach (var liquidity in Enum.GetValues<LiquiditySide>())
            {
                foreach (var positionSide in Enum.GetValues<PositionSide>())
                {
                    var filled = sample with { Side = side, Liquidity = liquidity, PositionSide = positionSide };

                    var json = JsonNode.Parse(EventSerializer.Serialize(filled))!.AsObject();

                    Assert.Equal(UpperSnake(side), json["side"]!.GetValue<string>());
                    Assert.Equal(UpperSnake(liquidity), json["liquidity"]!.GetValue<string>());
                    Assert.Equal(UpperSnake(positionSide), json["position_side"]!.GetValue<string>());
                    Assert.Equal(filled, EventSerializer.Deserialize("order_filled", EventSerializer.Serialize(filled)));
                }
            }
        }
    }

    [Theory]
    [InlineData("buy")]
    [InlineData("Sell")]
    [InlineData("B\\u0055Y")]
    [InlineData("SIDEWAYS")]
    [InlineData("")]
    public void OtherEnumSpellings_GetWhatTheCataloguesConverterGives(string spelling)
    {
        var options = EventCatalog.Get("order_filled").TypeInfo.Options;
        OrderSide? expected;
        try
        {
            expected = JsonSerializer.Deserialize<OrderSide>($"\"{spelling}\"", options);
        }
        catch (JsonException)
        {
            expected = null;
        }

        var json = Encoding.UTF8.GetBytes(Edit(o => o["side"] = JsonNode.Parse($"\"{spelling}\"")));
        if (expected is { } side)
        {
            Assert.Equal(side, ((OrderFilled)EventSerializer.Deserialize("order_filled", json)).Side);
        }
        else
        {
            Assert.Equal(ErrorCodes.MalformedPayload, Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_filled", json)).Code);
        }
    }

    [Fact]
    public void AnUndefinedEnumValue_IsLeftToTheConverter()
    {
        var options = EventCatalog.Get("order_filled").TypeInfo.Options;
        var filled = EventSamples.All.OfType<OrderFilled>().Single() with { Side = (OrderSide)42 };
        string? expected;
        try
        {
            expected = JsonSerializer.Serialize((OrderSide)42, options);
        }
        catch (JsonException)
        {
            expected = null;
        }

        if (expected is null)
        {
            Assert.Equal(ErrorCodes.MalformedPayload, Assert.Throws<TradingKitException>(() => EventSerializer.Serialize(filled)).Code);
        }
        else
        {
            Assert.Equal(expected, JsonNode.Parse(EventSerializer.Serialize(filled))!["side"]!.ToJsonString());
        }
    }

    [Fact]
    public void ManySymbolsAndCurrencies_ReadBackAsWritten_ThroughTheRecentValues()
    {
        var sample = EventSamples.All.OfType<OrderFilled>().Single();
        var fills = Enumerable.Range(0, 60)
            .Select(i => sample with { Symbol = new Domain.Symbol($"S{i % 40}USDT"), FeeCurrency = $"C{i % 23}" })
            .ToArray();

        for (var round = 0; round < 3; round++)
        {
            foreach (var filled in fills)
            {
                Assert.Equal(filled, EventSerializer.Deserialize("order_filled", EventSerializer.Serialize(filled)));
            }
        }
    }

    [Fact]
    public void AnEscapedSymbol_ReadsAsItsText_AndAnInvalidOneStaysRefused()
    {
        var escaped = Encoding.UTF8.GetBytes(Edit(o => o["symbol"] = "BTCUSDT").Replace("\"BTCUSDT\"", "\"BTC\\u0055SDT\"", StringComparison.Ordinal));
        Assert.Contains("BTC\\u0055SDT", Encoding.UTF8.GetString(escaped), StringComparison.Ordinal);
        Assert.Equal("BTCUSDT", ((OrderFilled)EventSerializer.Deserialize("order_filled", escaped)).Symbol.Value);

        var invalid = Encoding.UTF8.GetBytes(Edit(o => o["symbol"] = "   "));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(ErrorCodes.MalformedPayload, Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_filled", invalid)).Code);
        }
    }

    [Fact]
    public async Task ReadersOnSeveralThreads_EachGetTheirOwnSymbol()
    {
        var sample = EventSamples.All.OfType<OrderFilled>().Single();
        var payloads = Enumerable.Range(0, 64).Select(i => EventSerializer.Serialize(sample with { Symbol = new Domain.Symbol($"T{i}USDT") })).ToArray();
        using var start = new ManualResetEventSlim(false);

        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            start.Wait();
            for (var n = 0; n < 5_000; n++)
            {
                var i = ((n * 7) + w) % payloads.Length;
                var read = (OrderFilled)EventSerializer.Deserialize("order_filled", payloads[i]);
                Assert.Equal($"T{i}USDT", read.Symbol.Value);
            }
        })).ToArray();
        start.Set();

        await Task.WhenAll(workers);
    }

    private static decimal ReaderDecimal(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        return reader.GetDecimal();
    }

    private static string UpperSnake<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    private static string Edit(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(EventSerializer.Serialize(EventSamples.All.OfType<OrderFilled>().Single()))!.AsObject();
        edit(node);
        return node.ToJsonString();
    }
}
