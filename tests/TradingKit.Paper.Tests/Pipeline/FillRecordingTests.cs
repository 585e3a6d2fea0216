using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>
/// On a store that appends to several streams at once (PostgreSQL's), the engine records each fill with the position change
/// and fee it caused in one atomic write; the session and its log are otherwise exactly those of the one-event path.
/// </summary>
public sealed class FillRecordingTests
{
    private static readonly Symbol Spx = new("SPX");

    [Fact]
    public async Task OnAMultiStreamStore_EachFillIsWrittenWithItsPositionAndFee_AndTheSessionIsUnchanged()
    {
        var bars = PaperPipeline.LoadBars(400);
        var (plainSummary, plainLog) = await RunAsync(bars, clock => new InMemoryEventStore(clock));
        CountingStore? counting = null;
        var (summary, log) = await RunAsync(bars, clock => counting = new CountingStore(new InMemoryEventStore(clock)));

        Assert.True(summary.Fills > 4, "the session must trade");
        Assert.True(summary.Fills > summary.OrdersSubmitted, $"orders must fill in parts ({summary.Fills} fills of {summary.OrdersSubmitted} orders)");
        Assert.Equal(summary.Fills, counting!.ManyCalls);
        Assert.Equal(0, counting.SingleFillAppends);
        Assert.Equal((plainSummary.FinalEquity, plainSummary.Fills, plainSummary.Trades), (summary.FinalEquity, summary.Fills, summary.Trades));
        Assert.Equal(plainLog.Select(e => (e.StreamId, e.EventType, e.StreamVersion)), log.Select(e => (e.StreamId, e.EventType, e.StreamVersion)));
        for (var i = 0; i < log.Count; i++)
        {
            if (log[i].Payload is OrderFilled filled)
            {
                var position = Assert.IsType<PositionChanged>(log[i + 1].Payload);
                var fee = Assert.IsType<FeeCharged>(log[i + 2].Payload);
                Assert.Equal((filled.Symbol, filled.TradeId), (position.Symbol, fee.TradeId));
            }
        }
    }

    private static async Task<(Journal.SessionSummaryRecord Summary, List<EventEnvelope> Log)> RunAsync(IReadOnlyList<Bar> bars, Func<TimeProvider, IEventStore> store)
    {
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var instrument = new Instrument(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);
        var options = new EngineOptions { SessionId = "fill-recording", InitialCash = 100_000m, Execution = { Mode = Execution.ExecutionMode.Paper } };
        options.Instruments.Add(instrument);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        var log = store(clock);
        var venue = new PaperVenue(new PaperVenueOptions
        {
            InitialCash = 100_000m, SlippageBps = 2m, TakerFeeBps = 1m, Instruments = [instrument],

            // A sliver of each bar's volume: orders fill over several bars, so an order's stream goes on after a fill.
            ParticipationRate = 0.00000005m,
        }, clock);
        await using var engine = new TradingEngine(options, venue, log, [new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 5, SlowPeriod = 20 })], clock);
        var summary = await engine.RunAsync(new ListFeed(bars));
        var events = new List<EventEnvelope>();
        await foreach (var e in log.ReadAllAsync())
        {
            events.Add(e);
        }

        return (summary, events);
    }

    /// <summary>Counts how the engine writes: multi-stream appends, and fills appended on their own.</summary>
    private sealed class CountingStore(InMemoryEventStore inner) : IMultiStreamEventStore
    {
        public int ManyCalls { get; private set; }

        public int SingleFillAppends { get; private set; }

        public ValueTask<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
        {
            ManyCalls++;
            return inner.AppendManyAsync(appends, cancellationToken);
        }

        public ValueTask<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
        {
            SingleFillAppends += events.Count(e => e.Payload is OrderFilled);
            return inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
        }

        public IAsyncEnumerable<EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, CancellationToken cancellationToken = default)
            => inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, CancellationToken cancellationToken = default)
            => inner.ReadStreamAsync(streamId, fromVersion, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> SubscribeAsync(long fromPosition, CancellationToken cancellationToken = default)
            => inner.SubscribeAsync(fromPosition, cancellationToken);

        public ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
            => inner.GetStreamVersionAsync(streamId, cancellationToken);

        public ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default) => inner.GetLastPositionAsync(cancellationToken);
    }

    private sealed class ListFeed(IReadOnlyList<Bar> bars) : IMarketDataFeed
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
