using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Reconciliation;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Risk;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Engine;

/// <summary>
/// UC-05 and PIPE-260 §7: a restart is not an operator's reset. A risk guard trip no operator reset, and an operator's
/// pause, stand in the process that resumes the session (they are in its log); only <c>ResetSafeMode</c> and
/// <c>ResumeEngine</c> undo them.
/// </summary>
public sealed class ControlStateAfterRestartTests
{
    private const string Session = "control-1";
    private static readonly Symbol Spx = RandomSession.Spx;
    private static readonly Instrument SpxRules = new(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);

    [Fact]
    public async Task HaltedTrip_ThatNoOperatorReset_KeepsTheResumedSessionSafe_UntilResetSafeMode()
    {
        var bars = RandomSession.Bars(5, 40, Spx);
        var (run, first) = await HaltedByRejectsAsync(bars);
        Assert.Equal(EngineState.Safe, first.State);
        Assert.Equal(3, first.Orders.SubmittedCount);

        // The first process dies (no stop); the next one resumes the session on the same log and venue.
        var resumed = run.NewEngine();
        await resumed.StartAsync();

        Assert.Equal(EngineState.Safe, resumed.State);
        Assert.Equal(TradingState.Halted, run.Guard.State);
        Assert.Equal(TripCauses.ConsecutiveRejects, run.Guard.LastTrip!.Cause);

        // The operator reads why in the journal too.
        await resumed.StopAsync();
        var restored = File.ReadAllLines(Path.Combine(run.Root, "sessions", Session, "risk_events.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(r => r.GetProperty("type").GetString() == "risk_guard_restored");
        Assert.Equal(TripCauses.ConsecutiveRejects, restored.GetProperty("rule").GetString());
        Assert.Equal("RISK_GUARD_TRIPPED", restored.GetProperty("code").GetString());
        resumed = run.NewEngine();
        await resumed.StartAsync();
        Assert.Equal(EngineState.Safe, resumed.State);
        await resumed.ResumeAfterAsync([.. bars.Take(10)]);
        await FeedAsync(resumed, bars.Skip(10).Take(10));
        Assert.Equal(3, resumed.Orders.SubmittedCount);

        // The operator's reset re-arms it: the engine trades again (and the venue rejects again).
        var reset = await resumed.ExecuteCommandForTestAsync(Command(new ResetSafeMode("checked the venue")));
        Assert.True(reset.Succeeded, reset.Message);
        Assert.Equal(EngineState.Running, resumed.State);
        Assert.Equal(TradingState.Active, run.Guard.State);
        await FeedAsync(resumed, bars.Skip(20).Take(2));
        Assert.Equal(5, resumed.Orders.SubmittedCount);
    }

    [Fact]
    public async Task ConsecutiveRejects_BeforeTheRestart_StillCount_SoTheLimitTripsOnTime()
    {
        var bars = RandomSession.Bars(5, 20, Spx);
        var run = new Run(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules], Faults = { RejectRate = 1.0 } },
            new RiskOptions { ConsecutiveRejectLimit = 3 });
        var first = run.NewEngine();
        await first.StartAsync();
        await FeedAsync(first, bars.Take(2));
        Assert.Equal((2, EngineState.Running), (first.Orders.RejectedCount, first.State));

        // Two of three rejects before the process dies; the resumed one trips on its first.
        var resumed = run.NewEngine();
        await resumed.StartAsync();
        await FeedAsync(resumed, bars.Skip(2).Take(1));

        Assert.Equal(EngineState.Safe, resumed.State);
        Assert.Equal(TripCauses.ConsecutiveRejects, run.Guard.LastTrip!.Cause);
        Assert.Equal(3m, run.Guard.LastTrip.Observed);
    }

    [Fact]
    public async Task ConsecutiveRejects_BeforeAnOperatorsReset_DoNotCountAfterTheRestart()
    {
        var bars = RandomSession.Bars(5, 20, Spx);
        var (run, first) = await HaltedByRejectsAsync(bars);
        Assert.True((await first.ExecuteCommandForTestAsync(Command(new ResetSafeMode("checked")))).Succeeded);
        await FeedAsync(first, bars.Skip(10).Take(1));

        // One reject after the reset, then the restart: two more are needed, not none.
        var resumed = run.NewEngine();
        await resumed.StartAsync();
        await FeedAsync(resumed, bars.Skip(11).Take(1));
        Assert.Equal(EngineState.Running, resumed.State);
        await FeedAsync(resumed, bars.Skip(12).Take(1));
        Assert.Equal(EngineState.Safe, resumed.State);
    }

