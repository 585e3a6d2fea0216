using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Testing.Engine;
using TradingKit.Time;
using TradingKit.Workers;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>
/// Seed 002 (SPEC-BACKEND-WORKER-004): two engines in worker mode trade one venue's symbols through one lock service and
/// one registry, and never both hold a position in the same symbol.
/// </summary>
public sealed class WorkerModeTests
{
    private static readonly Symbol Spx = new("SPX");

    [Fact]
    public async Task SC003_SC004_SC007_SC010_TwoWorkers_OnlyTheLockHolderEnters_AndTheOtherEntersOnceItIsFlat()
    {
        var bars = PaperPipeline.LoadBars(30);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var locks = new InMemorySymbolLockService(clock);
        var registry = new InMemoryWorkerRegistry(clock);
        var a = new ScriptedStrategy("worker-a-strategy", 10m, (2, DecisionAction.Buy), (10, DecisionAction.Close));
        var b = new ScriptedStrategy("worker-b-strategy", 10m, (5, DecisionAction.Buy), (12, DecisionAction.Buy), (20, DecisionAction.Close));
        await using var workerA = Worker("worker-a", a, bars, clock, locks, registry);
        await using var workerB = Worker("worker-b", b, bars, clock, locks, registry);
        await workerA.Engine.StartAsync();
        await workerB.Engine.StartAsync();
        Assert.Equal(("SCAN", "SCAN"), ((await registry.GetAsync("worker-a"))!.State, (await registry.GetAsync("worker-b"))!.State));

        var states = new List<(int Bar, string A, string B, string? Holder)>();
        for (var i = 0; i < bars.Count; i++)
        {
            await workerA.Engine.ProcessAsync(EngineInput.ForMarketData(bars[i]));
            await workerB.Engine.ProcessAsync(EngineInput.ForMarketData(bars[i]));
            states.Add((i, (await registry.GetAsync("worker-a"))!.State, (await registry.GetAsync("worker-b"))!.State, (await locks.GetAsync(Spx))?.WorkerId));

            // Never both in the symbol at once (SC-010).
            Assert.False(workerA.Engine.Portfolio.GetNetQuantity(Spx) != 0m && workerB.Engine.Portfolio.GetNetQuantity(Spx) != 0m, $"both hold SPX at bar {i}");
        }

        await workerA.Engine.StopAsync();
        await workerB.Engine.StopAsync();

        // A locked and entered on bar 2 and held until it closed on bar 10 (SC-003, SC-005, SC-007).
        Assert.Equal(("HOLD", "worker-a"), (states[5].A, states[5].Holder));
        Assert.Equal(("SCAN", null), (states[12].A, states[11].Holder));

        // B's intent on bar 5 was refused and never reached its venue (SC-004); on bar 12 the symbol was free (SC-010).
        var eventsB = await EventsAsync(workerB.Store);
        var rejected = Assert.Single(eventsB.Select(e => e.Payload).OfType<LockRejected>());
        Assert.Equal((Spx, "worker-b", "worker-a"), (rejected.Symbol, rejected.WorkerId, rejected.HeldBy));
        var submittedB = eventsB.Select(e => e.Payload).OfType<OrderSubmitted>().ToList();
        Assert.Equal(2, submittedB.Count);
        Assert.All(submittedB, o => Assert.True(o.ClientOrderId.Value.Length > 0));
        Assert.Contains(workerB.ReadJsonl("risk_events.jsonl"), r => r.GetProperty("code").GetString() == TradingEngine.WorkerLockRejectedCode
            && r.GetProperty("type").GetString() == "worker_lock_rejected" && r.GetProperty("symbol").GetString() == "SPX");
        Assert.Equal(("HOLD", "worker-b"), (states[15].B, states[15].Holder));
        Assert.Equal("SCAN", states[15].A);

        // Both ended flat: every lock released (SC-007), both workers EXIT.
        Assert.Empty(await locks.ListAsync());
        Assert.Equal(("EXIT", "EXIT"), ((await registry.GetAsync("worker-a"))!.State, (await registry.GetAsync("worker-b"))!.State));
        var eventsA = await EventsAsync(workerA.Store);
        Assert.Equal(
            [nameof(WorkerStarted), nameof(LockAcquired), nameof(PositionEntered), nameof(PositionExited), nameof(LockReleased)],
            eventsA.Select(e => e.Payload).Where(p => p is WorkerStarted or LockAcquired or LockRejected or LockReleased or PositionEntered or PositionExited)
                .Select(p => p.GetType().Name));
        var exited = Assert.Single(eventsA.Select(e => e.Payload).OfType<PositionExited>());
        var closed = Assert.Single(workerA.Engine.Portfolio.ClosedTrades);
        Assert.Equal((10m, closed.NetPnl, closed.AverageExitPrice), (exited.Quantity, exited.RealizedPnl, exited.ExitPrice));
        Assert.Equal("flat", Assert.Single(eventsA.Select(e => e.Payload).OfType<LockReleased>()).Reason);
        Assert.All(eventsA.Where(e => e.Payload is LockAcquired or LockReleased), e => Assert.Equal("symbol-lock-SPX", e.StreamId));
    }

