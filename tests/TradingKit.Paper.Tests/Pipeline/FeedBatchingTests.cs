using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Strategies;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>
/// <c>RunAsync</c> queues market data the feed already has in batches: the outcome must be exactly that of one item per
/// input, an item the feed has to wait for must never be held back, and a feed that fails part-way must stop the session
/// cleanly with its error instead of leaving the loop waiting.
/// </summary>
public sealed class FeedBatchingTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Batched_And_OneByOne_GiveByteIdenticalJournals()
    {
        var bars = PaperPipeline.LoadBars(1500);

        // InputCapacity 16 queues one item per input; the default queues up to 64 per input.
        await using var single = PaperPipeline.Create(bars, configure: o => o.InputCapacity = 16);
        await using var batched = PaperPipeline.Create(bars);
        var a = await single.RunAsync(bars);
        var b = await batched.RunAsync(bars);

        Assert.True(a.Fills > 10, "the comparison needs a session that trades");
        Assert.Equal(bars.Count, single.Engine.MarketEventsProcessed);
        Assert.Equal(bars.Count, batched.Engine.MarketEventsProcessed);
        foreach (var file in new[] { "orders_fills.jsonl", "trades.jsonl", "decisions.jsonl", "summary.json" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(single.SessionDirectory, file)), File.ReadAllText(Path.Combine(batched.SessionDirectory, file)));
        }

        Assert.Equal(a.FinalEquity, b.FinalEquity);
    }

    [Fact]
    public async Task ItemsTheFeedAlreadyGave_ReachTheStrategy_WhileTheFeedWaitsForMore()
    {
        var bars = PaperPipeline.LoadBars(30);
        var watcher = new WatchingStrategy(seen: 10);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pipeline = PaperPipeline.Create(bars, strategies: [watcher]);

        var run = pipeline.Engine.RunAsync(new GappedFeed(bars, gapAfter: 10, release.Task));

        // The first ten bars are less than a batch; they must be processed while the feed is still waiting.
        await watcher.Reached.WaitAsync(Guard);
        Assert.False(run.IsCompleted);
        Assert.Equal(10, watcher.Count);

        release.SetResult();
        var summary = await run.WaitAsync(Guard);
        Assert.Equal(30, watcher.Count);
        Assert.Equal(bars[^1].Close, summary.LastPrices[PaperPipeline.Spx.Value]);
    }

    [Fact]
    public async Task AFeedThatFailsPartWay_StopsTheSessionWithItsError_AfterProcessingWhatItGave()
    {
        var bars = PaperPipeline.LoadBars(200);
        await using var pipeline = PaperPipeline.Create(bars);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => pipeline.Engine.RunAsync(new FailingFeed(bars, failAfter: 150)).WaitAsync(Guard));

        Assert.Equal("row 151 is broken", error.Message);
        Assert.Equal(150, pipeline.Engine.MarketEventsProcessed);
        Assert.Equal(Engine.EngineState.Stopped, pipeline.Engine.State);
        var summary = pipeline.ReadJson("summary.json");
        Assert.Equal(bars[149].Close, summary.GetProperty("last_prices").GetProperty("SPX").GetDecimal());
    }

    [Fact]
    public async Task AFeedThatCancelsItself_StopsTheSessionWithThatCancellation_InsteadOfHanging()
    {
        var bars = PaperPipeline.LoadBars(100);
        await using var pipeline = PaperPipeline.Create(bars);

        // The feed's own token, not the session's: without the end of input the loop would wait for ever.
        await Assert.ThrowsAsync<OperationCanceledException>(() => pipeline.Engine.RunAsync(new SelfCancellingFeed(bars, after: 70)).WaitAsync(Guard));

        Assert.Equal(70, pipeline.Engine.MarketEventsProcessed);
        Assert.Equal(Engine.EngineState.Stopped, pipeline.Engine.State);
    }

    private sealed class SelfCancellingFeed(IReadOnlyList<Bar> bars, int after) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var own = new CancellationTokenSource();
            for (var i = 0; i < bars.Count; i++)
            {
                if (i == after)
                {
                    await own.CancelAsync();
                    own.Token.ThrowIfCancellationRequested();
                }

                yield return bars[i];
            }
        }
    }

    private sealed class WatchingStrategy(int seen) : IStrategy
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StrategyId Id { get; } = new("watcher");

        public int Count { get; private set; }

        public Task Reached => _reached.Task;

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnFill(Orders.Fill fill, IStrategyContext context)
        {
        }

        public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
        {
            if (++Count == seen)
            {
                _reached.SetResult();
            }
        }
    }

    private sealed class GappedFeed(IReadOnlyList<Bar> bars, int gapAfter, Task gap) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < bars.Count; i++)
            {
                if (i == gapAfter)
                {
                    await gap.WaitAsync(cancellationToken);
                }

                yield return bars[i];
            }
        }
    }

    private sealed class FailingFeed(IReadOnlyList<Bar> bars, int failAfter) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < bars.Count; i++)
            {
                if (i == failAfter)
                {
                    throw new InvalidDataException($"row {i + 1} is broken");
                }

                yield return bars[i];
            }

            await Task.CompletedTask;
        }
    }
}
