using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Recovery.Tests.Engine;
using TradingKit.Recovery.Tests.Replay;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Streams;

/// <summary>UC-03 / UC-08 in the engine: a live venue's stream and the engine's polls meet in one merger.</summary>
public sealed class EngineStreamAndPollTests
{
    private static readonly Symbol Spx = RandomSession.Spx;
    private static readonly Instrument SpxRules = new(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);

    [Fact]
    public async Task UC08_FillLostOnTheStream_IsFoundByTheEnginesPoll()
    {
        var (engine, paper, clock) = await StartAsync(dropFillReports: 1.0, new VenueEventMergerOptions { PollInterval = TimeSpan.FromSeconds(30) });
        await BuyAndFillAsync(engine, paper, clock);
        Assert.Equal(0m, engine.Portfolio.GetNetQuantity(Spx));

        clock.AdvanceTo(clock.GetUtcNow().AddSeconds(31));
        await engine.ProcessAsync(EngineInput.Timer);

        Assert.Equal(1m, engine.Portfolio.GetNetQuantity(Spx));
        Assert.Equal(1, engine.Orders.FillCount);
        Assert.Equal(1, engine.VenueMerger!.PollLatency.Count);
        Assert.Equal(0, engine.VenueMerger.StreamLatency.Count);
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task WithoutStreamAndPoll_TheLostFillStaysLost_UntilReconciliation()
    {
        var (engine, paper, clock) = await StartAsync(dropFillReports: 1.0, null);
        await BuyAndFillAsync(engine, paper, clock);

        clock.AdvanceTo(clock.GetUtcNow().AddSeconds(31));
        await engine.ProcessAsync(EngineInput.Timer);

        Assert.Null(engine.VenueMerger);
        Assert.Equal(0m, engine.Portfolio.GetNetQuantity(Spx));
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task UC03_FillSeenOnTheStreamAndByThePoll_IsAppliedOnce()
    {
        var (engine, paper, clock) = await StartAsync(dropFillReports: 0, new VenueEventMergerOptions { PollInterval = TimeSpan.FromSeconds(30) });
        await BuyAndFillAsync(engine, paper, clock);
        Assert.Equal(1m, engine.Portfolio.GetNetQuantity(Spx));

        clock.AdvanceTo(clock.GetUtcNow().AddSeconds(31));
        await engine.ProcessAsync(EngineInput.Timer);

        Assert.Equal(1m, engine.Portfolio.GetNetQuantity(Spx));
        Assert.Equal(1, engine.Orders.FillCount);
        Assert.Equal(1, engine.VenueMerger!.StreamLatency.Count);
        Assert.Equal(0, engine.VenueMerger.PollLatency.Count);
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task APollTheAdapterRefusesOutright_IsLogged_AndTheLoopGoesOn()
    {
        var (engine, paper, clock) = await StartAsync(dropFillReports: 0, new VenueEventMergerOptions { PollInterval = TimeSpan.FromSeconds(30) },
            venue => new RefusingReads(venue));
        clock.AdvanceTo(clock.GetUtcNow().AddSeconds(31));

        await engine.ProcessAsync(EngineInput.Timer);

        Assert.Equal(EngineState.Running, engine.State);
        await BuyAndFillAsync(engine, paper, clock);
        Assert.Equal(1m, engine.Portfolio.GetNetQuantity(Spx));
        await engine.DisposeAsync();
    }

    private static async Task<(TradingEngine Engine, PaperVenue Paper, SimulationTimeProvider Clock)> StartAsync(double dropFillReports, VenueEventMergerOptions? merge,
        Func<IBrokerAdapter, IBrokerAdapter>? wrap = null)
    {
        var clock = new SimulationTimeProvider(RandomSession.Start);
        var venueOptions = new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] };
        venueOptions.Faults.Seed = 5;
        venueOptions.Faults.DropFillReportRate = dropFillReports;
        var paper = new PaperVenue(venueOptions, clock);
        var options = new EngineOptions
        {
            Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
            SessionId = "merge",
            InitialCash = 100_000m,
            ReconcileInterval = null,
            StreamAndPoll = merge,
        };
        options.Instruments.Add(SpxRules);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        IBrokerAdapter venue = new ReplayScenario.LiveStyleVenue(paper);
        var engine = new TradingEngine(options, wrap?.Invoke(venue) ?? venue, new InMemoryEventStore(clock),
            [new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX" })], clock);
        await engine.StartAsync();
        return (engine, paper, clock);
    }

    /// <summary>A market buy through an operator command, then a bar that fills it; every report the stream delivers reaches the engine.</summary>
    private static async Task BuyAndFillAsync(TradingEngine engine, PaperVenue paper, SimulationTimeProvider clock)
    {
        await BarAsync(engine, paper, clock, 100m);
        var place = new CommandEnvelope(Guid.NewGuid(), "buy-1", new PlaceOrder { Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m, LimitPrice = null, StopPrice = null, TrailingOffset = null, TimeInForce = TimeInForce.Gtc, ExpireAt = null, ReduceOnly = false, PositionSide = PositionSide.Both, ClientOrderId = null },
            "alice", clock.GetUtcNow(), CorrelationId.New());
        Assert.True((await engine.ExecuteCommandForTestAsync(place)).Succeeded);
        await BarAsync(engine, paper, clock, 101m);
        Assert.Single(await paper.GetRecentFillsAsync(null, DateTimeOffset.MinValue));
    }

    private static async Task BarAsync(TradingEngine engine, PaperVenue paper, SimulationTimeProvider clock, decimal close)
    {
        var open = clock.GetUtcNow();
        var bar = new Bar(Spx, open, open.AddSeconds(1), close, close, close, close, 1_000m);
        clock.AdvanceTo(bar.Timestamp);
        paper.OnMarketData(bar);
        while (paper.Events.TryRead(out var venueEvent))
        {
            await engine.ProcessAsync(EngineInput.ForVenue(venueEvent));
        }

        await engine.ProcessAsync(EngineInput.ForMarketData(bar));
    }

    /// <summary>An adapter that refuses the open-orders read with a typed error of its own (as one without credentials does), after start-up.</summary>
    private sealed class RefusingReads(IBrokerAdapter inner) : IBrokerAdapter
    {
        private int _openOrderReads;

        public string VenueName => inner.VenueName;

        public System.Threading.Channels.ChannelReader<VenueEvent> Events => inner.Events;

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => inner.ConnectAsync(cancellationToken);

        public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default) => inner.SubmitAsync(request, cancellationToken);

        public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default) => inner.CancelAsync(symbol, clientOrderId, cancellationToken);

        public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default) => inner.ModifyAsync(request, cancellationToken);

        public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default) => inner.QueryOrderAsync(symbol, clientOrderId, cancellationToken);

        public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
            => ++_openOrderReads > 1 ? throw new TradingKit.Errors.TradingKitException("CREDENTIALS_MISSING", "no keys (test)") : inner.GetOpenOrdersAsync(symbol, cancellationToken);

        public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default) => inner.GetPositionsAsync(cancellationToken);

        public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default) => inner.GetBalancesAsync(cancellationToken);

        public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default) => inner.GetRecentFillsAsync(symbol, since, cancellationToken);
    }
}