    [Fact]
    public async Task SC002_SC010_TwoScannersOverFiveSymbols_NeverHoldTheSameSymbol_AndBothTrade()
    {
        var symbols = new[] { "AAA", "BBB", "CCC", "DDD", "EEE" };
        var bars = RandomWalks(symbols, days: 160);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var locks = new InMemorySymbolLockService(clock);
        var registry = new InMemoryWorkerRegistry(clock);
        var engines = new List<(TradingEngine Engine, InMemoryEventStore Store, string Worker)>();
        foreach (var worker in new[] { "scanner-1", "scanner-2" })
        {
            var options = new EngineOptions { SessionId = worker + "-session", InitialCash = 100_000m, Execution = { Mode = Execution.ExecutionMode.Paper } };
            options.Oms.RetryBaseDelay = TimeSpan.Zero;
            options.Worker.WorkerId = worker;
            options.Worker.LockTtl = TimeSpan.FromDays(10);
            options.Worker.HeartbeatInterval = TimeSpan.FromDays(1);
            var store = new InMemoryEventStore(clock);
            var venue = new PaperVenue(new PaperVenueOptions { InitialCash = 100_000m, SlippageBps = 2m, TakerFeeBps = 1m }, clock);
            var scanner = new BreakoutScannerStrategy(new BreakoutScannerOptions
            {
                StrategyId = worker,
                BreakoutPeriod = 5,
                TrendPeriod = 5,
                LiquidityPeriod = 5,
                CapitalLimit = 20_000m,
                MaxPositions = 2,
                StopLossPercent = 3m,
                TakeProfitPercent = 5m,
            });
            engines.Add((new TradingEngine(options, venue, store, [scanner], clock, symbolLocks: locks, workers: registry), store, worker));
        }

        foreach (var (engine, _, _) in engines)
        {
            await engine.StartAsync();
        }

        var overlaps = 0;
        foreach (var bar in bars)
        {
            foreach (var (engine, _, _) in engines)
            {
                await engine.ProcessAsync(EngineInput.ForMarketData(bar));
            }

            foreach (var symbol in symbols.Select(s => new Symbol(s)))
            {
                if (engines.All(e => e.Engine.Portfolio.GetNetQuantity(symbol) != 0m))
                {
                    overlaps++;
                }
            }
        }

        foreach (var (engine, _, _) in engines)
        {
            await engine.StopAsync();
        }

        Assert.Equal(0, overlaps);
        var entered = new List<PositionEntered>();
        var rejected = new List<LockRejected>();
        foreach (var (_, store, _) in engines)
        {
            var events = await EventsAsync(store);
            entered.AddRange(events.Select(e => e.Payload).OfType<PositionEntered>());
            rejected.AddRange(events.Select(e => e.Payload).OfType<LockRejected>());
        }

        // Both scanners traded, over more than one symbol, and the locks turned some entries away.
        Assert.All(new[] { "scanner-1", "scanner-2" }, w => Assert.Contains(entered, p => p.WorkerId == w));
        Assert.True(entered.Select(p => p.Symbol).Distinct().Count() >= 3, $"entries in {string.Join(",", entered.Select(p => p.Symbol).Distinct())}");
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.NotEqual(r.WorkerId, r.HeldBy));

