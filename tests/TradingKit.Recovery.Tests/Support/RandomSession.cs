using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.TestSupport;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Support;

/// <summary>
/// A seeded random paper session on the real engine, OMS, paper venue and in-memory store: random bars, a strategy that
/// buys, sells and closes at random with market and limit orders, operator cancels and modifies, and venue faults.
/// </summary>
internal sealed class RandomSession : IAsyncDisposable
{
    public static readonly Symbol Spx = new("SPX");
    public static readonly Symbol Ndx = new("NDX");
    public static readonly DateTimeOffset Start = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    private readonly Random _random;

    private RandomSession(int seed, Action<PaperVenueOptions>? configure, decimal initialCash)
    {
        _random = new Random(seed);
        Clock = new SimulationTimeProvider(Start);
        var instruments = new[]
        {
            new Instrument(Spx, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m),
            new Instrument(Ndx, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m),
        };
        VenueOptions = new PaperVenueOptions
        {
            InitialCash = initialCash,
            SlippageBps = 2m,
            TakerFeeBps = 1m,
            MakerFeeBps = 0.5m,
            ParticipationRate = 0.5m,
            Instruments = instruments,
        };
        VenueOptions.Faults.Seed = seed;
        configure?.Invoke(VenueOptions);
        Venue = new PaperVenue(VenueOptions, Clock);
        Store = new InMemoryEventStore(Clock);
        Options = new EngineOptions { Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper }, ReconcileInterval = null, SessionId = "rs-" + seed, InitialCash = initialCash };
        foreach (var instrument in instruments)
        {
            Options.Instruments.Add(instrument);
        }

        Options.Oms.RetryBaseDelay = TimeSpan.Zero;
        Options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        Strategy = new RandomStrategy(new Random(seed + 1), "random", "RANDOM", tradeProbability: 0.35, closeBelow: 0.15, buyBelow: 0.6);
        Engine = new TradingEngine(Options, Venue, Store, [Strategy], Clock);
    }

    public SimulationTimeProvider Clock { get; }

    public PaperVenueOptions VenueOptions { get; }

    public PaperVenue Venue { get; }

    public InMemoryEventStore Store { get; }

    public EngineOptions Options { get; }

    public RandomStrategy Strategy { get; }

    public TradingEngine Engine { get; }

    public static RandomSession Create(int seed, Action<PaperVenueOptions>? configure = null, decimal initialCash = 1_000_000m)
        => new(seed, configure, initialCash);

    public static IReadOnlyList<Bar> Bars(int seed, int count, Symbol? symbol = null)
    {
        var random = new Random(seed * 31 + 7);
        var bars = new List<Bar>(count);
        var price = 100m;
        var time = Start;
        for (var i = 0; i < count; i++)
        {
            var open = price;
            var close = Math.Round(open * (1m + ((decimal)random.NextDouble() - 0.5m) * 0.02m), 2);
            var high = Math.Round(Math.Max(open, close) * (1m + (decimal)random.NextDouble() * 0.005m), 2);
            var low = Math.Round(Math.Min(open, close) * (1m - (decimal)random.NextDouble() * 0.005m), 2);
            var volume = random.Next(0, 4) == 0 ? 2m : random.Next(5, 200);
            bars.Add(new Bar(symbol ?? (i % 3 == 2 ? Ndx : Spx), time, time.AddMinutes(1), open, high, low, close, volume));
            time = time.AddMinutes(1);
            price = close;
        }

        return bars;
    }

    /// <summary>Runs the bars through the engine, with random operator cancels and modifies in between.</summary>
    public async Task RunAsync(IReadOnlyList<Bar> bars, bool stop = true)
    {
        await Engine.StartAsync();
        var commandNumber = 0;
        foreach (var bar in bars)
        {
            await Engine.ProcessAsync(EngineInput.ForMarketData(bar));
            var open = Engine.Orders.GetOpenOrders();
            if (open.Count > 0 && _random.NextDouble() < 0.3)
            {
                var order = open[_random.Next(open.Count)];
                ITradingCommand command = _random.NextDouble() < 0.6
                    ? new CancelOrder(order.ClientOrderId, order.Symbol, "random cancel")
                    : new ModifyOrder(order.ClientOrderId, order.Symbol, order.Quantity + 1m, order.LimitPrice is { } lp ? lp + 0.05m : null, null);
                commandNumber++;
                var envelope = new CommandEnvelope(Guid.NewGuid(), "cmd-" + commandNumber, command, "tester", Clock.GetUtcNow(), CorrelationId.New());
                await Engine.ProcessAsync(EngineInput.ForCommand(envelope));
            }
        }

        if (stop)
        {
            await Engine.StopAsync();
        }
    }

    public async Task<List<EventEnvelope>> ReadLogAsync()
    {
        var events = new List<EventEnvelope>();
        await foreach (var e in Store.ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
