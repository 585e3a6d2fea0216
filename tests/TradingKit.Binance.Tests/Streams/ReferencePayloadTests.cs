using System.Text;
using System.Text.Json;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Events;
using TradingKit.Binance.Rest;
using TradingKit.Binance.Streams;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance.Tests.Streams;

/// <summary>Every payload example of <c>shared/reference/binance-usdm.md</c>, kept as a fixture file and parsed (see Fixtures/Reference/README.md).</summary>
public sealed class ReferencePayloadTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Reference", name));

    private static List<VenueEvent> Parse(string name, OrderRegistry? registry = null)
        => BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(Fixture(name)), registry ?? new OrderRegistry()).Events;

    [Fact]
    public void SigningExample_SignsToTheDocumentedSignature_AndOurQueryBuilderWritesTheSamePayload()
    {
        var lines = Fixture("signing-example.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim());
        var signer = new BinanceSigner(lines["secret"]);
        Assert.Equal(lines["signature"], signer.Sign(lines["payload"]));

        var p = new BinanceParameters();
        var pairs = lines["payload"].Split('&').Select(kv => kv.Split('=')).ToList();
        foreach (var kv in pairs.Where(kv => kv[0] is not ("recvWindow" or "timestamp")))
        {
            p.Add(kv[0], kv[1]);
        }

        var timestamp = long.Parse(pairs.Single(kv => kv[0] == "timestamp")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(lines["payload"] + "&signature=" + lines["signature"], signer.SignQuery(p, 5000, timestamp));
    }

    [Theory]
    [InlineData("order-trade-update.json")]
    [InlineData("order-trade-update-numbers.json")]
    public void OrderTradeUpdate_EveryMappedFieldIsRead_WhetherNumbersAreStringsOrNumbers(string file)
    {
        var report = Assert.IsType<ExecutionReport>(Assert.Single(Parse(file)));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1568879465651), report.Timestamp);
        Assert.Equal((ExecutionKind.Trade, OrderStatus.PartiallyFilled), (report.Kind, report.Status));
        Assert.Equal((new ClientOrderId("TEST"), new Symbol("BTCUSDT"), OrderSide.Sell), (report.ClientOrderId, report.Symbol, report.Side));
        Assert.Equal(new VenueOrderId("8886774"), report.VenueOrderId);
        Assert.Equal((0.001m, 0.0005m), (report.OrderQuantity, report.CumulativeQuantity));
        Assert.False(report.IsExternal);
        var fill = report.Fill!;
        Assert.Equal(new TradeId("BTCUSDT:12345"), fill.TradeId);
        Assert.Equal((0.0005m, 9.91m, 0.002m, "USDT"), (fill.Quantity, fill.Price, fill.Fee, fill.FeeCurrency));
        Assert.Equal((LiquiditySide.Maker, PositionSide.Long), (fill.Liquidity, fill.PositionSide));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1568879465650), fill.Timestamp);
    }

    public static TheoryData<string, string, ExecutionKind, OrderStatus> ExecutionTypesAndStatuses => new()
    {
        // Every execution type and every status the reference lists.
        { "NEW", "NEW", ExecutionKind.Accepted, OrderStatus.Acknowledged },
        { "CANCELED", "CANCELED", ExecutionKind.Cancelled, OrderStatus.Cancelled },
        { "CALCULATED", "FILLED", ExecutionKind.Trade, OrderStatus.Filled },
        { "EXPIRED", "EXPIRED", ExecutionKind.Expired, OrderStatus.Expired },
        { "EXPIRED", "EXPIRED_IN_MATCH", ExecutionKind.Expired, OrderStatus.Expired },
        { "TRADE", "PARTIALLY_FILLED", ExecutionKind.Trade, OrderStatus.PartiallyFilled },
        { "TRADE", "FILLED", ExecutionKind.Trade, OrderStatus.Filled },
        { "AMENDMENT", "NEW", ExecutionKind.Updated, OrderStatus.Acknowledged },
    };

    [Theory]
    [MemberData(nameof(ExecutionTypesAndStatuses))]
    public void OrderTradeUpdate_EveryExecutionTypeAndStatus_IsMapped(string x, string status, ExecutionKind kind, OrderStatus expected)
    {
        var json = Fixture("order-trade-update.json").Replace("\"x\":\"TRADE\"", $"\"x\":\"{x}\"", StringComparison.Ordinal)
            .Replace("\"X\":\"PARTIALLY_FILLED\"", $"\"X\":\"{status}\"", StringComparison.Ordinal);
        var report = Assert.IsType<ExecutionReport>(Assert.Single(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(json), new OrderRegistry()).Events));
        Assert.Equal((kind, expected), (report.Kind, report.Status));
        Assert.Equal(kind == ExecutionKind.Trade, report.Fill is not null);
        Assert.Equal(x == "CALCULATED" ? "liquidation" : x == "EXPIRED" ? "expiry reason 0" : null, report.Reason);
    }

    [Theory]
    [InlineData("autoclose-1568879465650", true)]
    [InlineData("adl_autoclose", true)]
    [InlineData("settlement_autoclose-BTCUSDT", true)]
    [InlineData("TEST", false)]
    public void OrderTradeUpdate_VenueMadeClientIds_AreExternal(string clientId, bool external)
    {
        var json = Fixture("order-trade-update.json").Replace("\"c\":\"TEST\"", $"\"c\":\"{clientId}\"", StringComparison.Ordinal);
        var report = Assert.IsType<ExecutionReport>(Assert.Single(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(json), new OrderRegistry()).Events));
        Assert.Equal(external, report.IsExternal);
    }

    [Fact]
    public void OrderTradeUpdate_ReadWithoutADocument_MatchesTheDocument()
    {
        // The allocation-free reader and a JsonDocument must agree on every field it reads.
        var bytes = Encoding.UTF8.GetBytes(Fixture("order-trade-update.json"));
        Assert.True(OrderTradeUpdateReader.TryRead(bytes, out var u));
        using var doc = JsonDocument.Parse(bytes);
        var o = doc.RootElement.GetProperty("o");
        Assert.Equal(doc.RootElement.GetProperty("E").GetInt64(), u.EventTime);
        Assert.Equal(o.GetProperty("s").GetString(), Encoding.UTF8.GetString(u.Symbol));
        Assert.Equal(o.GetProperty("c").GetString(), Encoding.UTF8.GetString(u.ClientOrderId));
        Assert.Equal(o.GetProperty("x").GetString(), Encoding.UTF8.GetString(u.ExecutionType));
        Assert.Equal(o.GetProperty("X").GetString(), Encoding.UTF8.GetString(u.Status));
        Assert.Equal(o.GetProperty("N").GetString(), Encoding.UTF8.GetString(u.CommissionAsset));
        Assert.Equal(o.GetProperty("ps").GetString(), Encoding.UTF8.GetString(u.PositionSide));
        Assert.Equal(o.GetProperty("er").GetString(), Encoding.UTF8.GetString(u.ExpiryReason));
        Assert.Equal((o.GetProperty("i").GetInt64(), o.GetProperty("t").GetInt64(), o.GetProperty("T").GetInt64()), (u.OrderId, u.TradeId, u.TradeTime));
        Assert.Equal(o.GetProperty("m").GetBoolean(), u.IsMaker);
    }

    [Theory]
    [InlineData("0.001")]
    [InlineData("-1423.15600")]
    [InlineData("6563.66500")]
    [InlineData("0")]
    [InlineData("9999999999999999999")]
    [InlineData("0.0000000000000000001")]
    [InlineData("18446744073709551615")]
    [InlineData("1e-5")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.2.3")]
    [InlineData("-")]
    [InlineData("")]
    public void PlainDecimalParser_AgreesWithTheGeneralParser_OrDefersToIt(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var general = decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var expected);
        if (OrderTradeUpdateReader.TryParsePlainDecimal(bytes, out var fast))
        {
            Assert.True(general);
            Assert.Equal((expected, expected.Scale), (fast, fast.Scale));
        }
    }

    [Fact]
    public void PlainDecimalParser_AgreesWithTheGeneralParser_OnRandomPlainNumbers()
    {
        var random = new Random(7);
        for (var n = 0; n < 20_000; n++)
        {
            var whole = random.NextInt64(0, 10_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var fraction = random.Next(0, 3) == 0 ? string.Empty : "." + random.NextInt64(0, 100_000_000).ToString("D" + random.Next(1, 9), System.Globalization.CultureInfo.InvariantCulture);
            var text = (random.Next(0, 4) == 0 ? "-" : string.Empty) + whole + fraction;
            Assert.True(OrderTradeUpdateReader.TryParsePlainDecimal(Encoding.UTF8.GetBytes(text), out var fast), text);
            var expected = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(expected == fast && expected.Scale == fast.Scale, text);
        }
    }

    [Fact]
    public void CompactScan_AndTheJsonReader_ReadTheSameFields_OnRandomShapesOfTheEvent()
    {
        using var doc = JsonDocument.Parse(Fixture("order-trade-update.json"));
        var fields = doc.RootElement.GetProperty("o").EnumerateObject().Select(p => (p.Name, Value: p.Value.GetRawText())).ToList();
        var random = new Random(11);
        var scanned = 0;
        for (var n = 0; n < 5_000; n++)
        {
            var chosen = fields.Where(_ => random.Next(0, 8) != 0).OrderBy(_ => random.Next()).Select(f =>
            {
                var value = f.Value;
                if (value.StartsWith('"') && decimal.TryParse(value.Trim('"'), System.Globalization.CultureInfo.InvariantCulture, out _) && random.Next(0, 2) == 0)
                {
                    value = value.Trim('"'); // the same number, bare
                }

                return $"\"{f.Name}\":{value}";
            });
            var json = "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":" + random.NextInt64(1, 2_000_000_000_000) + ",\"T\":1,\"o\":{" + string.Join(",", chosen) + "}}";
            json = random.Next(0, 6) switch
            {
                0 => json.Replace(",", ", ", StringComparison.Ordinal), // whitespace: declined
                1 => json.Replace("\"TEST\"", "\"TE\\u0053T\"", StringComparison.Ordinal), // an escape: declined
                2 => json.Replace("\"q\":\"0.001\"", "\"q\":1e-3", StringComparison.Ordinal), // an exponent: declined
                _ => json,
            };

            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.True(OrderTradeUpdateReader.TryReadWithReader(bytes, out var r), json);
            Assert.True(OrderTradeUpdateReader.TryRead(bytes, out var t), json);
            AssertSame(r, t, json);
            if (OrderTradeUpdateReader.ScanCompact(bytes, out var c) == CompactScan.OrderUpdate)
            {
                scanned++;
                AssertSame(r, c, json);
            }
        }

        Assert.InRange(scanned, 1_000, 4_000); // both paths were exercised
    }

    [Theory]
    [InlineData("""{"e":"ACCOUNT_UPDATE","E":1,"a":{"m":"ORDER"}}""", "OtherEvent")]
    [InlineData("""{"stream":"x","data":{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT"}}}""", "Declined")]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT","q":"1"}} """, "Declined")]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT","q":01}}""", "Declined")]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT","b":tru}}""", "Declined")]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT","b":[1]}}""", "Declined")]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT"}}""", "OrderUpdate")]
    public void CompactScan_TakesOnlyTheCompactShape(string json, string expected)
        => Assert.Equal(Enum.Parse<CompactScan>(expected), OrderTradeUpdateReader.ScanCompact(Encoding.UTF8.GetBytes(json), out _));

    [Theory]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT","q":01}}""")]
    [InlineData("""{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT","b":tru}}""")]
    public void MalformedMessages_AreRefused_NotGuessed(string json)
        => Assert.ThrowsAny<JsonException>(() => OrderTradeUpdateReader.TryRead(Encoding.UTF8.GetBytes(json), out _));

    private static void AssertSame(in OrderTradeUpdate expected, OrderTradeUpdate actual, string json)
    {
        Assert.True(expected.EventTime == actual.EventTime && expected.OrderId == actual.OrderId && expected.TradeId == actual.TradeId
            && expected.TradeTime == actual.TradeTime && expected.IsMaker == actual.IsMaker, json);
        Assert.True(expected.Quantity == actual.Quantity && expected.Quantity.Scale == actual.Quantity.Scale
            && expected.LastQuantity == actual.LastQuantity && expected.CumulativeQuantity == actual.CumulativeQuantity
            && expected.LastPrice == actual.LastPrice && expected.Commission == actual.Commission, json);
        Assert.True(expected.Symbol.SequenceEqual(actual.Symbol) && expected.ClientOrderId.SequenceEqual(actual.ClientOrderId)
            && expected.Side.SequenceEqual(actual.Side) && expected.ExecutionType.SequenceEqual(actual.ExecutionType)
            && expected.Status.SequenceEqual(actual.Status) && expected.CommissionAsset.SequenceEqual(actual.CommissionAsset)
            && expected.PositionSide.SequenceEqual(actual.PositionSide) && expected.ExpiryReason.SequenceEqual(actual.ExpiryReason), json);
    }

    [Fact]
    public void OrderTradeUpdate_EscapedText_IsUnescaped()
    {
        var json = Fixture("order-trade-update.json").Replace("\"c\":\"TEST\"", "\"c\":\"TE\\u0053T\"", StringComparison.Ordinal);
        var report = Assert.IsType<ExecutionReport>(Assert.Single(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(json), new OrderRegistry()).Events));
        Assert.Equal(new ClientOrderId("TEST"), report.ClientOrderId);
    }

    [Fact]
    public void AccountUpdate_EveryBalanceAndEveryChangedPosition_IsRead()
    {
        var events = Parse("account-update.json");
        var balances = Assert.IsType<BinanceBalanceChanged>(events[0]);
        Assert.Equal("ORDER", balances.Reason);
        Assert.Equal(
            [new BinanceBalanceChange("USDT", 122624.12345678m, 100.12345678m, 50.12345678m), new BinanceBalanceChange("BUSD", 1m, 0m, -49.12345678m)],
            balances.Balances);
        var positions = Assert.IsType<BinancePositionChanged>(events[1]).Positions;
        Assert.Equal(3, positions.Count);
        Assert.Equal(new BinancePosition(new Symbol("BTCUSDT"), 20m, 6563.665m, 6563.6m, 0m, 2850.212m, "isolated", PositionSide.Long), positions[1]);
        Assert.Equal((-10m, -45.04m, -1423.156m, PositionSide.Short), (positions[2].Quantity, positions[2].AccumulatedRealized, positions[2].UnrealizedPnl, positions[2].PositionSide));
    }

    [Theory]
    [InlineData("DEPOSIT")]
    [InlineData("WITHDRAW")]
    [InlineData("ORDER")]
    [InlineData("FUNDING_FEE")]
    [InlineData("ADJUSTMENT")]
    [InlineData("MARGIN_TRANSFER")]
    public void AccountUpdate_Reasons_AreKept(string reason)
    {
        var json = Fixture("account-update.json").Replace("\"m\":\"ORDER\"", $"\"m\":\"{reason}\"", StringComparison.Ordinal);
        var events = BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(json), new OrderRegistry()).Events;
        Assert.All(events, e => Assert.Equal(reason, e is BinanceBalanceChanged b ? b.Reason : ((BinancePositionChanged)e).Reason));
    }

    [Fact]
    public void AccountUpdate_WithoutChangedPositions_ReportsBalancesOnly()
    {
        var json = Fixture("account-update.json");
        json = json[..json.IndexOf(",\"P\":", StringComparison.Ordinal)] + ",\"P\":[]}}";
        Assert.IsType<BinanceBalanceChanged>(Assert.Single(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(json), new OrderRegistry()).Events));
    }

    [Fact]
    public void ListenKeyExpired_IsSignalled_AndYieldsNoEvent()
    {
        var (events, expired) = BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(Fixture("listen-key-expired.json")), new OrderRegistry());
        Assert.True(expired);
        Assert.Empty(events);
    }

    [Fact]
    public void MarginCall_IsRead()
    {
        var call = Assert.IsType<BinanceMarginCall>(Assert.Single(Parse("margin-call.json")));
        Assert.Equal(3.16812045m, call.CrossWalletBalance);
        Assert.Equal(new BinanceMarginCallPosition(new Symbol("ETHUSDT"), PositionSide.Long, 1.327m, 187.17127m, -1.166074m, 1.614445m), Assert.Single(call.Positions));
    }

    [Fact]
    public void TradeLite_IsAHint_WithTheTradeIdOfItsFill()
    {
        var lite = Assert.IsType<BinanceTradeLite>(Assert.Single(Parse("trade-lite.json")));
        Assert.Equal((new Symbol("BTCUSDT"), new TradeId("BTCUSDT:109100866"), OrderSide.Buy), (lite.Symbol, lite.TradeId, lite.Side));
        Assert.Equal((0.040m, 64089.20m, "z8hcUoOsqEdKMeKPSABslD"), (lite.Quantity, lite.Price, lite.ClientOrderId));
    }

    [Fact]
    public void AlgoUpdate_IsAReportUnderTheClientAlgoId_WithItsRejectReason()
    {
        var report = Assert.IsType<ExecutionReport>(Assert.Single(Parse("algo-update.json")));
        Assert.Equal((ExecutionKind.Cancelled, OrderStatus.Cancelled), (report.Kind, report.Status));
        Assert.Equal((new ClientOrderId("Q5xaq5EGKgXXa0fD7fs0Ip"), new VenueOrderId("2148719"), new Symbol("BNBUSDT")), (report.ClientOrderId, report.VenueOrderId, report.Symbol));
        Assert.Equal((OrderSide.Sell, 0.01m, "Reduce Only reject"), (report.Side, report.OrderQuantity, report.Reason));
    }

    [Fact]
    public void AccountConfigUpdate_LeverageAndMultiAssetsMode_AreRead()
    {
        var leverage = Assert.IsType<BinanceAccountConfigChanged>(Assert.Single(Parse("account-config-update-leverage.json")));
        Assert.Equal((new Symbol("BTCUSDT"), 25, (bool?)null), (leverage.Symbol, leverage.Leverage, leverage.MultiAssetsMode));
        var mode = Assert.IsType<BinanceAccountConfigChanged>(Assert.Single(Parse("account-config-update-multi-assets.json")));
        Assert.Equal(((Symbol?)null, (int?)null, true), (mode.Symbol, mode.Leverage, mode.MultiAssetsMode));
    }

    [Fact]
    public void ExchangeInfo_TickAndStepComeFromTheFilters_NotFromThePrecisionHints()
    {
        using var doc = JsonDocument.Parse(Fixture("exchange-info.json"));
        var btc = ExchangeInfo.Parse(doc.RootElement)["BTCUSDT"];
        Assert.Equal((0.10m, 0.001m, 0.001m, 1000m, 100m, "USDT"), (btc.TickSize, btc.StepSize, btc.MinQuantity, btc.MaxQuantity, btc.MinNotional, btc.QuoteCurrency));
        Assert.Equal((1, 3), (btc.PricePrecision, btc.QuantityPrecision)); // pricePrecision says 2: ignored
    }

    public static TheoryData<int, string?, BinanceErrorClass> ErrorAnswers()
    {
        var data = new TheoryData<int, string?, BinanceErrorClass>();
        using var doc = JsonDocument.Parse(Fixture("errors.json"));
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var body = e.GetProperty("body");
            data.Add(e.GetProperty("status").GetInt32(), body.ValueKind == JsonValueKind.Null ? null : body.GetRawText(), Enum.Parse<BinanceErrorClass>(e.GetProperty("class").GetString()!));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ErrorAnswers))]
    public void ErrorAnswers_AreReadAndClassifiedAsTheReferenceSays(int status, string? body, BinanceErrorClass expected)
    {
        var (code, message) = BinanceRestClient.ReadError(body ?? string.Empty);
        if (body is not null)
        {
            Assert.NotNull(message);
        }

        Assert.Equal(expected, BinanceErrorClassification.Classify(status, code, message));
    }

    [Fact]
    public async Task PrivateStreamRoute_WithAnEventsFilter_Connects()
    {
        var path = Fixture("private-stream-url.txt").Trim().Replace("KEY", "{listenKey}", StringComparison.Ordinal);
        await using var h = await Harness.StartAsync(o => o.PrivateStreamPath = path);
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        Assert.Equal([h.Venue.ListenKey!], h.Venue.UserConnectionKeys);
    }

    [Fact]
    public void PrivateStreamRoute_FilteringEventsWithoutListenKeyExpired_IsRefusedAtStart()
    {
        var options = new BinanceUsdmOptions { PrivateStreamPath = "/private/ws?listenKey={listenKey}&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE" };
        var ex = Assert.Throws<Errors.TradingKitException>(options.Validate);
        Assert.Contains("listenKeyExpired", ex.Message, StringComparison.Ordinal);
    }
}