    [Fact]
    public async Task OrderRateWindow_SurvivesTheRestart_AnOrderOverTheLimitIsDenied()
    {
        // Bars ten seconds apart: three orders in the first half minute use the whole per-minute budget.
        var start = RandomSession.Bars(5, 1, Spx)[0].OpenTime;
        var bars = RandomSession.Bars(5, 6, Spx).Select((b, i) => b with { OpenTime = start.AddSeconds(10 * i), Timestamp = start.AddSeconds(10 * (i + 1)) }).ToList();
        var run = new Run(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] }, new RiskOptions { OrdersPerMinute = 3 });
        var first = run.NewEngine();
        await first.StartAsync();
        await FeedAsync(first, bars.Take(3));
        Assert.Equal(3, first.Orders.SubmittedCount);

        var resumed = run.NewEngine();
        await resumed.StartAsync();
        await FeedAsync(resumed, bars.Skip(3).Take(1));
        await resumed.StopAsync();

        Assert.Equal(1, resumed.Orders.DeniedCount);
        var denied = File.ReadAllLines(Path.Combine(run.Root, "sessions", Session, "risk_events.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(r => r.GetProperty("type").GetString() == "risk_denied");
        Assert.Equal(RiskCodes.OrderRateLimit, denied.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Trip_ThatAnOperatorReset_BeforeTheRestart_DoesNotComeBack()
    {
        var (run, first) = await HaltedByRejectsAsync(RandomSession.Bars(5, 40, Spx));
        Assert.True((await first.ExecuteCommandForTestAsync(Command(new ResetSafeMode("checked")))).Succeeded);

        var resumed = run.NewEngine();
        await resumed.StartAsync();

        Assert.Equal(EngineState.Running, resumed.State);
        Assert.Equal(TradingState.Active, run.Guard.State);
        Assert.Null(run.Guard.LastTrip);
    }

    [Fact]
    public async Task ReducingTrip_StandsInTheResumedSession_AndStillDeniesOpeningOrders()
    {
        var bars = RandomSession.Bars(5, 40, Spx);

        // Every fill slips 50 bps against a 10 bps limit: the first fill trips REDUCING (only orders that reduce a position).
        var run = new Run(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules], SlippageBps = 50m },
            new RiskOptions { MaxSlippageBps = 10m, StopPlan = { Positions = StopPlanPositionAction.Hold } });
        var first = run.NewEngine();
        await first.StartAsync();
        await FeedAsync(first, bars.Take(3));
        Assert.Equal(TradingState.Reducing, run.Guard.State);
        Assert.Equal(EngineState.Running, first.State);

        var resumed = run.NewEngine();
        await resumed.StartAsync();

        Assert.Equal(TradingState.Reducing, run.Guard.State);
        Assert.Equal(TripCauses.SlippageSpike, run.Guard.LastTrip!.Cause);
        Assert.Equal(EngineState.Running, resumed.State);
        var opening = run.Guard.CheckPreTrade(new PreTradeContext
        {
            Order = new OrderRequest { ClientOrderId = new ClientOrderId("probe-1"), Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m },
            Now = run.Clock.GetUtcNow(),
            Portfolio = resumed.Portfolio.RiskView,
            LastPrice = bars[2].Close,
            LastPriceAt = run.Clock.GetUtcNow(),
            Position = resumed.Portfolio.GetNetQuantity(Spx),
        });
        Assert.False(opening.Allowed);
    }

    [Fact]
    public async Task OperatorPause_StandsInTheResumedSession_UntilResumeEngine()
    {
        var bars = RandomSession.Bars(5, 40, Spx);
        var run = new Run(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] }, new RiskOptions());
        var first = run.NewEngine();
        await first.StartAsync();
        await FeedAsync(first, bars.Take(4));
        Assert.True((await first.ExecuteCommandForTestAsync(Command(new PauseEngine("lunch")))).Succeeded);
        var submitted = first.Orders.SubmittedCount;

        var resumed = run.NewEngine();
        await resumed.StartAsync();

        Assert.Equal(EngineState.Paused, resumed.State);
        await resumed.ResumeAfterAsync([.. bars.Take(4)]);
        await FeedAsync(resumed, bars.Skip(4).Take(4));
        Assert.Equal(submitted, resumed.Orders.SubmittedCount);

        Assert.True((await resumed.ExecuteCommandForTestAsync(Command(new ResumeEngine("back")))).Succeeded);
        Assert.Equal(EngineState.Running, resumed.State);
        await FeedAsync(resumed, bars.Skip(8).Take(2));
        Assert.True(resumed.Orders.SubmittedCount > submitted);
    }

    /// <summary>
    /// A first process whose every submit the venue refuses, so three rejects in a row halt the guard: a condition of
    /// counts, which a new process would not meet again for three more orders.
    /// </summary>
    private static async Task<(Run Run, TradingEngine First)> HaltedByRejectsAsync(IReadOnlyList<Bar> bars)
    {
        var run = new Run(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules], Faults = { RejectRate = 1.0 } },
            new RiskOptions { ConsecutiveRejectLimit = 3 });
        var first = run.NewEngine();
        await first.StartAsync();
        await FeedAsync(first, bars.Take(10));
        return (run, first);
    }

    private static CommandEnvelope Command(ITradingCommand command)
        => new(Guid.NewGuid(), "op-" + Guid.NewGuid().ToString("N"), command, "operator", DateTimeOffset.UnixEpoch, CorrelationId.New());

    private static async Task FeedAsync(TradingEngine engine, IEnumerable<Bar> bars)
    {
        foreach (var bar in bars)
        {
            await engine.ProcessAsync(EngineInput.ForMarketData(bar));
        }
    }

    /// <summary>One paper venue, one log and one clock, which each new process of the session is given.</summary>
    private sealed class Run
    {
        private readonly PaperVenue _venue;
        private readonly InMemoryEventStore _store;
        private readonly RiskOptions _risk;

        public Run(PaperVenueOptions venue, RiskOptions risk)
        {
            Clock = new SimulationTimeProvider(RandomSession.Bars(5, 1, Spx)[0].OpenTime);
            _venue = new PaperVenue(venue, Clock);
            _store = new InMemoryEventStore(Clock);
            _risk = risk;
            Guard = new RiskGuard(risk);
        }

        private int _processes;

        public SimulationTimeProvider Clock { get; }

        /// <summary>Where the session's journal goes.</summary>
        public string Root { get; } = Path.Combine(Path.GetTempPath(), "tradingkit-control-" + Guid.NewGuid().ToString("N"));

        /// <summary>The guard of the newest process.</summary>
        public RiskGuard Guard { get; private set; }

        public TradingEngine NewEngine()
        {
            Guard = new RiskGuard(_risk);
            var options = new EngineOptions
            {
                Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
                ReconcileInterval = null,
                SessionId = Session,
                InitialCash = 100_000m,
            };
            options.Instruments.Add(SpxRules);
            options.Oms.RetryBaseDelay = TimeSpan.Zero;
            options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
            var journal = new TradingKit.Journal.FileSessionJournal(Root, new SessionId(Session), new TradingKit.Journal.FileSessionJournalOptions { Resume = _processes++ > 0 });
            var engine = new TradingEngine(options, _venue, _store, [new EveryBarStrategy()], Clock, riskGuard: Guard, journal: journal);
            engine.ConfigureRecovery(new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero, InFlightGrace = TimeSpan.Zero });
            return engine;
        }
    }

    /// <summary>Buys on even minutes and sells on odd ones, one unit, with an intent key per bar: an order every bar.</summary>
    private sealed class EveryBarStrategy : IStrategy
    {
        private static readonly string[] Reasons = ["EVERY_BAR"];

        public StrategyId Id { get; } = new("every-bar");

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
            => context.Decide(new Decision
            {
                Symbol = marketData.Symbol,
                Action = marketData.Timestamp.Minute % 2 == 0 || context.GetPosition(marketData.Symbol) <= 0m ? DecisionAction.Buy : DecisionAction.Sell,
                Quantity = 1m,
                ReasonCodes = Reasons,
                IntentKey = "m" + marketData.Timestamp.ToUnixTimeSeconds(),
            });

        public void OnFill(Fill fill, IStrategyContext context)
        {
        }
    }
}
