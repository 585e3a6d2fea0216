using TradingKit.Testing.Stores;
using TradingKit.Events;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Core.Tests.Stores;

/// <summary>
/// The in-memory log keeps its envelopes in blocks of 1,024 under a directory of 16 blocks that is replaced as it grows;
/// these tests cross several directory replacements while lock-free readers follow the writer.
/// </summary>
public sealed class InMemoryEventLogGrowthTests
{
    // 69 blocks of 1,024: the first directory (16 blocks) is replaced three times, by 32, 64 and 128.
    private const int Total = 70_000;

    [Fact]
    public async Task Subscriber_FollowingTheWriterAcrossDirectoryGrowth_SeesEveryEventOnceInOrder()
    {
        var store = new InMemoryEventStore(TimeProvider.System);
        using var cts = new CancellationTokenSource(StoreTestData.Patience);
        var received = new List<long>(Total);
        var reader = Task.Run(async () =>
        {
            await foreach (var e in store.SubscribeAsync(1, cts.Token))
            {
                Assert.Equal(received.Count, ((TestEvent)e.Payload).Number);
                received.Add(e.GlobalPosition);
                if (received.Count == Total)
                {
                    return;
                }
            }
        });

        // Single events and batches of three, to two streams, so both append paths store across block edges.
        var next = 0;
        while (next < Total)
        {
            var size = Math.Min(next % 7 == 0 ? 3 : 1, Total - next);
            await store.AppendAsync(next % 2 == 0 ? "a" : "b", ExpectedVersion.Any, StoreTestData.Events(next, size));
            next += size;
        }

        await reader.WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(1, Total).Select(p => (long)p), received);
        Assert.Equal(Total, await store.GetLastPositionAsync());
    }

    [Fact]
    public async Task ReadAll_FromAPositionInALaterDirectory_ReturnsThatWindow()
    {
        var store = new InMemoryEventStore(TimeProvider.System);
        for (var i = 0; i < Total; i += 10)
        {
            await store.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(i, 10));
        }

        // Position 40,000 lies in block 39, which only the third directory (64 blocks) holds; the window crosses into block 40.
        var window = await store.ReadAllAsync(40_000, 1_100).ToListAsync();
        Assert.Equal(Enumerable.Range(40_000, 1_100).Select(p => (long)p), window.Select(e => e.GlobalPosition));
        Assert.Equal(Enumerable.Range(39_999, 1_100), window.Select(e => ((TestEvent)e.Payload).Number));

        var all = await store.ReadAllAsync().ToListAsync();
        Assert.Equal(Total, all.Count);
        Assert.Equal(Enumerable.Range(0, Total), all.Select(e => ((TestEvent)e.Payload).Number));
    }
}
