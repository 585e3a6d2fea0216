using TradingKit.Errors;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

/// <summary>
/// <see cref="PaperVenueOptions.RetainedFinishedOrders"/> and <see cref="PaperVenueOptions.RetainedFills"/>: like a real
/// venue archiving old orders, the paper venue answers for working orders and the newest finished ones, and lists the
/// newest fills, so a long session does not keep every order and fill it ever made.
/// </summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task OnlyTheNewestFinishedOrdersAnswerQueries_AndAForgottenIdIsStillRefused()
    {
        var h = new VenueHarness(o => o.RetainedFinishedOrders = 2);
        var orders = new List<OrderRequest>();
        for (var i = 0; i < 3; i++)
        {
            var order = h.Market(OrderSide.Buy, 1m);
            orders.Add(order);
            Assert.True((await h.SubmitAsync(order)).Accepted);
            h.Bar(100m, 101m, 99m, 100m);
        }

        Assert.Null(await h.Venue.QueryOrderAsync(VenueHarness.Spx, orders[0].ClientOrderId));
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(orders[1].ClientOrderId)).Status);
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(orders[2].ClientOrderId)).Status);

        var again = await h.SubmitAsync(orders[0]);
        h.Bar(100m, 101m, 99m, 100m);

        Assert.False(again.Accepted);
        Assert.Equal(PaperRejectCodes.DuplicateClientOrderId, again.RejectCode);
        Assert.Equal(3m, await h.PositionAsync());
    }

    [Fact]
    public async Task ByDefaultEveryOrderAndFillIsKept()
    {
        var h = new VenueHarness();
        Assert.Null(h.Options.RetainedFinishedOrders);
        Assert.Null(h.Options.RetainedFills);
        var first = h.Market(OrderSide.Buy, 1m);
        Assert.True((await h.SubmitAsync(first)).Accepted);
        h.Bar(100m, 101m, 99m, 100m);
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await h.SubmitAsync(h.Market(OrderSide.Buy, 1m))).Accepted);
            h.Bar(100m, 101m, 99m, 100m);
        }

        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(first.ClientOrderId)).Status);
        Assert.Equal(5, (await h.Venue.GetRecentFillsAsync(null, VenueHarness.Start)).Count);
    }

    [Fact]
    public async Task WorkingOrdersAreNeverForgotten_AndCancelStillReachesThem()
    {
        var h = new VenueHarness(o => o.RetainedFinishedOrders = 1);
        var resting = h.Limit(OrderSide.Buy, 1m, 50m);
        Assert.True((await h.SubmitAsync(resting)).Accepted);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await h.SubmitAsync(h.Market(OrderSide.Buy, 1m))).Accepted);
            h.Bar(100m, 101m, 99m, 100m);
        }

        Assert.Equal(OrderStatus.Acknowledged, (await h.QueryAsync(resting.ClientOrderId)).Status);
        Assert.True((await h.Venue.CancelAsync(VenueHarness.Spx, resting.ClientOrderId)).Accepted);
        Assert.Equal(OrderStatus.Cancelled, (await h.QueryAsync(resting.ClientOrderId)).Status);
    }

    [Fact]
    public async Task RejectedOrdersCountAsFinished()
    {
        var h = new VenueHarness(o =>
        {
            o.RetainedFinishedOrders = 1;
            o.Faults.RejectRate = 1;
        });
        var first = h.Market(OrderSide.Buy, 1m);
        var second = h.Market(OrderSide.Buy, 1m);

        Assert.False((await h.SubmitAsync(first)).Accepted);
        Assert.False((await h.SubmitAsync(second)).Accepted);

        Assert.Null(await h.Venue.QueryOrderAsync(VenueHarness.Spx, first.ClientOrderId));
        Assert.Equal(OrderStatus.Rejected, (await h.QueryAsync(second.ClientOrderId)).Status);
    }

    [Fact]
    public async Task RecentFillsListTheNewestFillsOnly()
    {
        var h = new VenueHarness(o => o.RetainedFills = 2);
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await h.SubmitAsync(h.Market(i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 1m))).Accepted);
            h.Bar(100m + i, 101m + i, 99m + i, 100m + i);
        }

        var fills = await h.Venue.GetRecentFillsAsync(null, VenueHarness.Start);

        Assert.Equal(["t-3", "t-4"], fills.Select(f => f.ClientOrderId.Value));
        Assert.Equal(0m, await h.PositionAsync());
    }

    [Fact]
    public async Task RecentFillsSinceATime_AreExactlyThoseAtOrAfterIt_AcrossTheListsCompaction()
    {
        // 2,000 fills keeping 700: the list drops its oldest fills and, once 1,024 are dropped, compacts itself.
        var h = new VenueHarness(o => o.RetainedFills = 700);
        var times = new List<DateTimeOffset>();
        for (var i = 0; i < 2_000; i++)
        {
            Assert.True((await h.SubmitAsync(h.Market(i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 1m))).Accepted);
            times.Add(h.Bar(100m, 101m, 99m, 100m).Timestamp);
        }

        var all = await h.Venue.GetRecentFillsAsync(null, DateTimeOffset.MinValue);
        var since = await h.Venue.GetRecentFillsAsync(null, times[1_800]);
        var late = await h.Venue.GetRecentFillsAsync(null, times[^1].AddTicks(1));

        Assert.Equal(Enumerable.Range(1_301, 700).Select(n => $"t-{n}"), all.Select(f => f.ClientOrderId.Value));
        Assert.Equal(Enumerable.Range(1_801, 200).Select(n => $"t-{n}"), since.Select(f => f.ClientOrderId.Value));
        Assert.Empty(late);
    }

    [Fact]
    public async Task RecentFills_OnAClockThatWentBack_StillListEveryFillAtOrAfterTheTime()
    {
        var clock = new SettableClock(VenueHarness.Start.AddDays(10));
        var venue = new PaperVenue(new PaperVenueOptions(), clock);
        var ids = 0;
        async Task FillAsync()
        {
            var id = new Domain.ClientOrderId($"c-{++ids}");
            Assert.True((await venue.SubmitAsync(new OrderRequest { ClientOrderId = id, Symbol = VenueHarness.Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m })).Accepted);
            var at = clock.GetUtcNow();
            venue.OnMarketData(new MarketData.Bar(VenueHarness.Spx, at, at, 100m, 101m, 99m, 100m, 1_000_000m));
        }

        await FillAsync();
        clock.Now = VenueHarness.Start.AddDays(5);
        await FillAsync();
        clock.Now = VenueHarness.Start.AddDays(20);
        await FillAsync();

        var since = await venue.GetRecentFillsAsync(null, VenueHarness.Start.AddDays(6));

        Assert.Equal(["c-1", "c-3"], since.Select(f => f.ClientOrderId.Value));
    }

    [Theory]
    [InlineData(0, 1, "RetainedFinishedOrders")]
    [InlineData(1, 0, "RetainedFills")]
    [InlineData(100_000_001, 1, "RetainedFinishedOrders")]
    public void ARetentionOutsideItsRange_IsRefusedAtStartUp(int orders, int fills, string named)
    {
        var options = new PaperVenueOptions { RetainedFinishedOrders = orders, RetainedFills = fills };

        var ex = Assert.Throws<TradingKitException>(options.Validate);

        Assert.Equal(ErrorCodes.InvalidOptions, ex.Code);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    // A clock that can be set anywhere, backwards too, as a wall clock corrected by NTP can move.
    private sealed class SettableClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
