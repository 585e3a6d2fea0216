using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

public sealed class FeesLatencyAccountTests
{
    [Fact]
    public async Task Fees_RestingFillPaysMaker_MarketFillPaysTaker_InBpsOfNotional()
    {
        var h = new VenueHarness(o => { o.MakerFeeBps = 2m; o.TakerFeeBps = 5m; });
        h.Bar(100m, 101m, 99m, 100m);
        var resting = h.Limit(OrderSide.Buy, 10m, 98m);
        var market = h.Market(OrderSide.Buy, 10m);
        await h.SubmitAsync(resting);
        await h.SubmitAsync(market);

        h.Bar(100m, 101m, 97m, 98m);

        var fills = h.Reports().Fills();
        var maker = fills.Single(f => f.ClientOrderId == resting.ClientOrderId);
        var taker = fills.Single(f => f.ClientOrderId == market.ClientOrderId);
        Assert.Equal(LiquiditySide.Maker, maker.Liquidity);
        Assert.Equal(98m * 10m * 2m / 10_000m, maker.Fee);
        Assert.Equal(LiquiditySide.Taker, taker.Liquidity);
        Assert.Equal(100m * 10m * 5m / 10_000m, taker.Fee);
        Assert.Equal("USD", taker.FeeCurrency);
    }

    [Fact]
    public async Task Fees_LimitMarketableAtEntry_PaysTakerOnItsFirstFill_ThenMakerWhileResting()
    {
        var h = new VenueHarness(o => { o.MakerFeeBps = 2m; o.TakerFeeBps = 5m; o.ParticipationRate = 0.5m; });
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Limit(OrderSide.Buy, 10m, 102m); // above the last price: crosses on arrival

        await h.SubmitAsync(order);
        h.Bar(101m, 103m, 100m, 102m, volume: 10m);
        h.Bar(101m, 103m, 100m, 102m, volume: 10m);

        var fills = h.Reports().Fills();
        Assert.Equal([LiquiditySide.Taker, LiquiditySide.Maker], fills.Select(f => f.Liquidity));
    }

    [Fact]
    public async Task Fees_AreDeductedFromCash()
    {
        var h = new VenueHarness(o => { o.TakerFeeBps = 10m; o.InitialCash = 10_000m; });
        await h.SubmitAsync(h.Market(OrderSide.Buy, 10m));

        h.Bar(100m, 101m, 99m, 100m);

        Assert.Equal(10_000m - 1_000m - 1m, await h.CashAsync());
    }

    [Fact]
    public async Task AckLatency_DelaysTheAckUntilTheClockPassesIt_ButTheOrderIsAlreadyAtTheVenue()
    {
        var h = new VenueHarness(o => o.AckLatency = TimeSpan.FromMilliseconds(250));
        var order = h.Limit(OrderSide.Buy, 1m, 90m);

        await h.SubmitAsync(order);
        Assert.Empty(h.Drain());
        Assert.Equal(OrderStatus.Acknowledged, (await h.QueryAsync(order.ClientOrderId)).Status);

        h.Clock.Advance(TimeSpan.FromMilliseconds(249));
        h.Venue.Flush();
        Assert.Empty(h.Drain());

        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        h.Venue.Flush();
        var ack = Assert.Single(h.Reports());
        Assert.Equal(ExecutionKind.Accepted, ack.Kind);
        Assert.Equal(VenueHarness.Start, ack.Timestamp);
    }

