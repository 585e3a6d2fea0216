using System.Globalization;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Events;
using TradingKit.Binance.Rest;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance.Tests.Rest;

public sealed class BrokerRestTests
{
    private const string UnknownError = "Unknown error, please check your request or try again later.";

    [Fact]
    public async Task Submit_SendsSignedOrder_WithClientOrderIdAsNewClientOrderId_AndAckResponseType()
    {
        await using var h = await Harness.StartAsync();
        var result = await h.Broker.SubmitAsync(TestOrders.Limit("tk-abc:1/2_3.4-5")).Bounded();

        Assert.True(result.Accepted);
        var post = Assert.Single(h.Venue.Requests, r => r.Method == "POST" && r.Path == "/fapi/v1/order");
        Assert.True(post.SignatureValid);
        Assert.Equal(FakeBinance.ApiKey, post.ApiKey);
        Assert.Equal("tk-abc:1/2_3.4-5", post["newClientOrderId"]);
        Assert.Equal("ACK", post["newOrderRespType"]);
        Assert.Equal("BOTH", post["positionSide"]);
        Assert.EndsWith("&signature=" + post["signature"], post.RawQuery, StringComparison.Ordinal);
        Assert.Contains("&recvWindow=5000&timestamp=", post.RawQuery, StringComparison.Ordinal);
        Assert.Equal(h.Venue.Orders["tk-abc:1/2_3.4-5"].OrderId.ToString(CultureInfo.InvariantCulture), result.VenueOrderId!.Value.Value);
    }

