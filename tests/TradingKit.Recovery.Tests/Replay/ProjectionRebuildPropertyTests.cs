using TradingKit.Orders;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Replay;

namespace TradingKit.Recovery.Tests.Replay;

public sealed class ProjectionRebuildPropertyTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 16)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Rebuild_OfRandomFaultySession_EqualsLiveProjections(int seed)
    {
        await using var session = RandomSession.Create(seed, o =>
        {
            o.Faults.RejectRate = seed % 2 == 0 ? 0.1 : 0;
            o.Faults.UnknownOutcomeRate = seed % 3 == 0 ? 0.2 : 0;
            o.Faults.DropAckRate = seed % 4 == 0 ? 0.3 : 0;
            o.Faults.DisconnectRate = seed % 5 == 0 ? 0.05 : 0;
            o.Faults.DropFillReportRate = seed % 7 == 0 ? 0.2 : 0;
        });
        await session.RunAsync(RandomSession.Bars(seed, 250));
        Assert.True(session.Engine.Orders.FillCount > 10, "the session should trade");

        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = session.Options.InitialCash });
        var applied = await rebuilder.RebuildAsync(session.Store);

        Assert.Equal(await session.Store.GetLastPositionAsync(), applied);
        ProjectionAssert.EqualToLive(session.Engine, rebuilder);
    }

    /// <summary>
    /// A writer that keeps a projection store current event by event (<see cref="ProjectionRebuilder.TakeChanges"/>, as the
    /// hosted projection worker does) ends with the rows a full rebuild writes, on sessions with cancels, modifies,
    /// rejects, partial fills and venue faults.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task ChangesTakenEventByEvent_WriteWhatAFullRebuildWrites(int seed)
    {
        await using var session = RandomSession.Create(seed, o =>
        {
            o.Faults.RejectRate = 0.1;
            o.Faults.DropFillReportRate = seed % 7 == 0 ? 0.2 : 0;
        });
        await session.RunAsync(RandomSession.Bars(seed, 250));
        var options = new ProjectionRebuildOptions { InitialCash = session.Options.InitialCash };

        var full = new ProjectionRebuilder(options);
        await full.RebuildAsync(session.Store);
        var expected = new TradingKit.Stores.InMemory.InMemoryProjectionStore();
        await full.WriteToAsync(expected);

        var incremental = new ProjectionRebuilder(options);
        incremental.TrackChanges();
        var actual = new TradingKit.Stores.InMemory.InMemoryProjectionStore();
        var changedOrders = 0;
        await foreach (var envelope in session.Store.ReadAllAsync())
        {
            incremental.Apply(envelope);
            var changes = incremental.TakeChanges();
            Assert.Equal(envelope.GlobalPosition, changes.Position);
            changedOrders += changes.Orders.Count;
            foreach (var order in changes.Orders)
            {
                await actual.UpsertOrderAsync(order);
            }

            foreach (var fill in changes.Fills)
            {
                Assert.True(await actual.AddFillAsync(fill), $"fill {fill.TradeId} given twice");
            }

            foreach (var position in changes.Positions)
            {
                await actual.UpsertPositionAsync(position);
            }

            foreach (var day in changes.DailySummaries)
            {
                await actual.UpsertDailySummaryAsync(day);
            }
        }

        Assert.True(changedOrders > full.Orders.Count, "orders change more than once");
        Assert.Equal(await expected.ListOrdersAsync(), await actual.ListOrdersAsync());
        Assert.Equal(await expected.ListFillsAsync(), await actual.ListFillsAsync());
        Assert.Equal(await expected.ListPositionsAsync(options.AccountId), await actual.ListPositionsAsync(options.AccountId));
        Assert.Equal(await expected.ListDailySummariesAsync(options.AccountId), await actual.ListDailySummariesAsync(options.AccountId));
        Assert.True(incremental.TakeChanges().IsEmpty);
    }

    [Fact]
    public void TakeChanges_WithoutTrackChanges_IsRefused()
        => Assert.Throws<InvalidOperationException>(() => new ProjectionRebuilder().TakeChanges());

    [Fact]
    public async Task Rebuild_CoversPartialFillsCancelsModifiesAndRejects()
    {
        // Guards the property test against a generator that silently stops exercising the interesting paths.
        var statuses = new HashSet<OrderStatus>();
        var modified = 0;
        foreach (var seed in Enumerable.Range(1, 4))
        {
            await using var session = RandomSession.Create(seed, o => o.Faults.RejectRate = 0.1);
            await session.RunAsync(RandomSession.Bars(seed, 250));
            var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = session.Options.InitialCash });
            await rebuilder.RebuildAsync(session.Store);
            foreach (var order in rebuilder.Orders.Values)
            {
                statuses.Add(order.Order.Status);
                modified += order.Order.Quantity != order.Order.Request.Quantity ? 1 : 0;
            }
        }

        Assert.Contains(OrderStatus.Filled, statuses);
        Assert.Contains(OrderStatus.Cancelled, statuses);
        Assert.Contains(OrderStatus.Rejected, statuses);
        Assert.True(modified > 0, "some orders should have been modified");
    }
}
