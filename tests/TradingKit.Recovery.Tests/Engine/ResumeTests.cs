using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Reconciliation;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Engine;

/// <summary>What a resumed session needs from the engine: warmed-up strategies, unsent orders sent, a journal that survives.</summary>
public sealed class ResumeTests
{
    private static readonly Symbol Spx = RandomSession.Spx;
    private static readonly Instrument SpxRules = new(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);

    [Fact]
    public async Task WarmUp_GivesStrategiesTheirStateBack_AndActsOnNothing()
    {
        var bars = RandomSession.Bars(21, 160, Spx);

        // X runs the whole session; its decisions after bar 80 are the reference.
        var (x, xDecisions) = Engine(bars[0].OpenTime);
        await x.StartAsync();
        foreach (var bar in bars.Take(80))
        {
            await x.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        // Execution is disabled by default, so each non-hold decision became a denied order: the warm-up range has some.
        Assert.True(x.Orders.DeniedCount > 0);
        xDecisions.Clear();
        foreach (var bar in bars.Skip(80))
        {
            await x.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        // Y only warms up on the first 80 bars, then runs the rest.
        var (y, yDecisions) = Engine(bars[79].Timestamp);
        await y.StartAsync();
        Assert.Equal(80, y.WarmUp(bars.Take(80)));
        Assert.Equal(0, y.Orders.DeniedCount + y.Orders.SubmittedCount);
        Assert.Equal(bars[79].Close, y.LastPrices[Spx]);
        yDecisions.Clear();
        foreach (var bar in bars.Skip(80))
        {
            await y.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        // Z skips the warm-up: it starts over and decides otherwise, so the comparison above is not vacuous.
        var (z, zDecisions) = Engine(bars[79].Timestamp);
        await z.StartAsync();
        foreach (var bar in bars.Skip(80))
        {
            await z.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        Assert.Equal(xDecisions, yDecisions);
        Assert.NotEqual(xDecisions, zDecisions);
    }

    [Fact]
    public async Task WarmUp_BeforeStart_IsRefused()
    {
        var (engine, _) = Engine(RandomSession.Start);
        Assert.Throws<InvalidOperationException>(() => engine.WarmUp([]));
        await engine.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnsentOrder_IsRejectedByDefault_OrSentOnceWithItsOwnId_WhenResendIsOn(bool resend)
    {
        var clock = new SimulationTimeProvider(RandomSession.Start);
        var venue = new FaultyVenue(new PaperVenue(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] }, clock));
        var store = new InMemoryEventStore(clock);
        var request = await RecordUnsentOrderAsync(store, clock, "tk-unsent-1");

        var engine = PaperEngine(venue, store, clock, resend ? TimeSpan.FromMinutes(5) : null);
        await engine.StartAsync();

        Assert.NotNull(engine.LastRecovery);
        Assert.True(engine.LastRecovery.Succeeded);
        Assert.True(engine.Orders.TryGetOrder(request.ClientOrderId, out var order));
        var atVenue = await venue.QueryOrderAsync(Spx, request.ClientOrderId);
        if (resend)
        {
            Assert.Equal(1, engine.LastRecovery.OrdersResent);
            Assert.Equal(1, venue.Submits);
            Assert.NotNull(atVenue);
            Assert.Equal(OrderStatus.Acknowledged, order.Status);
        }
        else
        {
            Assert.Equal(0, engine.LastRecovery.OrdersResent);
            Assert.Equal(0, venue.Submits);
            Assert.Null(atVenue);
            Assert.Equal(OrderStatus.Rejected, order.Status);
            Assert.StartsWith("RECONCILE_UNKNOWN_AT_VENUE", order.Reason, StringComparison.Ordinal);
        }

        await engine.DisposeAsync();
    }

    [Fact]
    public async Task ResumedSession_SummarySpansTheWholeSession_FromItsFirstStartInTheLog()
    {
        var clock = new SimulationTimeProvider(RandomSession.Start);
        var venue = new FaultyVenue(new PaperVenue(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] }, clock));
        var store = new InMemoryEventStore(clock);

        // A session of another id starts first on the same log: it must not count.
        clock.AdvanceTo(RandomSession.Start.AddMinutes(-30));
        var other = PaperEngine(venue, store, clock, null, "other-session");
        await other.StartAsync();

        // The first process of "resume" starts, works, and dies without stopping.
        clock.AdvanceTo(RandomSession.Start);
        var first = PaperEngine(venue, store, clock, null);
        await first.StartAsync();
        var firstStart = clock.GetUtcNow();

        // The second process resumes the same session two hours later.
        clock.AdvanceTo(RandomSession.Start.AddHours(2));
        var second = PaperEngine(venue, store, clock, null);
        await second.StartAsync();
        var summary = await second.StopAsync();

        Assert.Equal(firstStart, summary.StartedAt);
        Assert.Equal(RandomSession.Start.AddHours(2), summary.EndedAt);

        // Without a log of its own the session starts when its process does.
        var fresh = PaperEngine(venue, new InMemoryEventStore(clock), clock, null);
        await fresh.StartAsync();
        Assert.Equal(clock.GetUtcNow(), (await fresh.StopAsync()).StartedAt);
    }

    [Fact]
    public async Task UnsentOrder_ThatTheVenueHasAfterAll_IsNotSentAgain()
    {
        var clock = new SimulationTimeProvider(RandomSession.Start);
        var venue = new FaultyVenue(new PaperVenue(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] }, clock));
        var store = new InMemoryEventStore(clock);
        var request = await RecordUnsentOrderAsync(store, clock, "tk-sent-1");