        // What is still locked at the end is a position still held by the lock's worker.
        Assert.All(await locks.ListAsync(), l => Assert.NotEqual(0m, engines.Single(e => e.Worker == l.WorkerId).Engine.Portfolio.GetNetQuantity(l.Symbol)));
    }

    [Fact]
    public async Task AResumedWorker_TakesItsLocksAgain_WithoutANewEntry_OrKeepsAndOnlyReducesWhatAnotherWorkerTookMeanwhile()
    {
        var bars = PaperPipeline.LoadBars(20);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var locks = new InMemorySymbolLockService(clock);
        var registry = new InMemoryWorkerRegistry(clock);
        var store = new InMemoryEventStore(clock);
        var venue = new PaperVenue(new PaperVenueOptions { InitialCash = 100_000m }, clock);
        TradingEngine NewEngine(params (int Bar, DecisionAction Action)[] script)
        {
            var options = new EngineOptions { SessionId = "resumed-worker", InitialCash = 100_000m, ReconcileInterval = null, Execution = { Mode = Execution.ExecutionMode.Paper } };
            options.Oms.RetryBaseDelay = TimeSpan.Zero;
            options.Worker.WorkerId = "worker-r";
            options.Worker.LockTtl = TimeSpan.FromDays(10);
            options.Worker.HeartbeatInterval = TimeSpan.FromDays(1);
            return new TradingEngine(options, venue, store, [new ScriptedStrategy("resumed", 10m, script)], clock, symbolLocks: locks, workers: registry);
        }

        var first = NewEngine((1, DecisionAction.Buy));
        await first.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await first.ProcessAsync(EngineInput.ForMarketData(bars[i]));
        }

        Assert.Equal(10m, first.Portfolio.GetNetQuantity(Spx));

        // The process dies (no stop); the next one resumes the session: the position is its own, so is the lock.
        var second = NewEngine();
        await second.StartAsync();
        Assert.Equal((WorkerState.Hold, "worker-r"), (second.WorkerState, (await locks.GetAsync(Spx))!.WorkerId));
        Assert.Equal(("HOLD", Spx), ((await registry.GetAsync("worker-r"))!.State, (await registry.GetAsync("worker-r"))!.CurrentSymbol));
        Assert.Single((await EventsAsync(store)).Select(e => e.Payload).OfType<PositionEntered>());

        // It dies again; while it is down its lock expires and another worker takes SPX.
        clock.AdvanceTo(clock.GetUtcNow() + TimeSpan.FromDays(11));
        Assert.True((await locks.AcquireAsync(Spx, "worker-other", TimeSpan.FromDays(365))).Acquired);
        var third = NewEngine((1, DecisionAction.Buy), (3, DecisionAction.Close));
        await third.StartAsync();

        Assert.Equal(WorkerState.Hold, third.WorkerState);
        Assert.Empty(third.LockedSymbols);
        Assert.Equal(10m, third.Portfolio.GetNetQuantity(Spx));
        foreach (var bar in bars.Skip(4).Take(6))
        {
            await third.ProcessAsync(EngineInput.ForMarketData(bar with { OpenTime = bar.OpenTime.AddDays(11), Timestamp = bar.Timestamp.AddDays(11) }));
        }

        // The add (its second bar) was refused, the close (its fourth) went out; SPX stays the other worker's.
        var events = await EventsAsync(store);
        Assert.Equal(2, events.Count(e => e.Payload is OrderSubmitted));
        Assert.Contains(events, e => e.Payload is LockRejected { WorkerId: "worker-r", HeldBy: "worker-other" });
        Assert.Equal(0m, third.Portfolio.GetNetQuantity(Spx));
        Assert.Equal("worker-other", (await locks.GetAsync(Spx))!.WorkerId);
    }

    [Fact]
    public async Task OperatorOrdersAndApprovedProposals_NeedTheSymbolToo_AndWaitUntilItIsFree()
    {
        var bars = PaperPipeline.LoadBars(8);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var locks = new InMemorySymbolLockService(clock);
        var registry = new InMemoryWorkerRegistry(clock);
        var killSwitch = await Risk.KillSwitch.CreateAsync(new Risk.InMemoryKillSwitchHistory(), Risk.KillSwitchState.Off, clock);
        await using var worker = PaperPipeline.Create(bars, strategies: [new ScriptedStrategy("proposer", 10m, (2, DecisionAction.Buy))], clock: clock, symbolLocks: locks, workers: registry,
            killSwitch: killSwitch,
            approvals: c => new Execution.Approvals.ApprovalGate(new InMemoryApprovalStore(c), killSwitch, new Execution.Approvals.ApprovalGateOptions { SigningKey = new byte[32] }, c),
            configure: o =>
            {
                o.Worker.WorkerId = "worker-p";
                o.Worker.LockTtl = TimeSpan.FromDays(10);
                o.Worker.HeartbeatInterval = TimeSpan.FromDays(1);
            });
        await worker.Engine.StartAsync();
        Assert.True((await locks.AcquireAsync(Spx, "worker-other", TimeSpan.FromDays(365))).Acquired);
        for (var i = 0; i < 4; i++)
        {
            await worker.Engine.ProcessAsync(EngineInput.ForMarketData(bars[i]));
        }

        var proposal = Assert.Single(await worker.Engine.Approvals!.ListAsync(ProposalStatus.Pending));
        var at = bars[3].Timestamp;
        var approve = await worker.Engine.RunCommandAsync(new Commands.ApproveProposal(proposal.Id.Value, TimeSpan.FromMinutes(5)), at, "approve-1");
        var place = await worker.Engine.RunCommandAsync(new Commands.PlaceOrder
        {
            Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m, LimitPrice = null, StopPrice = null, TrailingOffset = null,
            TimeInForce = TimeInForce.Gtc, ExpireAt = null, ReduceOnly = false, PositionSide = PositionSide.Both, ClientOrderId = null,
        }, at, "place-1");

        Assert.Equal((false, TradingEngine.WorkerLockRejectedCode), (approve.Succeeded, approve.Code));
        Assert.Equal((false, TradingEngine.WorkerLockRejectedCode), (place.Succeeded, place.Code));
        Assert.Equal(ProposalStatus.Pending, (await worker.Engine.Approvals.GetAsync(proposal.Id))!.Status);
        Assert.DoesNotContain(await EventsAsync(worker.Store), e => e.Payload is OrderSubmitted);

        // The other worker lets go: the same approval now places the proposal.
        Assert.True(await locks.ReleaseAsync(Spx, "worker-other"));
        var again = await worker.Engine.RunCommandAsync(new Commands.ApproveProposal(proposal.Id.Value, TimeSpan.FromMinutes(5)), at, "approve-2");

        Assert.True(again.Succeeded, again.Message);
        Assert.Equal("worker-p", (await locks.GetAsync(Spx))!.WorkerId);
        Assert.Single(await EventsAsync(worker.Store), e => e.Payload is OrderSubmitted);
        killSwitch.Dispose();
    }

    /// <summary>Daily bars of several random walks (seeded), interleaved by day.</summary>
    private static List<Bar> RandomWalks(string[] symbols, int days)
    {
        var random = new Random(7);
        var prices = symbols.ToDictionary(s => s, _ => 100m);
        var start = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        var bars = new List<Bar>();
        for (var day = 0; day < days; day++)
        {
            foreach (var symbol in symbols)
            {
                var open = prices[symbol];
                var close = Math.Max(1m, Math.Round(open * (1m + (((decimal)random.NextDouble() - 0.48m) / 20m)), 2));
                var openTime = start.AddDays(day);
                bars.Add(new Bar(new Symbol(symbol), openTime, openTime.AddDays(1), open, Math.Max(open, close) + 0.2m, Math.Min(open, close) - 0.2m, close, 500_000m));
                prices[symbol] = close;
            }
        }

        return bars;
    }

    [Fact]
    public async Task EC002_AnEntryTheVenueRejects_ReleasesTheLockAtOnce()
    {
        var bars = PaperPipeline.LoadBars(10);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var locks = new InMemorySymbolLockService(clock);
        var registry = new InMemoryWorkerRegistry(clock);
        await using var worker = Worker("worker-r", new ScriptedStrategy("rejected", 10m, (2, DecisionAction.Buy)), bars, clock, locks, registry, o => o.Faults.RejectRate = 1.0);
        await worker.Engine.StartAsync();

        for (var i = 0; i < 3; i++)
        {
            await worker.Engine.ProcessAsync(EngineInput.ForMarketData(bars[i]));
        }

        var events = await EventsAsync(worker.Store);
        Assert.Single(events, e => e.Payload is OrderRejected);
        Assert.Equal("flat", Assert.Single(events.Select(e => e.Payload).OfType<LockReleased>()).Reason);
        Assert.Null(await locks.GetAsync(Spx));
        Assert.Equal("SCAN", (await registry.GetAsync("worker-r"))!.State);
        Assert.DoesNotContain(events, e => e.Payload is PositionEntered);
    }

    [Fact]
    public async Task ALockTakenOverByAnotherWorker_IsLost_TheWorkerOnlyReducesUntilItHoldsItAgain()
    {
        var bars = PaperPipeline.LoadBars(12);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var locks = new InMemorySymbolLockService(clock);
        var registry = new InMemoryWorkerRegistry(clock);
        var script = new ScriptedStrategy("adds", 10m, (1, DecisionAction.Buy), (6, DecisionAction.Buy), (8, DecisionAction.Close));
        await using var worker = Worker("worker-l", script, bars, clock, locks, registry);
        await worker.Engine.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await worker.Engine.ProcessAsync(EngineInput.ForMarketData(bars[i]));
        }

        // The process stalls past its lock's TTL; a reaper frees the symbol and another worker takes it.
        Assert.Equal("worker-l", (await locks.GetAsync(Spx))!.WorkerId);
        clock.AdvanceTo(clock.GetUtcNow() + TimeSpan.FromDays(30));
        await locks.ReapExpiredAsync();
        Assert.True((await locks.AcquireAsync(Spx, "worker-other", TimeSpan.FromDays(365))).Acquired);

        foreach (var bar in bars.Skip(3))
        {
            await worker.Engine.ProcessAsync(EngineInput.ForMarketData(bar with { OpenTime = bar.OpenTime.AddDays(30), Timestamp = bar.Timestamp.AddDays(30) }));
        }

        var events = await EventsAsync(worker.Store);
        var risk = worker.ReadJsonl("risk_events.jsonl").Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Contains(TradingEngine.WorkerLockLostCode, risk);

        // The add on bar 6 was refused (another worker holds SPX), the close on bar 8 went out: reducing needs no lock.
        Assert.Contains(TradingEngine.WorkerLockRejectedCode, risk);
        Assert.Equal(2, events.Count(e => e.Payload is OrderSubmitted));
        Assert.Equal(0m, worker.Engine.Portfolio.GetNetQuantity(Spx));
        Assert.Equal("worker-other", (await locks.GetAsync(Spx))!.WorkerId);
    }

    [Fact]
    public async Task SC001_WorkerModeWithoutLocks_IsRefusedAtConstruction_AndBadOptionsAtValidation()
    {
        var bars = PaperPipeline.LoadBars(3);
        var e = Assert.Throws<Errors.TradingKitException>(() => PaperPipeline.Create(bars, configure: o => o.Worker.WorkerId = "w-1"));
        Assert.Equal(Errors.ErrorCodes.InvalidOptions, e.Code);

        var options = new EngineOptions { Worker = { WorkerId = "w-1", LockTtl = TimeSpan.FromSeconds(30), HeartbeatInterval = TimeSpan.FromSeconds(20) } };
        var invalid = Assert.Throws<Errors.TradingKitException>(options.Validate);
        Assert.Contains("HeartbeatInterval", invalid.Message, StringComparison.Ordinal);
        Assert.Throws<Errors.TradingKitException>(new EngineOptions { Worker = { WorkerId = " w " } }.Validate);
    }

    private static PaperPipeline Worker(string workerId, IStrategy strategy, IReadOnlyList<Bar> bars, SimulationTimeProvider clock,
        ISymbolLockService locks, IWorkerRegistry registry, Action<PaperVenueOptions>? paper = null)
        => PaperPipeline.Create(bars, paper: paper, strategies: [strategy], clock: clock, symbolLocks: locks, workers: registry, configure: o =>
        {
            o.SessionId = workerId + "-session";
            o.Worker.WorkerId = workerId;

            // Daily bars: the engine clock moves a day per bar, so the lock must outlive a day between heartbeats.
            o.Worker.LockTtl = TimeSpan.FromDays(10);
            o.Worker.HeartbeatInterval = TimeSpan.FromDays(1);
        });

    private static async Task<List<EventEnvelope>> EventsAsync(IEventStore store)
    {
        var events = new List<EventEnvelope>();
        await foreach (var e in store.ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }
}
