using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Benchmarks.Recovery;

/// <summary>
/// One reconciliation (the engine's <c>RunReconcile</c> path: drain, snapshot, venue reads, comparison, the run's events)
/// with 1,000 open orders resting at the paper venue and known to the engine's OMS (target &lt; 1 s), beside the venue
/// reads alone.
/// </summary>
[MemoryDiagnoser]
public class ReconcileBenchmarks
{
    private const int OpenOrders = 1_000;

    private TradingEngine _engine = null!;
    private PaperVenue _venue = null!;

    /// <summary>Starts an engine and lets a strategy rest one buy limit far below the market on each of 1,000 bars.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        var clock = new SimulationTimeProvider(RecoveryFixture.Start);
        _venue = new PaperVenue(new PaperVenueOptions { InitialCash = 10_000_000m }, clock);
        var options = new EngineOptions
        {
            SessionId = "bench-reconcile",
            InitialCash = 10_000_000m,
            Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
            ReconcileInterval = null,
            JournalHoldDecisions = false,
        };
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        _engine = new TradingEngine(options, _venue, new InMemoryEventStore(clock), [new RestingBuyer()], clock);
        await _engine.StartAsync();
        var time = RecoveryFixture.Start;
        for (var i = 0; i < OpenOrders; i++)
        {
            await _engine.ProcessAsync(EngineInput.ForMarketData(new Bar(RecoveryFixture.Spx, time, time.AddMinutes(1), 100m, 100.5m, 99.5m, 100m, 1_000m)));
            time = time.AddMinutes(1);
        }

        var result = await _engine.ReconcileAsync("command");
        if (_engine.Orders.OpenOrderCount != OpenOrders || (await _venue.GetOpenOrdersAsync()).Count != OpenOrders || result.Drifts.Count > 0 || result.Errors.Count > 0)
        {
            throw new InvalidOperationException($"{_engine.Orders.OpenOrderCount} open in the OMS, {result.Drifts.Count} drift(s), {result.Errors.Count} error(s)");
        }
    }

    /// <summary>Stops the engine.</summary>
    [GlobalCleanup]
    public async Task Cleanup() => await _engine.DisposeAsync();

    /// <summary>The floor: the three venue reads a run makes (positions, open orders, recent fills), nothing compared.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> VenueReadsOnly()
    {
        var positions = await _venue.GetPositionsAsync();
        var open = await _venue.GetOpenOrdersAsync();
        var fills = await _venue.GetRecentFillsAsync(null, RecoveryFixture.Start);
        return positions.Count + open.Count + fills.Count;
    }

    /// <summary>One full reconciliation run through the engine, as the <c>RunReconcile</c> command makes it.</summary>
    [Benchmark]
    public async Task<int> Reconcile()
    {
        var result = await _engine.ReconcileAsync("command");
        return result.Drifts.Count;
    }

    /// <summary>Rests one GTC buy limit at half the last price on every bar.</summary>
    private sealed class RestingBuyer : IStrategy
    {
        private static readonly string[] Reasons = ["BENCH"];
        private int _intent;

        public StrategyId Id { get; } = new("bench-resting");

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
            => context.Decide(new Decision
            {
                Symbol = marketData.Symbol,
                Action = DecisionAction.Buy,
                ReasonCodes = Reasons,
                Quantity = 1m,
                OrderType = OrderType.Limit,
                LimitPrice = Math.Round(marketData.LastPrice / 2m, 2),
                TimeInForce = TimeInForce.Gtc,
                IntentKey = "rest-" + (++_intent),
            });

        public void OnFill(Fill fill, IStrategyContext context)
        {
        }
    }
}
