using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IMultiStreamEventStore"/> shares: several streams in one atomic append.</summary>
public abstract class MultiStreamAppendContractTests : StoreContractTests<IMultiStreamEventStore>
{
    /// <summary>Append many: writes every part, in the order given, with consecutive global positions.</summary>
    [Fact]
    public async Task AppendMany_WritesEveryPart_InTheOrderGiven()
    {
        var results = await Store.AppendManyAsync(
        [
            new StreamAppend("order-1", ExpectedVersion.NoStream, StoreTestData.Events(1, 2)),
            new StreamAppend("account-1", ExpectedVersion.Any, [StoreTestData.Event(3)]),
        ]);

        Assert.Equal([new AppendResult(2, 2, 2, 0), new AppendResult(1, 3, 1, 0)], results);
        var all = await ReadAllAsync();
        Assert.Equal(["order-1", "order-1", "account-1"], all.Select(e => e.StreamId));
        Assert.Equal([1L, 2L, 3L], all.Select(e => e.GlobalPosition));
        Assert.Equal([1L, 2L, 1L], all.Select(e => e.StreamVersion));
        Assert.Equal([1, 2, 3], all.Select(e => ((TestEvent)e.Payload).Number));
    }

    /// <summary>Append many: a conflict on any part writes nothing of any part.</summary>
    [Fact]
    public async Task AppendMany_AConflictOnAnyPart_WritesNothingOfAnyPart()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [StoreTestData.Event(1)]);

        var conflict = await Assert.ThrowsAsync<StreamVersionConflictException>(async () => await Store.AppendManyAsync(
        [
            new StreamAppend("account-1", ExpectedVersion.NoStream, [StoreTestData.Event(2)]),
            new StreamAppend("order-1", ExpectedVersion.NoStream, [StoreTestData.Event(3)]),
        ]));

        Assert.Equal(("order-1", ExpectedVersion.NoStream, 1L), (conflict.StreamId, conflict.Expected, conflict.Actual));
        Assert.Single(await ReadAllAsync());
        Assert.Equal(0, await Store.GetStreamVersionAsync("account-1"));
    }

    /// <summary>Append many: dedup keys drop events one by one, as in a single append; a part of duplicates only skips its version check.</summary>
    [Fact]
    public async Task AppendMany_DropsDuplicatesByKey_PartByPart()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [StoreTestData.Event(1, "fill:t-1")]);

        var results = await Store.AppendManyAsync(
        [
            new StreamAppend("order-1", 99, [StoreTestData.Event(2, "fill:t-1")]),
            new StreamAppend("account-1", ExpectedVersion.Any, [StoreTestData.Event(3, "position:t-1"), StoreTestData.Event(4)]),
        ]);

        Assert.Equal((0, 1), (results[0].Appended, results[0].Duplicates));
        Assert.Equal((2, 0), (results[1].Appended, results[1].Duplicates));
        Assert.Equal(3, (await ReadAllAsync()).Count);
    }

    /// <summary>Append many: a stream or a dedup key twice in one call is refused, and nothing is written.</summary>
    [Fact]
    public async Task AppendMany_AStreamOrAKeyTwice_IsRefused_AndNothingIsWritten()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.AppendManyAsync(
        [
            new StreamAppend("order-1", ExpectedVersion.Any, [StoreTestData.Event(1)]),
            new StreamAppend("order-1", ExpectedVersion.Any, [StoreTestData.Event(2)]),
        ]));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.AppendManyAsync(
        [
            new StreamAppend("order-1", ExpectedVersion.Any, [StoreTestData.Event(1, "k")]),
            new StreamAppend("account-1", ExpectedVersion.Any, [StoreTestData.Event(2, "k")]),
        ]));

        Assert.Empty(await ReadAllAsync());
    }

    /// <summary>Append many: a subscriber sees every part's events.</summary>
    [Fact]
    public async Task AppendMany_WakesASubscriber_WithEveryPart()
    {
        using var cancel = new CancellationTokenSource(StoreTestData.Patience);
        await using var subscription = Store.SubscribeAsync(1, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var first = subscription.MoveNextAsync().AsTask();

        await Store.AppendManyAsync(
        [
            new StreamAppend("order-1", ExpectedVersion.Any, [StoreTestData.Event(1)]),
            new StreamAppend("account-1", ExpectedVersion.Any, [StoreTestData.Event(2)]),
        ]);

        Assert.True(await first);
        var seen = new List<string> { subscription.Current.StreamId };
        Assert.True(await subscription.MoveNextAsync());
        seen.Add(subscription.Current.StreamId);
        Assert.Equal(["order-1", "account-1"], seen);
    }

    private async Task<List<EventEnvelope>> ReadAllAsync()
    {
        var events = new List<EventEnvelope>();
        await foreach (var e in Store.ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }
}
