using System.Runtime.CompilerServices;
using TradingKit.Domain;
using TradingKit.MarketData;

namespace TradingKit.Hosting.Tests.Support;

/// <summary>Bars for the hosting tests.</summary>
public static class TestBars
{
    public static readonly Symbol Spx = new("SPX");

    /// <summary>A seeded random walk of daily bars.</summary>
    public static List<Bar> RandomWalk(int count)
    {
        var random = new Random(11);
        var bars = new List<Bar>(count);
        var price = 100m;
        var start = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var open = price;
            var close = Math.Max(1m, Math.Round(open * (1m + (((decimal)random.NextDouble() - 0.5m) / 25m)), 2));
            var openTime = start.AddDays(i);
            bars.Add(new Bar(Spx, openTime, openTime.AddDays(1), open, Math.Max(open, close) + 0.5m, Math.Min(open, close) - 0.5m, close, 1_000_000m));
            price = close;
        }

        return bars;
    }
}

/// <summary>Gives its bars once <c>start</c> completes (at once when null), then ends, or throws after <c>failAfter</c> of them.</summary>
public sealed class ListFeed(IReadOnlyList<Bar> bars, int? failAfter = null, Task? start = null) : IMarketDataFeed
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the engine asks for the first item: it has started (recovery done, start-up events recorded).</summary>
    public Task Opened => _opened.Task;

    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _opened.TrySetResult();
        if (start is not null)
        {
            await start.WaitAsync(cancellationToken);
        }

        for (var i = 0; i < bars.Count; i++)
        {
            if (i == failAfter)
            {
                throw new InvalidOperationException("the feed broke");
            }

            yield return bars[i];
        }

        await Task.CompletedTask;
    }
}

/// <summary>Gives its bars, then waits as a live feed does, until <c>end</c> completes (never, when null) or the session stops.</summary>
public sealed class LiveFeed(IReadOnlyList<Bar> bars, Task? end = null) : IMarketDataFeed
{
    private readonly TaskCompletionSource _allGiven = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every bar was given and the feed waits.</summary>
    public Task AllGiven => _allGiven.Task;

    /// <summary>Whether the session's stop cancelled the wait.</summary>
    public bool Cancelled { get; private set; }

    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var bar in bars)
        {
            yield return bar;
        }

        _allGiven.TrySetResult();
        try
        {
            await (end ?? Task.Delay(Timeout.Infinite, cancellationToken)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Cancelled = true;
            throw;
        }
    }
}
