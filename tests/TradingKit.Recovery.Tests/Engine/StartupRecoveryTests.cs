using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Reconciliation;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Engine;

public sealed class StartupRecoveryTests
{
    private static readonly Symbol Spx = RandomSession.Spx;

    [Fact]
    public async Task TEST713_RestartAfterNetworkFailure_SyncsOpenOrdersAndPositions_AndRecoversWithoutDuplicateOrders()
    {
        var bars = RandomSession.Bars(13, 120, Spx);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var instrument = new Instrument(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);
        var paperOptions = new PaperVenueOptions { InitialCash = 100_000m, TakerFeeBps = 1m, Instruments = [instrument] };
        paperOptions.Faults.Seed = 13;
        paperOptions.Faults.DropFillReportRate = 0.3;
        var venue = new FaultyVenue(new PaperVenue(paperOptions, clock));
        var store = new InMemoryEventStore(clock);

        // Process A trades, takes an operator order, and dies without a graceful stop.
        var a = NewEngine(venue, store, clock, instrument);
        await a.StartAsync();
        foreach (var bar in bars.Take(60))
        {
            await a.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        var place = new CommandEnvelope(Guid.NewGuid(), "operator-buy-1", new PlaceOrder { Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m, LimitPrice = 1m, StopPrice = null, TrailingOffset = null, TimeInForce = TimeInForce.Gtc, ExpireAt = null, ReduceOnly = false, PositionSide = PositionSide.Both, ClientOrderId = null },
            "alice", clock.GetUtcNow(), CorrelationId.New());
        await a.ProcessAsync(EngineInput.ForCommand(place));
        Assert.True(a.Orders.OpenOrderCount > 0, "some orders should still rest at the venue");
        var venueFills = await venue.GetRecentFillsAsync(null, DateTimeOffset.MinValue);
        Assert.True(venueFills.Count > a.Orders.FillCount, "fill reports should have been lost before the crash");
        await a.DisposeAsync();

        // Process B starts during a network failure: the venue cannot be read, so nothing may trade.
        var b = NewEngine(venue, store, clock, instrument);
        b.ConfigureRecovery(new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero, CompareBalances = true });
        venue.PositionFailures = 3;
        var failed = await b.RecoverAsync();

        Assert.False(failed.Succeeded);
        Assert.Equal(ReconciliationErrorCodes.PositionSyncFail, Assert.Single(failed.Reconciliation.Errors).Code);
        Assert.True(b.IsRecovering);
        Assert.Equal(ReconciliationErrorCodes.RecoveryInProgress, b.CheckRecoveryGate(Spx).Code);
        Assert.True(failed.OrdersRestored > 0);
        Assert.Empty(failed.Issues);

        // The network is back: recovery completes.
        var recovered = await b.RecoverAsync();

        Assert.True(recovered.Succeeded);
        Assert.Equal(0, recovered.EventsReplayed);
        Assert.False(b.IsRecovering);
        Assert.True(b.CheckRecoveryGate(Spx).Allowed);
        var venueOpen = (await venue.GetOpenOrdersAsync()).Select(o => o.ClientOrderId).OrderBy(i => i.Value).ToList();
        Assert.Equal(venueOpen, b.Orders.GetOpenOrders().Select(o => o.ClientOrderId).OrderBy(i => i.Value).ToList());
        Assert.Equal((await venue.GetPositionsAsync()).Sum(p => p.Quantity), b.Portfolio.GetNetQuantity(Spx));
        Assert.Equal((await venue.GetBalancesAsync()).Single().Total, b.Portfolio.Cash);
        Assert.Equal(venueFills.Count, b.Portfolio.FillCount);

        // The operator's command, redelivered after the crash, finds its order: no second order reaches the venue.
        await b.StartAsync();
        var submits = venue.Submits;
        var again = await b.ExecuteCommandForTestAsync(place);
        Assert.True(again.Succeeded);
        Assert.Contains("Duplicate", again.Message, StringComparison.Ordinal);
        Assert.Equal(submits, venue.Submits);

        // Trading continues with new ids and every order stream continues where process A left it.
        foreach (var bar in bars.Skip(60))
        {
            await b.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        Assert.True(venue.Submits > submits);
        Assert.Equal(0, b.Orders.RejectedCount);
        var second = await b.ReconcileAsync("periodic");
        Assert.Empty(second.Errors);
        Assert.DoesNotContain(second.Drifts, d => d.Type is not DriftType.AveragePriceMismatch and not DriftType.MissingFill);
        Assert.Equal((await venue.GetPositionsAsync()).Sum(p => p.Quantity), b.Portfolio.GetNetQuantity(Spx));
        await b.DisposeAsync();

        // The log stays consistent: a rebuild of everything both processes wrote reproduces process B's state.
        var rebuilder = new TradingKit.Replay.ProjectionRebuilder(new TradingKit.Replay.ProjectionRebuildOptions { InitialCash = 100_000m });
        await rebuilder.RebuildAsync(store);
        Assert.Empty(rebuilder.Issues);
        Assert.Equal(b.Portfolio.Cash, rebuilder.Portfolio.Cash);
        Assert.Equal(b.Orders.Orders.Count(o => o.Status != OrderStatus.Denied), rebuilder.Orders.Count);
    }

    [Fact]
    public async Task Recovery_RestoresQuarantines_AndTheGateRefusesTheSymbol()
    {
        var clock = new SimulationTimeProvider(RandomSession.Start);
        var instrument = new Instrument(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);
        var venue = new FaultyVenue(new PaperVenue(new PaperVenueOptions { Instruments = [instrument] }, clock));
        var store = new InMemoryEventStore(clock);
        await store.AppendAsync("reconcile-earlier", -1, [new EventData(Guid.NewGuid(), new QuarantineStarted("SPX", "PositionMismatch"), clock.GetUtcNow(), CorrelationId.New())]);
        var engine = NewEngine(venue, store, clock, instrument);
        engine.ConfigureRecovery(new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero });

        // A venue that is still holding an external order keeps the quarantine on.
        await venue.SubmitAsync(new OrderRequest { ClientOrderId = new ClientOrderId("manual-9"), Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m, LimitPrice = 1m });
        var report = await engine.RecoverAsync();

        Assert.True(report.Succeeded);
        var gate = engine.CheckRecoveryGate(Spx);
        Assert.False(gate.Allowed);
        Assert.Equal(ReconciliationErrorCodes.SymbolQuarantined, gate.Code);
        Assert.True(engine.CheckRecoveryGate(new Symbol("NDX")).Allowed);
        await engine.DisposeAsync();
    }

