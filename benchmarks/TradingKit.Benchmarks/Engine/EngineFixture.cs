using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Execution;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Benchmarks.Engine;

/// <summary>Builds synthetic bars and a complete in-memory paper engine for the engine benchmarks.</summary>
internal static class EngineFixture
{
    public static readonly Symbol Symbol = new("BENCH");

    /// <summary>A seeded random walk of one-minute bars.</summary>
    public static Bar[] Bars(int count)
    {
        var random = new Random(42);
        var bars = new Bar[count];
        var start = new DateTimeOffset(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);
        var price = 100m;
        for (var i = 0; i < count; i++)
        {
            var open = price;
            var close = Math.Max(1m, Math.Round(open * (1m + ((decimal)random.NextDouble() - 0.5m) / 50m), 2));
            var high = Math.Max(open, close) + 0.05m;
            var low = Math.Min(open, close) - 0.05m;
            var openTime = start.AddMinutes(i);
            bars[i] = new Bar(Symbol, openTime, openTime.AddMinutes(1), open, high, low, close, 1_000_000m);
            price = close;
        }

        return bars;
    }

    /// <summary>A complete in-memory paper engine.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <param name="start">The clock's start.</param>
    /// <param name="retained">
    /// How many finished orders (and fills) the OMS and the paper venue keep as objects; their defaults (all) when null.
    /// </param>
    /// <param name="reconcileEveryBar">Reconciles with the venue every engine minute (every bar), as the engine's default does.</param>
    public static TradingEngine Create(IStrategy strategy, DateTimeOffset start, int? retained = null, bool reconcileEveryBar = false)
    {
        var clock = new SimulationTimeProvider(start);
        var venueOptions = new PaperVenueOptions { InitialCash = 100_000m, TakerFeeBps = 1m };
        if (retained is { } keep)
        {
            venueOptions.RetainedFinishedOrders = keep;
            venueOptions.RetainedFills = keep;
        }

        var venue = new PaperVenue(venueOptions, clock);
        var options = new EngineOptions
        {
            SessionId = "bench",
            InitialCash = 100_000m,
            Execution = { Mode = ExecutionMode.Paper },
            TimerInterval = TimeSpan.FromMinutes(1),
            InputCapacity = 65_536,

            // Reconciliation is a periodic duty on engine minutes; on one-minute bars it runs on every bar, which the round
            // trip leaves out unless asked.
            ReconcileInterval = reconcileEveryBar ? TimeSpan.FromMinutes(1) : null,
        };
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        if (retained is { } kept)
        {
            options.Oms.RetainedTerminalOrders = kept;
        }

        return new TradingEngine(options, venue, new InMemoryEventStore(clock), [strategy], clock);
    }

    /// <summary>
    /// Reads the <c>[orders] [sessions] [retained|all] [reconcile]</c> arguments of the round-trip console commands
    /// (<c>sessions</c>, <c>allocations</c>): 20,000 orders, the command's own session count, the OMS's and venue's default
    /// retention of finished orders (<c>all</c>) and no periodic reconciliation when left out.
    /// </summary>
    public static bool TryReadSessionArguments(string[] args, int defaultSessions, out int orders, out int sessions, out int? retained, out bool reconcile)
    {
        orders = 20_000;
        sessions = defaultSessions;
        retained = null;
        reconcile = args.Length > 4 && args[4] == "reconcile";
        var keep = 0;
        var ok = (args.Length <= 1 || int.TryParse(args[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out orders))
            && (args.Length <= 2 || int.TryParse(args[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sessions))
            && (args.Length <= 3 || args[3] == "all" || (int.TryParse(args[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out keep) && keep >= 1))
            && (args.Length <= 4 || reconcile)
            && args.Length <= 5 && orders >= 2 && sessions >= 1;
        if (ok && args.Length > 3 && args[3] != "all")
        {
            retained = keep;
        }

        return ok;
    }

    public static MovingAverageCrossStrategy MaCross() => new(new MovingAverageCrossOptions { Symbol = Symbol.Value, FastPeriod = 10, SlowPeriod = 30 });

    /// <summary>The baseline: every bar through one bounded channel hop, producer and consumer on separate tasks.</summary>
    public static async Task<long> RawChannelHopAsync(Bar[] bars)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<EngineInput>(
            new System.Threading.Channels.BoundedChannelOptions(65_536) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            foreach (var bar in bars)
            {
                await channel.Writer.WriteAsync(EngineInput.ForMarketData(bar)).ConfigureAwait(false);
            }

            channel.Writer.Complete();
        });
        long count = 0;
        await foreach (var item in channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            count += item.Kind == EngineInputKind.MarketData ? 1 : 0;
        }

        await producer.ConfigureAwait(false);
        return count;
    }

    /// <summary>Feeds an array of bars.</summary>
    public sealed class ArrayFeed(Bar[] bars) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var bar in bars)
            {
                yield return bar;
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <summary>Buys on one bar and sells on the next: every bar is one order round trip (intent → risk → OMS → paper fill → portfolio).</summary>
    public sealed class PingPongStrategy : IStrategy
    {
        private static readonly string[] Reasons = ["BENCH"];
        private bool _long;

        public StrategyId Id { get; } = new("ping-pong");

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnFill(Fill fill, IStrategyContext context)
        {
        }

        public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
        {
            context.Decide(new Decision
            {
                Symbol = marketData.Symbol,
                Action = _long ? DecisionAction.Sell : DecisionAction.Buy,
                Quantity = 1m,
                ReasonCodes = Reasons,
            });
            _long = !_long;
        }
    }
}
