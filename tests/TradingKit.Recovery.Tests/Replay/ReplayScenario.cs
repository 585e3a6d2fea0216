using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Replay;
using TradingKit.Risk;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Replay;

/// <summary>
/// A paper session for replay tests: the real engine, OMS, risk guard and kill switch over a paper venue with seeded faults,
/// an MA-cross strategy, timers and operator commands mid-session. The same builder makes the recorded engine and the
/// replayed one, so a replay differs only where a test changes something on purpose.
/// </summary>
internal static class ReplayScenario
{
    public const string SessionId = "replay-session";
    public static readonly Symbol Spx = RandomSession.Spx;

    public static readonly Instrument Instrument = new(Spx, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);

    public static IReadOnlyList<Bar> Bars(int count = 240) => RandomSession.Bars(21, count, Spx);

    public static PaperVenue NewVenue(TimeProvider clock, bool faults = true)
    {
        var options = new PaperVenueOptions { InitialCash = 100_000m, SlippageBps = 2m, TakerFeeBps = 1m, MakerFeeBps = 0.5m, ParticipationRate = 0.5m, Instruments = [Instrument] };
        if (faults)
        {
            options.Faults.Seed = 7;
            options.Faults.RejectRate = 0.1;
            options.Faults.TransientTimeoutRate = 0.1;
            options.Faults.UnknownOutcomeRate = 0.1;
            options.Faults.DropAckRate = 0.1;
            options.Faults.DropFillReportRate = 0.15;
        }

        return new PaperVenue(options, clock);
    }