        // The send did reach the venue; the process died before it recorded the answer.
        Assert.True((await venue.SubmitAsync(request)).Accepted);
        var engine = PaperEngine(venue, store, clock, TimeSpan.FromMinutes(5));
        await engine.StartAsync();

        Assert.Equal(1, venue.Submits);
        Assert.Equal(0, engine.LastRecovery!.OrdersResent);
        Assert.True(engine.Orders.TryGetOrder(request.ClientOrderId, out var order));
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task UnsentOrder_OlderThanTheWindow_IsNotSent()
    {
        var clock = new SimulationTimeProvider(RandomSession.Start);
        var venue = new FaultyVenue(new PaperVenue(new PaperVenueOptions { InitialCash = 100_000m, Instruments = [SpxRules] }, clock));
        var store = new InMemoryEventStore(clock);
        await RecordUnsentOrderAsync(store, clock, "tk-stale-1");
        clock.AdvanceTo(RandomSession.Start.AddMinutes(10));

        var engine = PaperEngine(venue, store, clock, TimeSpan.FromMinutes(5));
        await engine.StartAsync();

        Assert.Equal(0, venue.Submits);
        Assert.Equal(0, engine.LastRecovery!.OrdersResent);
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task Journal_Resume_CutsAHalfWrittenRecord_AndBackfillWritesOnlyWhatIsMissing()
    {
        var root = Path.Combine(Path.GetTempPath(), "tradingkit-resume-tests", Guid.NewGuid().ToString("N"));
        var session = new SessionId("resume");
        var at = RandomSession.Start;
        var first = NewOrder("c-1", at);
        var second = NewOrder("c-2", at.AddMinutes(1));
        var fill1 = NewFill(first, "t-1", at);
        var fill2 = NewFill(second, "t-2", at.AddMinutes(1));
        var trip1 = new TradeRecord(Spx, "long", 1m, at, 100m, at.AddMinutes(1), 101m, 0.02m, 0.98m, 1m);
        var trip2 = new TradeRecord(Spx, "long", 1m, at.AddMinutes(2), 100m, at.AddMinutes(3), 99m, 0.02m, -1.02m, -1m);

        var journal = new FileSessionJournal(root, session);
        journal.WriteOrder(at, OrderRecordTypes.Submitted, first, null);
        journal.WriteFill(at, fill1, 1.5m);
        journal.WriteTrade(trip1);
        await journal.DisposeAsync();
        var directory = Path.Combine(root, "sessions", "resume");
        await File.AppendAllTextAsync(Path.Combine(directory, "orders_fills.jsonl"), "{\"ts\":\"2024-03-01T14:3");

        var resumed = new FileSessionJournal(root, session, new FileSessionJournalOptions { Resume = true });
        resumed.Backfill(new JournalBackfill(
            [new JournalOrderRecord(at, OrderRecordTypes.Submitted, first, null), new JournalOrderRecord(second.CreatedAt, OrderRecordTypes.Submitted, second, null)],
            [fill1, fill2],
            [trip1, trip2]));
        await resumed.DisposeAsync();

        var records = File.ReadAllLines(Path.Combine(directory, "orders_fills.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(["order_submitted:c-1", "fill:c-1", "order_submitted:c-2", "fill:c-2"],
            records.Select(r => r.GetProperty("type").GetString() + ":" + r.GetProperty("client_order_id").GetString()).ToList());

        // The fill written live keeps its slippage; the backfilled one has none (the log has no decision price).
        Assert.Equal(1.5m, records[1].GetProperty("slippage_bps").GetDecimal());
        Assert.Equal(JsonValueKind.Null, records[3].GetProperty("slippage_bps").ValueKind);
        var trades = File.ReadAllLines(Path.Combine(directory, "trades.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("pnl").GetDecimal()).ToList();
        Assert.Equal([0.98m, -1.02m], trades);
    }

    [Fact]
    public async Task Journal_WithoutResume_ReplacesTheFilesOfAnEarlierRun()
    {
        var root = Path.Combine(Path.GetTempPath(), "tradingkit-resume-tests", Guid.NewGuid().ToString("N"));
        var session = new SessionId("replace");
        var order = NewOrder("c-1", RandomSession.Start);
        var journal = new FileSessionJournal(root, session);
        journal.WriteOrder(RandomSession.Start, OrderRecordTypes.Submitted, order, null);
        await journal.DisposeAsync();

        var again = new FileSessionJournal(root, session);
        again.Backfill(new JournalBackfill([new JournalOrderRecord(RandomSession.Start, OrderRecordTypes.Submitted, order, null)], [], []));
        await again.DisposeAsync();

        Assert.Single(File.ReadAllLines(Path.Combine(root, "sessions", "replace", "orders_fills.jsonl")));
    }

    private static async Task<OrderRequest> RecordUnsentOrderAsync(InMemoryEventStore store, SimulationTimeProvider clock, string clientOrderId)
    {
        // What the recorder writes before the venue call, and all a process that died right then leaves behind.
        var request = new OrderRequest
        {
            ClientOrderId = new ClientOrderId(clientOrderId),
            Symbol = Spx,
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = 1m,
            LimitPrice = 90m,
        };
        await store.AppendAsync("order-" + clientOrderId, 0,
            [new EventData(Guid.NewGuid(), OrderSubmitted.From(request, new StrategyId("s"), null), clock.GetUtcNow(), CorrelationId.New(), null, "submit:" + clientOrderId)]);
        return request;
    }

    private static TradingEngine PaperEngine(FaultyVenue venue, InMemoryEventStore store, SimulationTimeProvider clock, TimeSpan? resendWithin, string session = "resume")
    {
        var options = new EngineOptions
        {
            Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
            ReconcileInterval = null,
            SessionId = session,
            InitialCash = 100_000m,
            ResendUnsentOrdersWithin = resendWithin,
        };
        options.Instruments.Add(SpxRules);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        var engine = new TradingEngine(options, venue, store, [new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX" })], clock);
        engine.ConfigureRecovery(new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero, InFlightGrace = TimeSpan.Zero });
        return engine;
    }

    private static (TradingEngine Engine, List<string> Decisions) Engine(DateTimeOffset start)
    {
        var clock = new SimulationTimeProvider(start);
        var decisions = new List<string>();
        var options = new EngineOptions { SessionId = "warm", ReconcileInterval = null };
        options.Instruments.Add(SpxRules);
        var strategy = new RecordingStrategy(new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 3, SlowPeriod = 12 }), decisions);
        var engine = new TradingEngine(options, new PaperVenue(new PaperVenueOptions { Instruments = [SpxRules] }, clock), new InMemoryEventStore(clock), [strategy], clock);
        return (engine, decisions);
    }

    private static Order NewOrder(string clientOrderId, DateTimeOffset at)
        => new(new OrderRequest { ClientOrderId = new ClientOrderId(clientOrderId), Symbol = Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m }, at);

    private static Fill NewFill(Order order, string tradeId, DateTimeOffset at) => new()
    {
        TradeId = new TradeId(tradeId),
        ClientOrderId = order.ClientOrderId,
        Symbol = Spx,
        Side = OrderSide.Buy,
        Quantity = 1m,
        Price = 100m,
        Fee = 0.01m,
        Timestamp = at,
    };

    /// <summary>Records what the strategy decides, bar by bar, through the engine's own context.</summary>
    private sealed class RecordingStrategy(IStrategy inner, List<string> decisions) : IStrategy
    {
        public StrategyId Id => inner.Id;

        public void OnStart(IStrategyContext context) => inner.OnStart(context);

        public void OnFill(Fill fill, IStrategyContext context) => inner.OnFill(fill, context);

        public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
            => inner.OnMarketData(marketData, new Recording(context, marketData.Timestamp, decisions));

        private sealed class Recording(IStrategyContext context, DateTimeOffset at, List<string> decisions) : IStrategyContext
        {
            public DateTimeOffset Now => context.Now;

            public SessionId SessionId => context.SessionId;

            public decimal Cash => context.Cash;

            public decimal Equity => context.Equity;

            public decimal GetPosition(Symbol symbol) => context.GetPosition(symbol);

            public decimal? GetLastPrice(Symbol symbol) => context.GetLastPrice(symbol);

            public bool HasOpenOrders(Symbol symbol) => context.HasOpenOrders(symbol);

            public void Decide(in Decision decision)
            {
                decisions.Add($"{at:O} {decision.Action} {string.Join('+', decision.ReasonCodes)}");
                context.Decide(decision);
            }
        }
    }
}