    [Theory]
    [InlineData(OrderSide.Buy, "0.0123456", "50000.07", "0.012", "50000.0")]
    [InlineData(OrderSide.Sell, "0.0129999", "50000.01", "0.012", "50000.1")]
    public async Task Submit_FormatsQuantityToStep_AndPriceToTick_NeverToAWorsePrice(OrderSide side, string qty, string price, string sentQty, string sentPrice)
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.SubmitAsync(TestOrders.Limit("fmt-1", decimal.Parse(qty, CultureInfo.InvariantCulture), decimal.Parse(price, CultureInfo.InvariantCulture), side)).Bounded();
        var post = Assert.Single(h.Venue.Requests, r => r.Path == "/fapi/v1/order" && r.Method == "POST");
        Assert.Equal(sentQty, post["quantity"]);
        Assert.Equal(sentPrice, post["price"]);
    }

    [Fact]
    public async Task Submit_BelowMinimumAfterRounding_IsRefusedWithoutAVenueCall()
    {
        await using var h = await Harness.StartAsync();
        var result = await h.Broker.SubmitAsync(TestOrders.Limit("tiny-1", qty: 0.0004m)).Bounded();
        Assert.False(result.Accepted);
        Assert.Equal(Errors.ErrorCodes.QuantityBelowMinimum, result.RejectCode);
        Assert.Equal(0, h.Venue.Count("POST", "/fapi/v1/order"));
    }

    [Fact]
    public async Task Submit_ConditionalOrder_GoesToTheAlgoEndpoint_WithClientAlgoId()
    {
        await using var h = await Harness.StartAsync();
        var result = await h.Broker.SubmitAsync(new OrderRequest
        {
            ClientOrderId = new ClientOrderId("sl-1"),
            Symbol = "BTCUSDT",
            Side = OrderSide.Sell,
            Type = OrderType.StopMarket,
            Quantity = 0.01m,
            StopPrice = 48000.04m,
            ReduceOnly = true,
        }).Bounded();

        Assert.True(result.Accepted);
        Assert.Equal(0, h.Venue.Count("POST", "/fapi/v1/order"));
        var post = Assert.Single(h.Venue.Requests, r => r.Path == "/fapi/v1/algoOrder");
        Assert.Equal("CONDITIONAL", post["algoType"]);
        Assert.Equal("STOP_MARKET", post["type"]);
        Assert.Equal("48000.0", post["triggerPrice"]);
        Assert.Equal("sl-1", post["clientAlgoId"]);
        Assert.Equal("true", post["reduceOnly"]);

        var state = await h.Broker.QueryOrderAsync("BTCUSDT", new ClientOrderId("sl-1")).Bounded();
        Assert.Equal(OrderStatus.Acknowledged, state!.Status);
        Assert.Equal(OrderType.StopMarket, state.Type);

        var cancel = await h.Broker.CancelAsync("BTCUSDT", new ClientOrderId("sl-1")).Bounded();
        Assert.True(cancel.Accepted);
        Assert.Equal(1, h.Venue.Count("DELETE", "/fapi/v1/algoOrder"));
    }

    [Fact]
    public async Task Submit_InHedgeMode_SendsTheLeg_AndNeverReduceOnly()
    {
        await using var h = await Harness.StartAsync(o => o.PositionMode = BinancePositionMode.Hedge);
        var order = TestOrders.Limit("hedge-1") with { PositionSide = PositionSide.Short, Side = OrderSide.Sell, ReduceOnly = true };
        Assert.True((await h.Broker.SubmitAsync(order).Bounded()).Accepted);
        var post = Assert.Single(h.Venue.Requests, r => r.Path == "/fapi/v1/order");
        Assert.Equal("SHORT", post["positionSide"]);
        Assert.Null(post["reduceOnly"]);

        var refused = await h.Broker.SubmitAsync(TestOrders.Limit("hedge-2")).Bounded();
        Assert.False(refused.Accepted);
        Assert.Single(h.Venue.Requests, r => r.Path == "/fapi/v1/order");
    }

    [Fact]
    public async Task Submit_PermanentReject_IsARefusal_SentOnce()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("POST", "/fapi/v1/order", FakeResponse.Error(400, -2019, "Margin is insufficient."));
        var result = await h.Broker.SubmitAsync(TestOrders.Limit("rej-1")).Bounded();
        Assert.False(result.Accepted);
        Assert.Equal("-2019", result.RejectCode);
        Assert.Equal(1, h.Venue.Count("POST", "/fapi/v1/order"));
    }

    [Fact]
    public async Task Submit_Http503UnknownError_WhenTheVenueHasTheOrder_QueriesAndNeverResends()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("POST", "/fapi/v1/order", (_, proceed) =>
        {
            proceed(); // the venue executed it, but the answer is lost
            return FakeResponse.Error(503, -1000, UnknownError);
        });

        var result = await h.Broker.SubmitAsync(TestOrders.Limit("unk-1")).Bounded();

        Assert.True(result.Accepted);
        Assert.Equal(1, h.Venue.Count("POST", "/fapi/v1/order"));
        Assert.Single(h.Venue.Orders.Values);
        var query = Assert.Single(h.Venue.Requests, r => r.Method == "GET" && r.Path == "/fapi/v1/order");
        Assert.Equal("unk-1", query["origClientOrderId"]);
        Assert.Equal(h.Venue.Orders["unk-1"].OrderId.ToString(CultureInfo.InvariantCulture), result.VenueOrderId!.Value.Value);
    }

    [Fact]
    public async Task Submit_UnknownOutcome_WhenTheVenueProvablyLacksIt_QueriesThenResendsOnce_WithTheSameId()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("POST", "/fapi/v1/order", FakeResponse.Error(503, -1000, UnknownError));

        var result = await h.Broker.SubmitAsync(TestOrders.Limit("unk-2")).Bounded();

        Assert.True(result.Accepted);
        var trail = h.Venue.Requests.Where(r => r.Path == "/fapi/v1/order").Select(r => r.Method).ToList();
        Assert.Equal(["POST", "GET", "POST"], trail);
        Assert.All(h.Venue.Requests.Where(r => r.Method == "POST"), r => Assert.Equal("unk-2", r["newClientOrderId"]));
        Assert.Single(h.Venue.Orders.Values);
    }

    [Fact]
    public async Task Submit_DuplicateOnResend_FetchesTheOriginal_AndPlacesNothingNew()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("POST", "/fapi/v1/order", (_, proceed) =>
        {
            proceed();
            return FakeResponse.Error(408, 0, "timeout");
        });
        // The first query misses it (the venue's read side lags), so the adapter resends and meets -4116.
        h.Venue.Once("GET", "/fapi/v1/order", FakeResponse.Error(400, -2013, "Order does not exist."));

        var result = await h.Broker.SubmitAsync(TestOrders.Limit("dup-1")).Bounded();

        Assert.True(result.Accepted);
        Assert.Single(h.Venue.Orders.Values);
        Assert.Equal(h.Venue.Orders["dup-1"].OrderId.ToString(CultureInfo.InvariantCulture), result.VenueOrderId!.Value.Value);
        Assert.Equal(2, h.Venue.Count("POST", "/fapi/v1/order"));
        Assert.Equal(2, h.Venue.Count("GET", "/fapi/v1/order"));
    }

    [Fact]
    public async Task Submit_UnknownOutcome_WhenTheConfirmingQueryFails_SurfacesUnknownOutcome_WithoutResending()
    {
        await using var h = await Harness.StartAsync(o => o.MaxRetries = 0);
        h.Venue.Once("POST", "/fapi/v1/order", FakeResponse.Error(503, -1000, UnknownError));
        h.Venue.Once("GET", "/fapi/v1/order", FakeResponse.Error(503, 0, "Service Unavailable."));

        var ex = await Assert.ThrowsAsync<BrokerException>(() => h.Broker.SubmitAsync(TestOrders.Limit("unk-3")).Bounded());
        Assert.Equal(BrokerErrorKind.UnknownOutcome, ex.Kind);
        Assert.Equal(1, h.Venue.Count("POST", "/fapi/v1/order"));
    }

    [Fact]
    public async Task ClockDrift_Minus1021_ResyncsWithServerTime_AndReSignsOnce()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.ClockSkewMilliseconds = 10_000; // the venue runs 10 s ahead: our timestamps fall outside recvWindow

        var result = await h.Broker.SubmitAsync(TestOrders.Limit("drift-1")).Bounded();

        Assert.True(result.Accepted);
        var trail = h.Venue.Requests.Where(r => r.Path is "/fapi/v1/order" or "/fapi/v1/time").Select(r => r.Method + " " + r.Path).ToList();
        Assert.Equal(["POST /fapi/v1/order", "GET /fapi/v1/time", "POST /fapi/v1/order"], trail);
        Assert.Equal(10_000, h.Broker.ServerTimeOffsetMilliseconds);
        var resent = h.Venue.Requests.Last(r => r.Path == "/fapi/v1/order");
        Assert.Equal(h.Venue.ServerTimeMs.ToString(CultureInfo.InvariantCulture), resent["timestamp"]);
        Assert.True(resent.SignatureValid);
        Assert.Single(h.Venue.Orders.Values);
    }

    [Fact]
    public async Task TooManyRequests_429_WaitsForRetryAfter_ThenRetriesOnce()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("POST", "/fapi/v1/order", FakeResponse.Error(429, -1003, "Too many requests.", new Dictionary<string, string> { ["Retry-After"] = "7" }));

        var submit = h.Broker.SubmitAsync(TestOrders.Limit("rl-1")).AsTask();
        await h.Time.WaitForTimerAsync(TimeSpan.FromSeconds(7)).Bounded();
        Assert.Equal(1, h.Venue.Count("POST", "/fapi/v1/order"));
        Assert.False(submit.IsCompleted);

        h.Time.Advance(TimeSpan.FromSeconds(7));
        var result = await submit.Bounded();
        Assert.True(result.Accepted);
        Assert.Equal(2, h.Venue.Count("POST", "/fapi/v1/order"));
    }

    [Fact]
    public async Task Banned_418_StopsEveryRequestUntilTheBanEnds_AndRaisesACriticalAlert()
    {
        await using var h = await Harness.StartAsync();
        var alerts = new List<BinanceAlert>();
        h.Broker.AlertRaised += alerts.Add;
        var until = h.Venue.ServerTimeMs + 120_000;
        h.Venue.Once("GET", "/fapi/v3/balance", FakeResponse.Error(418, -1003, $"Way too many requests; IP banned until {until}. Please use the websocket for live updates to avoid bans."));

        var first = await Assert.ThrowsAsync<BrokerException>(() => h.Broker.GetBalancesAsync().Bounded());
        Assert.Equal(BrokerErrorKind.RateLimited, first.Kind);
        var alert = Assert.Single(alerts);
        Assert.Equal(BinanceAlertSeverity.Critical, alert.Severity);
        Assert.Equal(BinanceErrorCodes.IpBanned, alert.Code);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(until), alert.Until);
        Assert.Contains(h.Drain(), e => e is BinanceAlert { Code: BinanceErrorCodes.IpBanned });

        var before = h.Venue.Requests.Count;
        var blocked = await Assert.ThrowsAsync<BrokerException>(() => h.Broker.SubmitAsync(TestOrders.Limit("ban-1")).Bounded());
        Assert.Equal(BrokerErrorKind.RateLimited, blocked.Kind);
        Assert.Equal(BinanceErrorCodes.IpBanned, blocked.VenueCode);
        await Assert.ThrowsAsync<BrokerException>(() => h.Broker.GetPositionsAsync().Bounded());
        Assert.Equal(before, h.Venue.Requests.Count);

        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.True((await h.Broker.SubmitAsync(TestOrders.Limit("ban-2")).Bounded()).Accepted);
    }

    [Fact]
    public async Task Weight_AtWarn_RaisesAWarning_AtSlow_DelaysRequests_AtStop_SendsNothingUntilTheMinuteRolls()
    {
        await using var h = await Harness.StartAsync();
        var alerts = new List<BinanceAlert>();
        h.Broker.AlertRaised += alerts.Add;

        h.Venue.UsedWeight = 1500;
        await h.Broker.GetBalancesAsync().Bounded();
        Assert.Equal(BinanceWeightLevel.Warn, h.Broker.RateLimits.Level);
        Assert.Equal(BinanceErrorCodes.WeightWarning, Assert.Single(alerts).Code);

        h.Venue.UsedWeight = 2000;
        await h.Broker.GetBalancesAsync().Bounded();
        Assert.Equal(BinanceWeightLevel.Slow, h.Broker.RateLimits.Level);
        var count = h.Venue.Requests.Count;
        var armed = h.Time.ArmedCount;
        var slowed = h.Broker.GetBalancesAsync().AsTask();
        await h.Time.WaitForTimerAsync(h.Options.SlowDownDelay, armed).Bounded();
        Assert.Equal(count, h.Venue.Requests.Count);
        h.Venue.UsedWeight = 2300;
        h.Time.Advance(h.Options.SlowDownDelay);
        await slowed.Bounded();
        Assert.Equal(count + 1, h.Venue.Requests.Count);
        Assert.Equal(BinanceWeightLevel.Stop, h.Broker.RateLimits.Level);

        var stopped = await Assert.ThrowsAsync<BrokerException>(() => h.Broker.GetBalancesAsync().Bounded());
        Assert.Equal(BrokerErrorKind.RateLimited, stopped.Kind);
        Assert.Equal(BinanceErrorCodes.WeightLimit, stopped.VenueCode);
        Assert.Equal(count + 1, h.Venue.Requests.Count);

        h.Venue.UsedWeight = 10;
        h.Time.Advance(stopped.RetryAfter!.Value);
        await h.Broker.GetBalancesAsync().Bounded();
        Assert.Equal(count + 2, h.Venue.Requests.Count);
        Assert.Equal(BinanceWeightLevel.Normal, h.Broker.RateLimits.Level);
    }

    [Fact]
    public async Task Thresholds_AreConfigurable()
    {
        await using var h = await Harness.StartAsync(o =>
        {
            o.WeightWarnThreshold = 100;
            o.WeightSlowThreshold = 200;
            o.WeightStopThreshold = 300;
        });
        h.Venue.UsedWeight = 300;
        await h.Broker.GetBalancesAsync().Bounded();
        var ex = await Assert.ThrowsAsync<BrokerException>(() => h.Broker.GetBalancesAsync().Bounded());
        Assert.Equal(BinanceErrorCodes.WeightLimit, ex.VenueCode);
    }

    [Fact]
    public async Task RecentFills_PageOnPastTheThousandTradeLimit_AndAskForTheLastSevenDaysAtMost()
    {
        await using var h = await Harness.StartAsync();
        var order = h.Venue.AddOrder("many-pieces", qty: 2m);
        for (var i = 0; i < 1500; i++)
        {
            h.Venue.Fill(order, 0.001m, 50000m);
        }

        var fills = await h.Broker.GetRecentFillsAsync("BTCUSDT", DateTimeOffset.MinValue).Bounded();

        Assert.Equal(1500, fills.Select(f => f.TradeId).Distinct().Count());
        Assert.All(fills, f => Assert.Equal(new ClientOrderId("many-pieces"), f.ClientOrderId));
        var calls = h.Venue.Requests.Where(r => r.Path == "/fapi/v1/userTrades").ToList();
        Assert.Equal(2, calls.Count);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(calls[0]["startTime"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(h.Time.GetUtcNow() - start, TimeSpan.Zero, TimeSpan.FromDays(7));
        Assert.Null(calls[1]["startTime"]);
        Assert.NotNull(calls[1]["fromId"]);
        Assert.Equal(1, h.Venue.Count("GET", "/fapi/v1/order"));
    }

    [Fact]
    public async Task Queries_ParseNumbersWhetherStringsOrNumbers()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("GET", "/fapi/v3/positionRisk", new FakeResponse(200,
            """[{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"0.010","entryPrice":50000.0,"unRealizedProfit":1.5},{"symbol":"ETHUSDT","positionSide":"BOTH","positionAmt":0,"entryPrice":"0","unRealizedProfit":"0"}]"""));
        var balance = Assert.Single(await h.Broker.GetBalancesAsync().Bounded());
        Assert.Equal(new Balance("USDT", 1000.5m, 800m), balance);
        var position = Assert.Single(await h.Broker.GetPositionsAsync().Bounded());
        Assert.Equal(0.010m, position.Quantity);
        Assert.Equal(1.5m, position.UnrealizedPnl);
    }

    [Fact]
    public async Task Cancel_OfAnAlreadyFilledOrder_QueriesAndReportsItsState()
    {
        await using var h = await Harness.StartAsync();
        var order = h.Venue.AddOrder("fill-then-cancel", qty: 0.01m);
        h.Venue.Fill(order, 0.01m, 50000m);
        var result = await h.Broker.CancelAsync("BTCUSDT", new ClientOrderId("fill-then-cancel")).Bounded();
        Assert.False(result.Accepted);
        Assert.Equal("-2011", result.RejectCode);
        Assert.Contains("Filled", result.RejectReason, StringComparison.Ordinal);
        Assert.Equal(1, h.Venue.Count("DELETE", "/fapi/v1/order"));
    }

    [Fact]
    public async Task Query_UnknownOrder_IsNull_NotAnError()
    {
        await using var h = await Harness.StartAsync();
        Assert.Null(await h.Broker.QueryOrderAsync("BTCUSDT", new ClientOrderId("never-sent")).Bounded());
    }

    [Fact]
    public async Task Modify_SendsQuantityAndPrice_ForTheSameClientId()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.SubmitAsync(TestOrders.Limit("mod-1")).Bounded();
        var result = await h.Broker.ModifyAsync(new ModifyRequest(new ClientOrderId("mod-1"), "BTCUSDT", null, 49999.99m)).Bounded();
        Assert.True(result.Accepted);
        var put = Assert.Single(h.Venue.Requests, r => r.Method == "PUT" && r.Path == "/fapi/v1/order");
        Assert.Equal("mod-1", put["origClientOrderId"]);
        Assert.Equal("0.010", put["quantity"]);
        Assert.Equal("49999.9", put["price"]);
    }

    [Fact]
    public async Task Production_WithoutKeys_RefusesToTrade_WithoutAnyRequest()
    {
        var options = new BinanceUsdmOptions { Environment = BinanceEnvironment.Production };
        await using var broker = new BinanceUsdmBroker(options);
        var ex = await Assert.ThrowsAsync<Errors.TradingKitException>(() => broker.SubmitAsync(TestOrders.Limit("nokey")).AsTask());
        Assert.Equal(BinanceErrorCodes.CredentialsMissing, ex.Code);
    }
}