    /// <summary>Builds the engine; the same call builds the recorded and the replayed one.</summary>
    public static TradingEngine NewEngine(IBrokerAdapter broker, SimulationTimeProvider clock, EngineReplayHook? hook, int slowPeriod = 8, bool driveClock = true,
        TradingKit.Journal.ISessionJournal? journal = null)
    {
        var options = new EngineOptions
        {
            SessionId = SessionId,
            InitialCash = 100_000m,
            Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
            ReconcileInterval = TimeSpan.FromMinutes(30),
            DriveClockFromMarketData = driveClock,
        };
        options.Instruments.Add(Instrument);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        var killSwitch = KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.Off, clock).AsTask().GetAwaiter().GetResult();
        var risk = new RiskGuard(new RiskOptions { ConsecutiveRejectLimit = null, ConsecutiveFailureLimit = null, OrdersPerMinute = null, PriceBandBps = null },
            killSwitch, new Dictionary<Symbol, Instrument> { [Spx] = Instrument });
        var strategy = new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = Spx.Value, FastPeriod = 3, SlowPeriod = slowPeriod, EquityFraction = 0.02m });
        return new TradingEngine(options, broker, new InMemoryEventStore(clock), [strategy], clock, risk, journal, killSwitch: killSwitch, replayRecorder: hook);
    }

    /// <summary>The replay's engine factory for sessions built by <see cref="NewEngine"/>.</summary>
    public static Func<SessionReplayContext, TradingEngine> ReplayFactory(int slowPeriod = 8)
        => context => NewEngine(context.Broker, context.Clock, context.Hook, slowPeriod);

    /// <summary>
    /// Drives a session by hand: bars, a timer tick every few bars, and operator commands (an order, a modify, a cancel,
    /// cancel-all, the kill switch on and off). <paramref name="afterInput"/> runs after each input (a live venue's pump).
    /// </summary>
    public static async Task DriveAsync(TradingEngine engine, SimulationTimeProvider clock, IReadOnlyList<Bar> bars, Func<Task>? afterInput = null, bool stop = true,
        Func<Bar, Task>? beforeBar = null)
    {
        afterInput ??= () => Task.CompletedTask;
        await engine.StartAsync();
        await afterInput();
        var commands = 0;
        async Task CommandAsync(ITradingCommand command)
        {
            commands++;
            var envelope = new CommandEnvelope(Guid.NewGuid(), "op-" + commands, command, "alice", clock.GetUtcNow(), CorrelationId.New());
            await engine.ProcessAsync(EngineInput.ForCommand(envelope));
            await afterInput();
        }

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            if (beforeBar is not null)
            {
                await beforeBar(bar);
            }

            await engine.ProcessAsync(EngineInput.ForMarketData(bar));
            await afterInput();
            if (i % 5 == 4)
            {
                clock.AdvanceTo(bar.Timestamp.AddSeconds(30));
                await engine.ProcessAsync(EngineInput.Timer);
                await afterInput();
            }

            switch (i)
            {
                case 30 or 100:
                    await CommandAsync(new PlaceOrder
                    {
                        Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 3m, LimitPrice = Math.Round(bar.Close * 0.97m, 2),
                        StopPrice = null, TrailingOffset = null, TimeInForce = TimeInForce.Gtc, ExpireAt = null, ReduceOnly = false, PositionSide = PositionSide.Both, ClientOrderId = null,
                    });
                    break;
                case 45 or 115 when engine.Orders.GetOpenOrders().FirstOrDefault(o => o.Type == OrderType.Limit) is { } resting:
                    await CommandAsync(new ModifyOrder(resting.ClientOrderId, Spx, resting.Quantity + 1m, resting.LimitPrice - 0.5m, null));
                    break;
                case 60:
                    await CommandAsync(new CancelAll(null, "operator clears the book"));
                    break;
                case 130 when engine.Orders.GetOpenOrders() is [var open, ..]:
                    await CommandAsync(new CancelOrder(open.ClientOrderId, Spx, "operator cancel"));
                    break;
                case 150:
                    await CommandAsync(new SetKillSwitch(true, "operator halts trading"));
                    break;
                case 175:
                    await CommandAsync(new SetKillSwitch(false, "operator resumes trading"));
                    break;
            }
        }

        if (stop)
        {
            await engine.StopAsync();
        }
    }

    /// <summary>Records a paper session on a simulated venue (the venue is driven by the loop).</summary>
    public static async Task<ReplayArtifact> RecordSimulatedAsync(IReadOnlyList<Bar> bars, int slowPeriod = 8, bool faults = true)
    {
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var recorder = ReplayInputRecorder.InMemory();
        await using var engine = NewEngine(NewVenue(clock, faults), clock, recorder, slowPeriod);
        await DriveAsync(engine, clock, bars);
        return recorder.ToArtifact();
    }

    /// <summary>
    /// Records a session on a live-style venue: the paper venue hidden behind a broker that is not a market data listener, its
    /// reports pumped into the engine as venue inputs after every input, as a live adapter's stream would deliver them.
    /// </summary>
    public static async Task<(ReplayArtifact Artifact, TradingEngine Engine)> RecordLiveStyleAsync(IReadOnlyList<Bar> bars)
    {
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var venue = NewVenue(clock);
        var live = new LiveStyleVenue(venue);
        var recorder = ReplayInputRecorder.InMemory();
        var engine = NewEngine(live, clock, recorder);
        var pumped = 0;
        async Task PumpAsync()
        {
            while (venue.Events.TryRead(out var report))
            {
                pumped++;
                await engine.ProcessAsync(EngineInput.ForVenue(report));
            }
        }

        // The venue sees each bar first (its stream is ahead of the engine's feed); its reports arrive as inputs before the bar.
        await DriveAsync(engine, clock, bars, PumpAsync, stop: false, beforeBar: async bar =>
        {
            venue.OnMarketData(bar);
            await PumpAsync();
        });
        // A last operator order whose reports are not pumped: the engine drains them itself when it stops.
        var last = new PlaceOrder
        {
            Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m, LimitPrice = null,
            StopPrice = null, TrailingOffset = null, TimeInForce = TimeInForce.Gtc, ExpireAt = null, ReduceOnly = false, PositionSide = PositionSide.Both, ClientOrderId = null,
        };
        await engine.ProcessAsync(EngineInput.ForCommand(new CommandEnvelope(Guid.NewGuid(), "op-last", last, "alice", clock.GetUtcNow(), CorrelationId.New())));
        venue.OnMarketData(bars[^1] with { Timestamp = bars[^1].Timestamp.AddMinutes(1), OpenTime = bars[^1].Timestamp });
        Assert.True(venue.Events.TryPeek(out _), "reports should be left for the stop to drain");
        await engine.StopAsync();
        Assert.True(pumped > 0);
        return (recorder.ToArtifact(), engine);
    }

    /// <summary>A venue that is not a market data listener: the engine treats it as live (its events are inputs).</summary>
    internal sealed class LiveStyleVenue(PaperVenue inner) : IBrokerAdapter
    {
        public string VenueName => "live-style";

        public ChannelReader<VenueEvent> Events => inner.Events;

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => inner.ConnectAsync(cancellationToken);

        public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default) => inner.SubmitAsync(request, cancellationToken);

        public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default) => inner.CancelAsync(symbol, clientOrderId, cancellationToken);

        public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default) => inner.ModifyAsync(request, cancellationToken);

        public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default) => inner.QueryOrderAsync(symbol, clientOrderId, cancellationToken);

        public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default) => inner.GetOpenOrdersAsync(symbol, cancellationToken);

        public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default) => inner.GetPositionsAsync(cancellationToken);

        public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default) => inner.GetBalancesAsync(cancellationToken);

        public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default) => inner.GetRecentFillsAsync(symbol, since, cancellationToken);
    }
}
