using TradingKit.Binance.Events;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance.Tests.Streams;

public sealed class UserStreamTests
{
    [Fact]
    public async Task Connect_CreatesAListenKey_AndOpensThePrivateStreamWithIt()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        Assert.Equal(1, h.Venue.Count("POST", "/fapi/v1/listenKey"));
        Assert.Equal([h.Venue.ListenKey!], h.Venue.UserConnectionKeys);
        Assert.Equal(ConnectionState.Connected, h.Broker.ConnectionState);
        var listenKeyCall = Assert.Single(h.Venue.Requests, r => r.Path == "/fapi/v1/listenKey");
        Assert.Equal(FakeBinance.ApiKey, listenKeyCall.ApiKey);
        Assert.Null(listenKeyCall.SignatureValid);
    }

    [Fact]
    public async Task ListenKey_IsKeptAliveWellInsideTheHour_AndRecreatedOnMinus1125()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Time.WaitForTimerAsync(h.Options.ListenKeyKeepAliveInterval).Bounded();
        Assert.True(h.Options.ListenKeyKeepAliveInterval < TimeSpan.FromMinutes(60));

        var armed = h.Time.ArmedCount;
        h.Time.Advance(h.Options.ListenKeyKeepAliveInterval);
        await h.Venue.WaitForRequestAsync(r => r.Method == "PUT" && r.Path == "/fapi/v1/listenKey").Bounded();
        var firstKey = h.Venue.ListenKey;

        // The venue forgets the key: the next keepalive gets -1125, a new key is created and the stream reconnects with it.
        await h.Time.WaitForTimerAsync(h.Options.ListenKeyKeepAliveInterval, armed).Bounded();
        h.Venue.ListenKeyValid = false;
        h.Time.Advance(h.Options.ListenKeyKeepAliveInterval);
        await h.Venue.WaitForUserConnectionsAsync(2).Bounded();

        Assert.Equal(2, h.Venue.Count("POST", "/fapi/v1/listenKey"));
        Assert.NotEqual(firstKey, h.Venue.ListenKey);
        Assert.Equal([firstKey!, h.Venue.ListenKey!], h.Venue.UserConnectionKeys);
    }

    [Fact]
    public async Task ListenKeyExpiredEvent_CreatesANewKey_AndReconnects()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        var firstKey = h.Venue.ListenKey;
        h.Venue.ListenKeyValid = false;
        await h.Venue.SendUserEventAsync($$"""{"e":"listenKeyExpired","E":{{h.Venue.ServerTimeMs}},"listenKey":"{{firstKey}}"}""");

        await h.Venue.WaitForUserConnectionsAsync(2).Bounded();
        Assert.NotEqual(firstKey, h.Venue.UserConnectionKeys[1]);
        Assert.Equal(2, h.Venue.Count("POST", "/fapi/v1/listenKey"));
    }

    [Fact]
    public async Task Connection_IsRenewedBeforeTheVenues24HourCut()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        await h.Time.WaitForTimerAsync(h.Options.StreamMaxLifetime).Bounded();
        Assert.True(h.Options.StreamMaxLifetime < TimeSpan.FromHours(24));

        h.Time.Advance(h.Options.StreamMaxLifetime);
        await h.Venue.WaitForUserConnectionsAsync(2).Bounded();
        await h.NextAsync<ConnectionStateChanged>(c => c.State == ConnectionState.Reconnecting).Bounded();
        await h.NextAsync<ConnectionStateChanged>(c => c.State == ConnectionState.Connected).Bounded();
    }

    [Fact]
    public async Task AckThenPartialFills_OverTheStream_BecomeExecutionReports_EachFillOnce()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        await h.Broker.SubmitAsync(TestOrders.Limit("fill-1", qty: 0.010m)).Bounded();
        var order = h.Venue.Orders["fill-1"];

        await h.Venue.SendUserEventAsync(h.Venue.NewUpdate(order));
        var t1 = h.Venue.Fill(order, 0.004m, 50000m);
        await h.Venue.SendUserEventAsync(h.Venue.TradeUpdate(order, t1, numbersAsStrings: true));
        await h.Venue.SendUserEventAsync(h.Venue.TradeUpdate(order, t1, numbersAsStrings: true)); // replayed by the venue
        var t2 = h.Venue.Fill(order, 0.006m, 50001m);
        await h.Venue.SendUserEventAsync(h.Venue.TradeUpdate(order, t2, numbersAsStrings: false));

        var ack = await h.NextAsync<ExecutionReport>();
        Assert.Equal(ExecutionKind.Accepted, ack.Kind);
        Assert.Equal(OrderStatus.Acknowledged, ack.Status);
        Assert.Equal(new ClientOrderId("fill-1"), ack.ClientOrderId);

        var first = await h.NextAsync<ExecutionReport>();
        Assert.Equal(ExecutionKind.Trade, first.Kind);
        Assert.Equal(OrderStatus.PartiallyFilled, first.Status);
        Assert.Equal(0.004m, first.Fill!.Quantity);
        Assert.Equal(0.004m, first.CumulativeQuantity);
        Assert.Equal($"BTCUSDT:{t1.Id}", first.Fill.TradeId.Value);
        Assert.Equal(0.01m, first.Fill.Fee);

        var second = await h.NextAsync<ExecutionReport>();
        Assert.Equal(OrderStatus.Filled, second.Status);
        Assert.Equal(0.006m, second.Fill!.Quantity);
        Assert.Equal(50001m, second.Fill.Price);
        Assert.Equal(0.010m, second.CumulativeQuantity);
        Assert.DoesNotContain(h.Drain(), e => e is ExecutionReport);
    }

    [Theory]
    [InlineData("autoclose-1734562811", "CALCULATED")]
    [InlineData("adl_autoclose", "TRADE")]
    [InlineData("settlement_autoclose-9", "TRADE")]
    public async Task VenueMadeOrders_AreReportedAsExternal(string clientId, string execution)
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        await h.Venue.SendUserEventAsync($$"""
            {"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"BTCUSDT","c":"{{clientId}}","S":"SELL","o":"LIMIT","f":"IOC","q":"0.5","p":"40000","ap":"40000","x":"{{execution}}","X":"FILLED","i":777,"l":"0.5","z":"0.5","L":"40000","N":"USDT","n":"2","T":1,"t":99,"m":false,"ps":"BOTH"} }
            """);
        var report = await h.NextAsync<ExecutionReport>();
        Assert.True(report.IsExternal);
        Assert.Equal(ExecutionKind.Trade, report.Kind);
        Assert.Equal(0.5m, report.Fill!.Quantity);
    }

    [Fact]
    public async Task DisconnectInTheMiddleOfAFill_GapFillReportsTheMissedFill_AndNothingTwice()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        await h.Broker.SubmitAsync(TestOrders.Limit("gap-1", qty: 0.010m)).Bounded();
        await h.Broker.SubmitAsync(TestOrders.Limit("gap-2", qty: 0.010m)).Bounded();
        var order = h.Venue.Orders["gap-1"];

        var seen = h.Venue.Fill(order, 0.004m, 50000m);
        await h.Venue.SendUserEventAsync(h.Venue.TradeUpdate(order, seen));
        Assert.Equal(seen.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), (await h.NextAsync<ExecutionReport>(r => r.Kind == ExecutionKind.Trade)).Fill!.TradeId.Value.Split(':')[1]);

        // The link drops; meanwhile the rest fills, and the other order fills in part and is cancelled, unseen by the stream.
        var missed = h.Venue.Fill(order, 0.006m, 50002m);
        var partial = h.Venue.Fill(h.Venue.Orders["gap-2"], 0.003m, 50001m);
        h.Venue.Orders["gap-2"].Status = "CANCELED";
        h.Venue.DropUserConnections();

        await h.Venue.WaitForUserConnectionsAsync(2).Bounded();

        // One poll reports the missed fills first (by trade id), then the orders that ended: a fill is never reported
        // after the end of its own order, and the order of the reports is the same on every run.
        var gapFill = await h.NextAsync<ExecutionReport>();
        var partialFill = await h.NextAsync<ExecutionReport>();
        var cancelled = await h.NextAsync<ExecutionReport>();
        Assert.Equal(ExecutionKind.Trade, gapFill.Kind);
        Assert.Equal($"BTCUSDT:{missed.Id}", gapFill.Fill!.TradeId.Value);
        Assert.Equal(OrderStatus.Filled, gapFill.Status);
        Assert.Equal(0.010m, gapFill.CumulativeQuantity);
        Assert.Equal(new ClientOrderId("gap-1"), gapFill.ClientOrderId);
        Assert.Equal((ExecutionKind.Trade, new ClientOrderId("gap-2")), (partialFill.Kind, partialFill.ClientOrderId));
        Assert.Equal($"BTCUSDT:{partial.Id}", partialFill.Fill!.TradeId.Value);
        Assert.Equal(OrderStatus.PartiallyFilled, partialFill.Status);
        Assert.Equal((ExecutionKind.Cancelled, new ClientOrderId("gap-2")), (cancelled.Kind, cancelled.ClientOrderId));
        Assert.Equal(0.003m, cancelled.CumulativeQuantity);

        // The venue replays the missed fill on the new connection: merged by trade id, not reported again.
        await h.Venue.SendUserEventAsync(h.Venue.TradeUpdate(order, missed));
        await h.Venue.SendUserEventAsync(h.Venue.NewUpdate(h.Venue.AddOrder("marker")));
        await h.NextAsync<ExecutionReport>(r => r.ClientOrderId == new ClientOrderId("marker"));
        Assert.DoesNotContain(h.Drain(), e => e is ExecutionReport { Kind: ExecutionKind.Trade });
        Assert.True(h.Venue.Count("GET", "/fapi/v1/userTrades") >= 1);
    }

    [Fact]
    public async Task AccountUpdate_MarginCall_TradeLite_AndAlgoUpdate_AreMapped()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        await h.Venue.WaitForUserConnectionsAsync(1).Bounded();
        await h.Venue.SendUserEventAsync("""
            {"e":"ACCOUNT_UPDATE","E":1564745798939,"T":1564745798938,"a":{"m":"ORDER","B":[{"a":"USDT","wb":"122624.12345678","cw":100.12345678,"bc":"50.12345678"}],"P":[{"s":"BTCUSDT","pa":"-0.5","ep":"30000.0","bep":"30010.5","cr":"200","up":-1.5,"mt":"isolated","iw":"0.0","ps":"BOTH"}]}}
            """);
        var balance = await h.NextAsync<BinanceBalanceChanged>();
        Assert.Equal("ORDER", balance.Reason);
        Assert.Equal(new BinanceBalanceChange("USDT", 122624.12345678m, 100.12345678m, 50.12345678m), Assert.Single(balance.Balances));
        var position = Assert.Single((await h.NextAsync<BinancePositionChanged>()).Positions);
        Assert.Equal(-0.5m, position.Quantity);
        Assert.Equal(-1.5m, position.UnrealizedPnl);

        await h.Venue.SendUserEventAsync("""
            {"e":"MARGIN_CALL","E":1587727187525,"cw":"3.16812045","p":[{"s":"ETHUSDT","ps":"LONG","pa":"1.327","mt":"CROSSED","iw":"0","mp":"187.17127","up":"-1.166074","mm":"1.614445"}]}
            """);
        var call = await h.NextAsync<BinanceMarginCall>();
        Assert.Equal(3.16812045m, call.CrossWalletBalance);
        Assert.Equal(PositionSide.Long, Assert.Single(call.Positions).PositionSide);

        await h.Venue.SendUserEventAsync("""
            {"e":"TRADE_LITE","E":1721895408092,"T":1721895408214,"s":"BTCUSDT","q":"0.001","p":"0","m":false,"c":"z8hcUoOsqEdKMeKPSABslD","S":"BUY","L":"64089.20","l":"0.040","t":109100866,"i":8886774}
            """);
        var lite = await h.NextAsync<BinanceTradeLite>();
        Assert.Equal(0.040m, lite.Quantity);
        Assert.Equal(64089.20m, lite.Price);

        await h.Venue.SendUserEventAsync("""
            {"e":"ALGO_UPDATE","T":1750515742297,"E":1750515742303,"o":{"caid":"tp-1","aid":2148719,"at":"CONDITIONAL","o":"TAKE_PROFIT","s":"BNBUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.01","X":"TRIGGERED","ai":"55501","ap":"0.00000","aq":"0.00000","act":"0"}}
            """);
        var algo = await h.NextAsync<ExecutionReport>();
        Assert.Equal(ExecutionKind.Triggered, algo.Kind);
        Assert.Equal(new ClientOrderId("tp-1"), algo.ClientOrderId);

        // The triggered order trades under its own id; the fill is reported under the algo order's client id.
        await h.Venue.SendUserEventAsync("""
            {"e":"ORDER_TRADE_UPDATE","E":1750515742400,"T":1,"o":{"s":"BNBUSDT","c":"venue-made-x","S":"SELL","o":"LIMIT","q":"0.01","p":"600","x":"TRADE","X":"FILLED","i":55501,"l":"0.01","z":"0.01","L":"600","n":"0","N":"USDT","T":1,"t":42,"m":true,"ps":"BOTH"}}
            """);
        var fill = await h.NextAsync<ExecutionReport>();
        Assert.Equal(new ClientOrderId("tp-1"), fill.ClientOrderId);
        Assert.Equal(LiquiditySide.Maker, fill.Fill!.Liquidity);
        Assert.False(fill.IsExternal);
    }
}