    private static TradingEngine NewEngine(FaultyVenue venue, InMemoryEventStore store, SimulationTimeProvider clock, Instrument instrument)
    {
        var options = new EngineOptions { Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper }, ReconcileInterval = null, SessionId = "s713", InitialCash = 100_000m };
        options.Instruments.Add(instrument);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        return new TradingEngine(options, venue, store, [new ScheduleStrategy()], clock);
    }

    /// <summary>Decides from the bar alone (its minute), so two processes decide alike: buys, sells and resting limit orders.</summary>
    private sealed class ScheduleStrategy : IStrategy
    {
        private static readonly string[] Reasons = ["SCHEDULE"];

        public StrategyId Id { get; } = new("schedule");

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
        {
            var minute = marketData.Timestamp.Minute;
            var price = marketData.LastPrice;
            var decision = (minute % 6) switch
            {
                0 => new Decision { Symbol = marketData.Symbol, Action = DecisionAction.Buy, ReasonCodes = Reasons, Quantity = 2m, IntentKey = "b" },
                3 => new Decision { Symbol = marketData.Symbol, Action = DecisionAction.Sell, ReasonCodes = Reasons, Quantity = 1m, OrderType = OrderType.Limit, LimitPrice = Math.Round(price * 1.002m, 2), IntentKey = "s" },
                5 => new Decision { Symbol = marketData.Symbol, Action = DecisionAction.Buy, ReasonCodes = Reasons, Quantity = 1m, OrderType = OrderType.Limit, LimitPrice = Math.Round(price * 0.97m, 2), IntentKey = "r" },
                _ => Decision.Hold(marketData.Symbol, Reasons),
            };
            context.Decide(decision);
        }

        public void OnFill(Fill fill, IStrategyContext context)
        {
        }
    }
}

internal static class EngineTestExtensions
{
    public static async Task<CommandResult> ExecuteCommandForTestAsync(this TradingEngine engine, CommandEnvelope command)
    {
        var completion = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await engine.ProcessAsync(EngineInput.ForCommand(command, completion));
        return await completion.Task;
    }
}
