using System.Runtime.CompilerServices;
using TradingKit.MarketData;

namespace TradingKit.Samples.Host;

/// <summary>
/// Historical bars given at a wall-clock pace, so the session lasts long enough to watch and command. The engine's own
/// clock still follows the data.
/// </summary>
internal sealed class PacedFeed(IReadOnlyList<Bar> bars, TimeSpan pace, TimeProvider wallClock) : IMarketDataFeed
{
    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var bar in bars)
        {
            if (pace > TimeSpan.Zero)
            {
                await Task.Delay(pace, wallClock, cancellationToken).ConfigureAwait(false);
            }

            yield return bar;
        }
    }
}
