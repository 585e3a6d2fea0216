using TradingKit.Brokers;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

public sealed class TimeInForceTests
{
    [Fact]
    public async Task Ioc_FillsWhatTheFirstBarAllows_AndExpiresTheRest()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        var order = h.Limit(OrderSide.Buy, 25m, 105m, TimeInForce.Ioc);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m, volume: 100m);
        h.Bar(100m, 101m, 99m, 100m, volume: 100m);

        var reports = h.Reports();
        Assert.Equal([ExecutionKind.Trade, ExecutionKind.Expired], reports.Kinds(order.ClientOrderId));
        Assert.Equal(10m, reports.Last().CumulativeQuantity);
        var state = await h.QueryAsync(order.ClientOrderId);
        Assert.Equal(OrderStatus.Expired, state.Status);
        Assert.Equal(10m, state.FilledQuantity);
    }

    [Fact]
    public async Task Ioc_LimitNotReached_ExpiresWithoutFill()
    {
        var h = new VenueHarness();
        var order = h.Limit(OrderSide.Buy, 1m, 90m, TimeInForce.Ioc);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m);

        Assert.Equal([ExecutionKind.Expired], h.Reports().Kinds(order.ClientOrderId));
    }

    [Fact]
    public async Task Fok_WhenTheBarCannotFillAll_ExpiresWithNoFill()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        var order = h.Market(OrderSide.Buy, 25m, TimeInForce.Fok);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m, volume: 100m);

        Assert.Equal([ExecutionKind.Expired], h.Reports().Kinds(order.ClientOrderId));
        Assert.Equal(0m, (await h.QueryAsync(order.ClientOrderId)).FilledQuantity);
        Assert.Equal(0m, await h.PositionAsync());
    }

    [Fact]
    public async Task Fok_WhenTheBarCanFillAll_FillsEntirely()
    {
        var h = new VenueHarness(o => o.ParticipationRate = 0.1m);
        var order = h.Market(OrderSide.Buy, 10m, TimeInForce.Fok);
        await h.SubmitAsync(order);

        h.Bar(100m, 101m, 99m, 100m, volume: 100m);

        Assert.Equal(10m, Assert.Single(h.Reports().Fills()).Quantity);
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(order.ClientOrderId)).Status);
    }

    [Fact]
    public async Task PostOnly_ThatWouldTakeLiquidity_IsRejected()
    {
        var h = new VenueHarness();
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Limit(OrderSide.Buy, 1m, 101m, TimeInForce.PostOnly);

        var result = await h.SubmitAsync(order);

        Assert.False(result.Accepted);
        Assert.Equal(PaperRejectCodes.PostOnlyWouldTake, result.RejectCode);
        Assert.Equal([ExecutionKind.Rejected], h.Reports().Kinds(order.ClientOrderId));
        Assert.Equal(OrderStatus.Rejected, (await h.QueryAsync(order.ClientOrderId)).Status);
    }

    [Fact]
    public async Task PostOnly_BelowTheMarket_RestsAndFillsAsMaker()
    {
        var h = new VenueHarness(o => { o.MakerFeeBps = 1m; o.TakerFeeBps = 5m; });
        h.Bar(100m, 101m, 99m, 100m);
        var order = h.Limit(OrderSide.Buy, 1m, 99m, TimeInForce.PostOnly);

        Assert.True((await h.SubmitAsync(order)).Accepted);
        h.Bar(100m, 100m, 98m, 99m);

        Assert.Equal(LiquiditySide.Maker, Assert.Single(h.Reports().Fills()).Liquidity);
    }

    [Fact]
    public async Task Gtd_ExpiresOnceTheClockPassesItsExpiry_AndNotBefore()
    {
        var h = new VenueHarness();
        var order = h.Limit(OrderSide.Buy, 1m, 50m, TimeInForce.Gtd, expireAt: VenueHarness.Start.AddDays(1.5));
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m);
        Assert.Equal(OrderStatus.Acknowledged, (await h.QueryAsync(order.ClientOrderId)).Status);

        h.Bar(100m, 101m, 99m, 100m);
        Assert.Equal([ExecutionKind.Expired], h.Reports().Kinds(order.ClientOrderId));
        Assert.Equal(OrderStatus.Expired, (await h.QueryAsync(order.ClientOrderId)).Status);
        Assert.Empty(await h.Venue.GetOpenOrdersAsync());
    }

    [Fact]
    public async Task Gtd_ExpiresOnAdvanceTo_WithoutMarketData()
    {
        var h = new VenueHarness();
        var order = h.Limit(OrderSide.Buy, 1m, 50m, TimeInForce.Gtd, expireAt: VenueHarness.Start.AddHours(1));
        await h.SubmitAsync(order);
        h.Drain();

        h.Venue.AdvanceTo(VenueHarness.Start.AddMinutes(59));
        Assert.Empty(h.Reports());

        h.Clock.Advance(TimeSpan.FromHours(1));
        h.Venue.Flush();
        Assert.Equal([ExecutionKind.Expired], h.Reports().Kinds(order.ClientOrderId));
    }

    [Fact]
    public async Task Gtd_WithExpiryInThePast_IsRejected()
    {
        var h = new VenueHarness();
        var result = await h.SubmitAsync(h.Limit(OrderSide.Buy, 1m, 50m, TimeInForce.Gtd, expireAt: VenueHarness.Start));

        Assert.Equal(PaperRejectCodes.ExpiryInPast, result.RejectCode);
    }

    [Fact]
    public async Task Day_LivesThroughOneDailyBar_AndExpiresAtTheDayEnd()
    {
        var h = new VenueHarness();
        h.Clock.Advance(TimeSpan.FromHours(10)); // mid-session: expires at the next midnight UTC
        var order = h.Limit(OrderSide.Buy, 1m, 50m, TimeInForce.Day);
        await h.SubmitAsync(order);
        h.Drain();

        h.Venue.AdvanceTo(VenueHarness.Start.AddHours(23.9));
        Assert.Empty(h.Reports());

        h.Venue.AdvanceTo(VenueHarness.Start.AddDays(1));
        Assert.Equal([ExecutionKind.Expired], h.Reports().Kinds(order.ClientOrderId));
    }

    [Fact]
    public async Task Day_CanStillFillOnTheBarOfItsDay()
    {
        var h = new VenueHarness(o => o.DayEndUtc = TimeSpan.FromHours(21));
        var order = h.Limit(OrderSide.Buy, 1m, 99.5m, TimeInForce.Day);
        await h.SubmitAsync(order);

        h.Bar(100m, 101m, 99m, 100m); // the bar opened before 21:00, when the order was still good

        Assert.Equal(99.5m, Assert.Single(h.Reports().Fills()).Price);
    }
}