    [Fact]
    public async Task FillLatency_DelaysTheFillReport_WhileQueriesAlreadyShowTheFill()
    {
        var h = new VenueHarness(o => o.FillLatency = TimeSpan.FromSeconds(2));
        var order = h.Market(OrderSide.Buy, 1m);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m);
        Assert.Empty(h.Reports());
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(order.ClientOrderId)).Status);
        Assert.Single(await h.Venue.GetRecentFillsAsync(null, DateTimeOffset.MinValue));

        h.Clock.Advance(TimeSpan.FromSeconds(2));
        h.Venue.Flush();
        Assert.Equal([ExecutionKind.Trade], h.Reports().Kinds(order.ClientOrderId));
    }

    [Fact]
    public async Task Latency_ReportsAreReleasedInDueOrder_SoAFastFillCanOvertakeASlowAck()
    {
        var h = new VenueHarness(o => { o.AckLatency = TimeSpan.FromDays(2); o.FillLatency = TimeSpan.Zero; });
        var order = h.Market(OrderSide.Buy, 1m);
        await h.SubmitAsync(order);

        h.Bar(100m, 101m, 99m, 100m);
        h.Bar(100m, 101m, 99m, 100m);

        Assert.Equal([ExecutionKind.Trade, ExecutionKind.Accepted], h.Reports().Kinds(order.ClientOrderId));
    }

    [Fact]
    public async Task Positions_NetSignedQuantities_WithAveragePriceAndUnrealisedPnl()
    {
        var h = new VenueHarness(o => o.InitialCash = 50_000m);
        await h.SubmitAsync(h.Market(OrderSide.Buy, 10m));
        h.Bar(100m, 101m, 99m, 100m);
        await h.SubmitAsync(h.Market(OrderSide.Buy, 10m));
        h.Bar(110m, 111m, 109m, 110m);
        await h.SubmitAsync(h.Market(OrderSide.Sell, 5m));
        h.Bar(120m, 121m, 119m, 120m);

        var position = Assert.Single(await h.Venue.GetPositionsAsync());
        Assert.Equal(15m, position.Quantity);
        Assert.Equal(105m, position.AveragePrice);
        Assert.Equal((120m - 105m) * 15m, position.UnrealizedPnl);
        Assert.Equal(50_000m - 1_000m - 1_100m + 600m, await h.CashAsync());
    }

    [Fact]
    public async Task Positions_FlipThroughFlat_OpensTheRemainderAtTheFillPrice()
    {
        var h = new VenueHarness();
        await h.SubmitAsync(h.Market(OrderSide.Sell, 5m));
        h.Bar(100m, 101m, 99m, 100m);
        await h.SubmitAsync(h.Market(OrderSide.Buy, 8m));
        h.Bar(90m, 91m, 89m, 90m);

        var position = Assert.Single(await h.Venue.GetPositionsAsync());
        Assert.Equal(3m, position.Quantity);
        Assert.Equal(90m, position.AveragePrice);
    }

    [Fact]
    public async Task Positions_WhenFlat_AreNotListed()
    {
        var h = new VenueHarness();
        await h.SubmitAsync(h.Market(OrderSide.Buy, 5m));
        h.Bar(100m, 101m, 99m, 100m);
        await h.SubmitAsync(h.Market(OrderSide.Sell, 5m));
        h.Bar(100m, 101m, 99m, 100m);

        Assert.Empty(await h.Venue.GetPositionsAsync());
    }

    [Fact]
    public async Task Balances_StartAtTheConfiguredCashAndCurrency()
    {
        var h = new VenueHarness(o => { o.InitialCash = 1234.5m; o.Currency = "USDT"; });

        var balance = Assert.Single(await h.Venue.GetBalancesAsync());

        Assert.Equal(new Balance("USDT", 1234.5m, 1234.5m), balance);
    }

    [Fact]
    public async Task ReduceOnly_WhenFlat_IsRejected()
    {
        var h = new VenueHarness();

        var result = await h.SubmitAsync(h.Market(OrderSide.Sell, 1m, reduceOnly: true));

        Assert.Equal(PaperRejectCodes.ReduceOnlyRejected, result.RejectCode);
        Assert.Equal(ExecutionKind.Rejected, Assert.Single(h.Reports()).Kind);
    }

    [Fact]
    public async Task ReduceOnly_InTheDirectionOfThePosition_IsRejected()
    {
        var h = new VenueHarness();
        await h.SubmitAsync(h.Market(OrderSide.Buy, 5m));
        h.Bar(100m, 101m, 99m, 100m);

        var result = await h.SubmitAsync(h.Market(OrderSide.Buy, 1m, reduceOnly: true));

        Assert.Equal(PaperRejectCodes.ReduceOnlyRejected, result.RejectCode);
    }

    [Fact]
    public async Task ReduceOnly_LargerThanThePosition_FillsOnlyToFlat_AndExpiresTheRest()
    {
        var h = new VenueHarness();
        await h.SubmitAsync(h.Market(OrderSide.Buy, 5m));
        h.Bar(100m, 101m, 99m, 100m);
        var reduce = h.Market(OrderSide.Sell, 8m, reduceOnly: true);
        await h.SubmitAsync(reduce);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m);

        var reports = h.Reports();
        Assert.Equal([ExecutionKind.Trade, ExecutionKind.Expired], reports.Kinds(reduce.ClientOrderId));
        Assert.Equal(5m, reports.Fills().Single().Quantity);
        Assert.Equal(0m, await h.PositionAsync());
    }

    [Fact]
    public async Task Submit_MalformedRequest_IsRefusedWithItsCode_NotThrown()
    {
        var h = new VenueHarness();
        var bad = h.Limit(OrderSide.Buy, 1m, 100m) with { LimitPrice = null };

        var result = await h.SubmitAsync(bad);

        Assert.False(result.Accepted);
        Assert.Equal(Errors.ErrorCodes.InvalidOrderRequest, result.RejectCode);
    }

    [Fact]
    public async Task Submit_WithInstruments_RefusesUnknownSymbolsAndRuleViolations_AndRoundsPartialsToTheStep()
    {
        var h = new VenueHarness(o =>
        {
            o.Instruments = [new Instrument(VenueHarness.Spx, tickSize: 0.25m, stepSize: 1m, minQuantity: 1m, maxQuantity: 1_000m)];
            o.ParticipationRate = 0.1m;
        });

        var unknown = await h.SubmitAsync(h.Market(OrderSide.Buy, 1m) with { Symbol = new Symbol("XYZ") });
        var offStep = await h.SubmitAsync(h.Market(OrderSide.Buy, 1.5m));
        var offTick = await h.SubmitAsync(h.Limit(OrderSide.Buy, 1m, 100.1m));
        var ok = h.Market(OrderSide.Buy, 10m);
        await h.SubmitAsync(ok);
        h.Bar(100m, 101m, 99m, 100m, volume: 45m); // 10% of 45 = 4.5, rounded down to 4

        Assert.Equal(PaperRejectCodes.UnknownSymbol, unknown.RejectCode);
        Assert.Equal(Errors.ErrorCodes.QuantityStepViolation, offStep.RejectCode);
        Assert.Equal(Errors.ErrorCodes.PriceTickViolation, offTick.RejectCode);
        Assert.Equal(4m, Assert.Single(h.Reports().Fills()).Quantity);
    }

    [Fact]
    public async Task Submit_MarketOrder_WhenTheLastPriceIsOffTheTickGrid_IsAccepted_ButMinNotionalStillApplies()
    {
        // Real data often carries more decimals than the tick (1527.349976 with a 0.01 tick): a market order carries no price
        // of its own, so only its quantity and its notional at the last price are judged.
        var h = new VenueHarness(o => o.Instruments = [new Instrument(VenueHarness.Spx, tickSize: 0.01m, stepSize: 1m, minQuantity: 1m, maxQuantity: 1_000m, minNotional: 500m)]);
        h.Bar(1527.349976m, 1530.123456m, 1520.000001m, 1527.349976m);

        var ok = await h.SubmitAsync(h.Market(OrderSide.Buy, 1m));
        h.Bar(100m, 100m, 100m, 100m);
        var belowNotional = await h.SubmitAsync(h.Market(OrderSide.Buy, 1m));

        Assert.True(ok.Accepted);
        Assert.False(belowNotional.Accepted);
        Assert.Equal(Errors.ErrorCodes.NotionalBelowMinimum, belowNotional.RejectCode);
    }

    [Fact]
    public async Task Cancel_WorkingOrder_IsCancelledAndReported()
    {
        var h = new VenueHarness();
        var order = h.Limit(OrderSide.Buy, 1m, 90m);
        await h.SubmitAsync(order);
        h.Drain();

        var result = await h.Venue.CancelAsync(VenueHarness.Spx, order.ClientOrderId);
        h.Bar(80m, 81m, 79m, 80m);

        Assert.True(result.Accepted);
        Assert.Equal([ExecutionKind.Cancelled], h.Reports().Kinds(order.ClientOrderId));
        Assert.Equal(OrderStatus.Cancelled, (await h.QueryAsync(order.ClientOrderId)).Status);
    }

    [Fact]
    public async Task Cancel_FilledOrder_IsRefusedAndReportedAsCancelRejected()
    {
        var h = new VenueHarness();
        var order = h.Market(OrderSide.Buy, 1m);
        await h.SubmitAsync(order);
        h.Bar(100m, 101m, 99m, 100m);
        h.Drain();

        var result = await h.Venue.CancelAsync(VenueHarness.Spx, order.ClientOrderId);

        Assert.Equal(PaperRejectCodes.OrderNotOpen, result.RejectCode);
        var report = Assert.Single(h.Reports());
        Assert.Equal(ExecutionKind.CancelRejected, report.Kind);
        Assert.Equal(OrderStatus.Filled, report.Status);
    }

    [Fact]
    public async Task Cancel_UnknownOrder_IsRefused()
    {
        var h = new VenueHarness();

        var result = await h.Venue.CancelAsync(VenueHarness.Spx, new ClientOrderId("nope"));

        Assert.Equal(PaperRejectCodes.UnknownOrder, result.RejectCode);
    }

    [Fact]
    public async Task Modify_ChangesPriceAndQuantity_AndTheNewPriceIsWhatFills()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Limit(OrderSide.Buy, 1m, 90m);
        await h.SubmitAsync(order);
        h.Drain();

        var result = await h.Venue.ModifyAsync(new ModifyRequest(order.ClientOrderId, VenueHarness.Spx, 3m, 98m));
        var updated = Assert.Single(h.Reports());
        h.Bar(100m, 101m, 97m, 98m);

        Assert.True(result.Accepted);
        Assert.Equal(ExecutionKind.Updated, updated.Kind);
        Assert.Equal(3m, updated.OrderQuantity);
        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal((98m, 3m), (fill.Price, fill.Quantity));
    }

    [Fact]
    public async Task Modify_QuantityNotAboveFilled_IsRefusedAndTheOrderKeepsItsTerms()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        var order = h.Market(OrderSide.Buy, 20m);
        await h.SubmitAsync(order);
        h.Bar(100m, 101m, 99m, 100m, volume: 100m);
        h.Drain();

        var result = await h.Venue.ModifyAsync(new ModifyRequest(order.ClientOrderId, VenueHarness.Spx, 10m, null));

        Assert.Equal(PaperRejectCodes.InvalidModify, result.RejectCode);
        Assert.Equal(ExecutionKind.UpdateRejected, Assert.Single(h.Reports()).Kind);
        Assert.Equal(20m, (await h.QueryAsync(order.ClientOrderId)).Quantity);
    }

    [Fact]
    public async Task Query_NeverSeenOrder_ReturnsNull()
    {
        var h = new VenueHarness();

        Assert.Null(await h.Venue.QueryOrderAsync(VenueHarness.Spx, new ClientOrderId("never")));
    }

    [Fact]
    public async Task Ids_AreDeterministic_VenueOrderIdsAndTradeIdsCountUp()
    {
        var h = new VenueHarness();
        var first = await h.SubmitAsync(h.Market(OrderSide.Buy, 1m));
        var second = await h.SubmitAsync(h.Market(OrderSide.Buy, 1m));
        h.Bar(100m, 101m, 99m, 100m);

        Assert.Equal(new VenueOrderId("PO-1"), first.VenueOrderId);
        Assert.Equal(new VenueOrderId("PO-2"), second.VenueOrderId);
        Assert.Equal(["P-1", "P-2"], h.Reports().Fills().Select(f => f.TradeId.Value));
    }

    [Fact]
    public async Task Modify_NewPrice_LosesQueuePriority()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        h.Bar(100m, 101m, 99m, 100m);
        var first = h.Limit(OrderSide.Buy, 10m, 98m);
        var second = h.Limit(OrderSide.Buy, 10m, 98m);
        await h.SubmitAsync(first);
        await h.SubmitAsync(second);

        await h.Venue.ModifyAsync(new ModifyRequest(first.ClientOrderId, VenueHarness.Spx, null, 98.5m));
        h.Bar(100m, 101m, 97m, 98m, volume: 100m);

        var fill = Assert.Single(h.Reports().Fills());
        Assert.Equal(second.ClientOrderId, fill.ClientOrderId);
    }

    [Fact]
    public async Task OpenOrders_FilterBySymbol()
    {
        var h = new VenueHarness();
        var spx = h.Limit(OrderSide.Buy, 1m, 90m);
        await h.SubmitAsync(spx);
        await h.SubmitAsync(h.Limit(OrderSide.Buy, 1m, 90m) with { Symbol = new Symbol("NDX") });

        var open = Assert.Single(await h.Venue.GetOpenOrdersAsync(VenueHarness.Spx));

        Assert.Equal(spx.ClientOrderId, open.ClientOrderId);
        Assert.Equal(2, (await h.Venue.GetOpenOrdersAsync()).Count);
    }

    [Fact]
    public async Task PostOnly_AtTheAskOfTheLastQuote_IsRejected_BelowItIsAccepted()
    {
        var h = new VenueHarness();
        h.Publish(new MarketData.QuoteTick(VenueHarness.Spx, VenueHarness.Start.AddSeconds(1), 99.9m, 5m, 100m, 5m));

        var atAsk = await h.SubmitAsync(h.Limit(OrderSide.Buy, 1m, 100m, TimeInForce.PostOnly));
        var belowAsk = await h.SubmitAsync(h.Limit(OrderSide.Buy, 1m, 99.95m, TimeInForce.PostOnly));

        Assert.Equal(PaperRejectCodes.PostOnlyWouldTake, atAsk.RejectCode);
        Assert.True(belowAsk.Accepted);
    }
}
