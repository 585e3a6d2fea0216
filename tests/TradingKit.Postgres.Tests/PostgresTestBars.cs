using TradingKit.Domain;
using TradingKit.MarketData;

namespace TradingKit.Postgres.Tests;

/// <summary>Real market data for the PostgreSQL sessions: the sample's bundled S&amp;P 500 daily bars.</summary>
internal static class PostgresTestBars
{
    /// <summary>The first <paramref name="count"/> bars of the bundled S&amp;P 500 data.</summary>
    public static List<Bar> Load(int count)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TradingKit.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return [.. new CsvBarFeed(Path.Combine(dir.FullName, "samples", "TradingKit.Samples.Paper", "data", "sp500-2000.csv"), new Symbol("SPX")).ReadAll().Take(count)];
    }

    /// <summary>Plays a list of bars.</summary>
    public sealed class ListFeed(IReadOnlyList<Bar> bars) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var bar in bars)
            {
                yield return bar;
            }

            await Task.CompletedTask;
        }
    }
}
