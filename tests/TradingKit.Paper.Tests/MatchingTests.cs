using TradingKit.Brokers;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

public sealed class MatchingTests
{
    [Fact]
    public async Task Market_FillsAtNextBarOpenPlusSlippage_NotAtSubmission()
    {
        var h = new VenueHarness(o => o.SlippageBps = 10m);
        h.Bar(100m, 101m, 99m, 100m);
        var buy = h.Market(OrderSide.Buy, 5m);

        await h.SubmitAsync(buy);
        Assert.Empty(h.Reports().Fills());

        h.Bar(200m, 210m, 190m, 205m);
        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal(200.2m, fill.Price); // 200 × (1 + 10 bps)
        Assert.Equal(5m, fill.Quantity);
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(buy.ClientOrderId)).Status);
    }

    [Theory]
    [InlineData(OrderSide.Buy, 100.05, 100.05)] // slipped 100.10 clamped to the high
    [InlineData(OrderSide.Sell, 99.95, 99.95)] // slipped 99.90 clamped to the low
    public async Task Market_SlippedPrice_IsClampedToTheBarsRange(OrderSide side, decimal bound, decimal expected)
    {
        var h = new VenueHarness(o => o.SlippageBps = 10m);
        await h.SubmitAsync(h.Market(side, 1m));

        h.Bar(100m, side == OrderSide.Buy ? bound : 100m, side == OrderSide.Sell ? bound : 100m, 100m);

        Assert.Equal(expected, Assert.Single(h.Reports().Fills()).Price);
    }

    [Fact]
    public async Task Limit_TouchedButNotTradedThrough_DoesNotFill_ThenFillsAtLimitWhenTradedThrough()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var buy = h.Limit(OrderSide.Buy, 2m, 95m);
        await h.SubmitAsync(buy);

        h.Bar(99m, 100m, 95m, 96m); // low touches 95
        Assert.Empty(h.Reports().Fills());

        h.Bar(96m, 97m, 94m, 96m);
        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal(95m, fill.Price);
        Assert.Equal(LiquiditySide.Maker, fill.Liquidity);
    }

    [Fact]
    public async Task Limit_WithFillOnTouch_FillsWhenTheLowTouchesIt()
    {
        var h = new VenueHarness(o => o.LimitFillsOnTouch = true);
        h.Bar(100m, 101m, 99m, 100m);
        await h.SubmitAsync(h.Limit(OrderSide.Sell, 2m, 105m));

        h.Bar(100m, 105m, 99m, 104m);

        Assert.Equal(105m, Assert.Single(h.Reports().Fills()).Price);
    }

    [Theory]
    [InlineData(OrderSide.Buy, 100, 97)] // opened below the buy limit
    [InlineData(OrderSide.Sell, 100, 103)] // opened above the sell limit
    public async Task Limit_WhenTheBarGapsThrough_FillsAtTheOpen(OrderSide side, decimal limit, decimal open)
    {
        var h = new VenueHarness();
        h.Bar(100m, 100m, 100m, 100m);
        await h.SubmitAsync(h.Limit(side, 1m, limit));

        h.Bar(open, open + 1m, open - 1m, open);

        Assert.Equal(open, Assert.Single(h.Reports().Fills()).Price);
    }

    [Fact]
    public async Task StopMarket_TriggersWhenTheStopTrades_ThenFillsAtTheStop()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var stop = h.Conditional(OrderType.StopMarket, OrderSide.Sell, 3m, 95m);
        await h.SubmitAsync(stop);

        h.Bar(99m, 100m, 96m, 97m);
        Assert.DoesNotContain(ExecutionKind.Triggered, h.Reports().Kinds(stop.ClientOrderId));

        h.Bar(97m, 98m, 93m, 94m);
        var reports = h.Reports();
        Assert.Equal([ExecutionKind.Triggered, ExecutionKind.Trade], reports.Kinds(stop.ClientOrderId));
        Assert.Equal(95m, reports.Fills().Single().Price);
        Assert.Equal(LiquiditySide.Taker, reports.Fills().Single().Liquidity);
    }

    [Fact]
    public async Task StopMarket_WhenTheBarGapsThroughTheStop_FillsAtTheOpen()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        await h.SubmitAsync(h.Conditional(OrderType.StopMarket, OrderSide.Sell, 1m, 95m));

        h.Bar(90m, 92m, 88m, 91m);

        Assert.Equal(90m, Assert.Single(h.Reports().Fills()).Price);
    }

    [Fact]
    public async Task StopLimit_MarketableAtTrigger_FillsAtTheTrigger()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Conditional(OrderType.StopLimit, OrderSide.Buy, 1m, 105m, limit: 106m);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(101m, 108m, 100m, 107m);

        var reports = h.Reports();
        Assert.Equal([ExecutionKind.Triggered, ExecutionKind.Trade], reports.Kinds(order.ClientOrderId));
        Assert.Equal(105m, reports.Fills().Single().Price);
    }

    [Fact]
    public async Task StopLimit_WithLimitBeyondTheTrigger_RestsAfterTheTrigger_AndFillsAtTheLimitLater()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Conditional(OrderType.StopLimit, OrderSide.Buy, 1m, 105m, limit: 104m);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(101m, 108m, 100m, 107m);
        Assert.Equal([ExecutionKind.Triggered], h.Reports().Kinds(order.ClientOrderId));
        Assert.Equal(OrderStatus.Triggered, (await h.QueryAsync(order.ClientOrderId)).Status);

        h.Bar(107m, 108m, 103m, 104m);
        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal(104m, fill.Price);
        Assert.Equal(LiquiditySide.Maker, fill.Liquidity);
    }

    [Fact]
    public async Task TakeProfitMarket_TriggersOnTheFavourableMove()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Conditional(OrderType.TakeProfitMarket, OrderSide.Sell, 1m, 110m);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 105m, 90m, 95m); // falls: a sell take-profit must not trigger
        Assert.Empty(h.Reports().Kinds(order.ClientOrderId));

        h.Bar(104m, 111m, 103m, 110m);
        var reports = h.Reports();
        Assert.Equal([ExecutionKind.Triggered, ExecutionKind.Trade], reports.Kinds(order.ClientOrderId));
        Assert.Equal(110m, reports.Fills().Single().Price);
    }

    [Fact]
    public async Task TakeProfitLimit_BuyBelowTheMarket_TriggersAndFillsAtTheTrigger()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Conditional(OrderType.TakeProfitLimit, OrderSide.Buy, 1m, 95m, limit: 95.5m);
        await h.SubmitAsync(order);

        h.Bar(99m, 99m, 94m, 96m);

        Assert.Equal(95m, Assert.Single(h.Reports().Fills()).Price);
    }

    [Fact]
    public async Task TrailingStop_FollowsTheHighByItsOffset_AndTriggersWhenThePriceFallsBack()
    {
        var h = new VenueHarness();
        h.Bar(100m, 100m, 100m, 100m);
        var order = new OrderRequest
        {
            ClientOrderId = h.NextId(), Symbol = VenueHarness.Spx, Side = OrderSide.Sell, Type = OrderType.TrailingStop,
            Quantity = 1m, TrailingOffset = 5m,
        };
        await h.SubmitAsync(order);
        Assert.Equal(95m, (await h.QueryAsync(order.ClientOrderId)).StopPrice);

        h.Bar(101m, 110m, 101m, 108m);
        Assert.Equal(105m, (await h.QueryAsync(order.ClientOrderId)).StopPrice);
        Assert.Empty(h.Reports().Fills());

        h.Bar(108m, 109m, 104m, 104m);
        var reports = h.Reports();
        Assert.Equal([ExecutionKind.Triggered, ExecutionKind.Trade], reports.Kinds(order.ClientOrderId));
        Assert.Equal(105m, reports.Fills().Single().Price);
    }

    [Fact]
    public async Task TrailingStop_WithActivationPrice_StartsTrackingOnlyOnceItTrades()
    {
        var h = new VenueHarness();
        h.Bar(100m, 100m, 100m, 100m);
        var order = new OrderRequest
        {
            ClientOrderId = h.NextId(), Symbol = VenueHarness.Spx, Side = OrderSide.Sell, Type = OrderType.TrailingStop,
            Quantity = 1m, TrailingOffset = 2m, StopPrice = 110m,
        };
        await h.SubmitAsync(order);

        h.Bar(100m, 105m, 90m, 95m); // would have triggered a 2-point trail from 100, but not activated yet
        Assert.Empty(h.Reports().Fills());

        h.Bar(96m, 112m, 96m, 111m);
        Assert.Equal(110m, (await h.QueryAsync(order.ClientOrderId)).StopPrice);

        h.Bar(111m, 111m, 107m, 108m);
        Assert.Equal(110m, Assert.Single(h.Reports().Fills()).Price);
    }

    [Fact]
    public async Task PartialFills_AreCappedByParticipation_AndTheRestKeepsWorkingOverLaterBars()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        var order = h.Market(OrderSide.Buy, 25m);
        await h.SubmitAsync(order);

        h.Bar(100m, 101m, 99m, 100m, volume: 100m);
        Assert.Equal(10m, Assert.Single(h.Reports().Fills()).Quantity);
        var state = await h.QueryAsync(order.ClientOrderId);
        Assert.Equal(OrderStatus.PartiallyFilled, state.Status);
        Assert.Single(await h.Venue.GetOpenOrdersAsync());

        h.Bar(102m, 103m, 101m, 102m, volume: 100m);
        h.Bar(104m, 105m, 103m, 104m, volume: 100m);

        var fills = h.Reports().Fills();
        Assert.Equal([10m, 5m], fills.Select(f => f.Quantity));
        Assert.Equal([102m, 104m], fills.Select(f => f.Price));
        state = await h.QueryAsync(order.ClientOrderId);
        Assert.Equal(OrderStatus.Filled, state.Status);
        Assert.Equal(25m, state.FilledQuantity);
        Assert.Equal(((10m * 100m) + (10m * 102m) + (5m * 104m)) / 25m, state.AveragePrice);
        Assert.Empty(await h.Venue.GetOpenOrdersAsync());
    }

    [Fact]
    public async Task Participation_IsSharedByOrdersOnTheSameSide_InArrivalOrder()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        var first = h.Market(OrderSide.Buy, 8m);
        var second = h.Market(OrderSide.Buy, 8m);
        await h.SubmitAsync(first);
        await h.SubmitAsync(second);

        h.Bar(100m, 101m, 99m, 100m, volume: 100m);

        var fills = h.Reports().Fills();
        Assert.Equal(8m, fills.Single(f => f.ClientOrderId == first.ClientOrderId).Quantity);
        Assert.Equal(2m, fills.Single(f => f.ClientOrderId == second.ClientOrderId).Quantity);
    }

    [Fact]
    public async Task Quote_MarketBuyFillsAtTheAsk_SellAtTheBid_WithinTheTouchDespiteSlippage()
    {
        var h = new VenueHarness(o => o.SlippageBps = 50m);
        await h.SubmitAsync(h.Market(OrderSide.Buy, 1m));
        await h.SubmitAsync(h.Market(OrderSide.Sell, 1m));

        h.Publish(new QuoteTick(VenueHarness.Spx, VenueHarness.Start.AddSeconds(1), 99.5m, 10m, 100.5m, 10m));

        var fills = h.Reports().Fills();
        Assert.Equal(100.5m, fills.Single(f => f.Side == OrderSide.Buy).Price);
        Assert.Equal(99.5m, fills.Single(f => f.Side == OrderSide.Sell).Price);
    }

    [Fact]
    public async Task Quote_RestingBuyLimitFillsWhenTheAskReachesIt_CappedByTheAskSize()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.5m);
        h.Publish(new QuoteTick(VenueHarness.Spx, VenueHarness.Start.AddSeconds(1), 100m, 10m, 101m, 10m));
        await h.SubmitAsync(h.Limit(OrderSide.Buy, 5m, 100m));

        h.Publish(new QuoteTick(VenueHarness.Spx, VenueHarness.Start.AddSeconds(2), 99m, 10m, 100.5m, 10m));
        Assert.Empty(h.Reports().Fills());

        h.Publish(new QuoteTick(VenueHarness.Spx, VenueHarness.Start.AddSeconds(3), 99m, 10m, 100m, 4m));
        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal(100m, fill.Price);
        Assert.Equal(2m, fill.Quantity);
    }

    [Fact]
    public async Task Trade_FillsAMarketOrderAtTheTradePrice_UpToTheTradeSize()
    {
        var h = new VenueHarness(o => o.SlippageBps = 10m);
        await h.SubmitAsync(h.Market(OrderSide.Sell, 3m));

        h.Publish(new TradeTick(VenueHarness.Spx, VenueHarness.Start.AddSeconds(1), 50m, 2m, AggressorIsBuyer: true));

        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal(50m, fill.Price);
        Assert.Equal(2m, fill.Quantity);
    }

    [Fact]
    public async Task MarketData_ForAnotherSymbol_DoesNotTouchTheOrder()
    {
        var h = new VenueHarness();
        await h.SubmitAsync(h.Market(OrderSide.Buy, 1m));

        h.Bar(100m, 101m, 99m, 100m, symbol: new("NDX"));

        Assert.Empty(h.Reports().Fills());
        Assert.Single(await h.Venue.GetOpenOrdersAsync());
    }
}
