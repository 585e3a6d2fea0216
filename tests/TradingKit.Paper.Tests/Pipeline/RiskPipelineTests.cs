using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Execution;
using TradingKit.Risk;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>The risk guard, kill switch and execution policy wired into the real paper pipeline.</summary>
public sealed class RiskPipelineTests
{
    private static RiskOptions Limits(Action<RiskOptions>? change = null)
    {
        var o = new RiskOptions { DailyLossLimit = 50_000m, MaxDrawdown = 90_000m, MaxOrderNotional = 1_000_000m, MaxPosition = 10_000m, WorstCaseLossFraction = 0.1m };
        change?.Invoke(o);
        return o;
    }

    private static async Task<KillSwitch> KillSwitchAsync(KillSwitchState initial, DateTimeOffset start)
        => await KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), initial, new Time.SimulationTimeProvider(start));

    [Fact]
    public async Task TEST711_LiveModeWithoutAnEnabledGuard_RefusesToStart()
    {
        var bars = PaperPipeline.LoadBars(50);
        await using var unguarded = PaperPipeline.Create(bars, mode: ExecutionMode.Live);
        await using var disabled = PaperPipeline.Create(bars, mode: ExecutionMode.Live, risk: new RiskGuard(Limits(o => o.Enabled = false)));
        await using var unconfigured = PaperPipeline.Create(bars, mode: ExecutionMode.Live, risk: new RiskGuard(new RiskOptions()));
        await using var guarded = PaperPipeline.Create(bars, mode: ExecutionMode.Live, risk: new RiskGuard(Limits()));

        foreach (var pipeline in new[] { unguarded, disabled, unconfigured })
        {
            var ex = await Assert.ThrowsAsync<TradingKitException>(() => pipeline.Engine.StartAsync());
            Assert.Equal(ErrorCodes.LiveGuardNotEnabled, ex.Code);
            Assert.Equal(EngineState.Booting, pipeline.Engine.State);
        }

        await guarded.Engine.StartAsync();
        Assert.Equal(EngineState.Running, guarded.Engine.State);
    }

    [Fact]
    public async Task DefaultExecutionMode_IsDisabled_IntentsAreDeniedAndNothingReachesTheVenue()
    {
        Assert.Equal(ExecutionMode.Disabled, new EngineOptions().Execution.Mode);
        var bars = PaperPipeline.LoadBars(300);
        CountingVenue? venue = null;
        await using var pipeline = PaperPipeline.Create(bars, mode: ExecutionMode.Disabled, wrap: v => venue = new CountingVenue(v));

        var summary = await pipeline.RunAsync(bars);

        Assert.Equal(0, venue!.OrderCalls);
        Assert.True(summary.OrdersDenied > 0);
        var denied = pipeline.ReadJsonl("orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == "order_denied").ToList();
        Assert.NotEmpty(denied);
        Assert.All(denied, d => Assert.StartsWith(ErrorCodes.ExecutionDisabled, d.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task DryRun_JournalsDecisionsAndIntents_AndSendsNothing()
    {
        var bars = PaperPipeline.LoadBars(300);
        CountingVenue? venue = null;
        await using var pipeline = PaperPipeline.Create(bars, mode: ExecutionMode.DryRun, wrap: v => venue = new CountingVenue(v));

        await pipeline.RunAsync(bars);

        Assert.Equal(0, venue!.OrderCalls);
        var records = pipeline.ReadJsonl("orders_fills.jsonl");
        Assert.Contains(records, r => r.GetProperty("type").GetString() == "order_denied" && r.GetProperty("reason").GetString()!.StartsWith(ErrorCodes.ExecutionDryRun, StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.GetProperty("type").GetString() is "order_submitted" or "fill");
        Assert.Contains(pipeline.ReadJsonl("decisions.jsonl"), d => d.GetProperty("action").GetString() == "buy");
        Assert.Equal("dry-run", pipeline.ReadJson("ops_metadata.json").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task KillSwitchOn_MakesZeroVenueCalls_AndEveryIntentIsDeniedWithItsCode()
    {
        var bars = PaperPipeline.LoadBars(300);
        var killSwitch = await KillSwitchAsync(KillSwitchState.On, bars[0].OpenTime);
        CountingVenue? venue = null;
        await using var pipeline = PaperPipeline.Create(bars, risk: new RiskGuard(Limits(), killSwitch), killSwitch: killSwitch, wrap: v => venue = new CountingVenue(v));

        var summary = await pipeline.RunAsync(bars);

        Assert.Equal(0, venue!.OrderCalls);
        Assert.True(summary.OrdersDenied > 0);
        Assert.All(pipeline.ReadJsonl("orders_fills.jsonl"), r => Assert.Equal("order_denied", r.GetProperty("type").GetString()));
        Assert.Equal("on", pipeline.ReadJson("ops_metadata.json").GetProperty("settings").GetProperty("kill_switch.state").GetString());
    }

    [Fact]
    public async Task SetKillSwitchCommand_TurnsItOn_RepeatIsATypedConflict_AndNoOrderLeavesAfterwards()
    {
        var bars = PaperPipeline.LoadBars(400);
        var killSwitch = await KillSwitchAsync(KillSwitchState.Off, bars[0].OpenTime);
        CountingVenue? venue = null;
        await using var pipeline = PaperPipeline.Create(bars, risk: new RiskGuard(Limits(), killSwitch), killSwitch: killSwitch, wrap: v => venue = new CountingVenue(v));
        var engine = pipeline.Engine;
        await engine.StartAsync();
        foreach (var bar in bars.Take(200))
        {
            await engine.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        var before = venue!.OrderCalls;
        Assert.True(before > 0, "the strategy traded before the kill switch");
        var on = Command(new SetKillSwitch(true, "operator drill"), bars[199].Timestamp, "ks-1");
        await engine.ProcessAsync(EngineInput.ForCommand(on));
        Assert.True(killSwitch.IsOn);

        var again = new TaskCompletionSource<CommandResult>();
        await engine.ProcessAsync(EngineInput.ForCommand(Command(new SetKillSwitch(true, "again"), bars[199].Timestamp, "ks-2"), again));
        var repeated = await again.Task;
        Assert.False(repeated.Succeeded);
        Assert.Equal("KILL_SWITCH_CONFLICT", repeated.Code);

        foreach (var bar in bars.Skip(200))
        {
            await engine.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        Assert.Equal(before, venue.OrderCalls);
        var history = await killSwitch.GetHistoryAsync();
        Assert.Equal(KillSwitchState.On, history[^1].State);
        var events = new List<EventEnvelope>();
        await foreach (var e in pipeline.Store.ReadAllAsync())
        {
            events.Add(e);
        }

        Assert.Single(events, e => e.Payload is KillSwitchChanged { Enabled: true, Automatic: false });
        Assert.Contains(pipeline.Engine.Orders.Orders, o => o.Status == Orders.OrderStatus.Denied);
    }

    [Fact]
    public async Task TEST714_Trip_BlocksEveryNewOrder_WritesTheRiskEvent_AndEngagesTheKillSwitch()
    {
        var bars = PaperPipeline.LoadBars(1200);
        var killSwitch = await KillSwitchAsync(KillSwitchState.Off, bars[0].OpenTime);
        CountingVenue? venue = null;

        // A drawdown limit the strategy's first bad stretch breaks.
        var guard = new RiskGuard(Limits(o => o.MaxDrawdown = 3_000m), killSwitch);
        await using var pipeline = PaperPipeline.Create(bars, risk: guard, killSwitch: killSwitch, wrap: v => venue = new CountingVenue(v));

        var summary = await pipeline.RunAsync(bars);

        var trips = pipeline.ReadJsonl("risk_events.jsonl").Where(r => r.GetProperty("type").GetString() == "risk_guard_tripped").ToList();
        var trip = Assert.Single(trips);
        Assert.Equal(ErrorCodes.RiskGuardTripped, trip.GetProperty("code").GetString());
        Assert.Equal("max_drawdown", trip.GetProperty("rule").GetString());
        Assert.Equal(3_000m, trip.GetProperty("threshold").GetDecimal());
        Assert.True(trip.GetProperty("observed").GetDecimal() > 3_000m);
        Assert.True(trip.GetProperty("details").GetProperty("equity").GetDecimal() > 0m);
        var trippedAt = DateTimeOffset.Parse(trip.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        // Zero new orders after the trip: every venue submit is journaled, and none is journaled after the trip.
        var submitted = pipeline.ReadJsonl("orders_fills.jsonl").Count(r => r.GetProperty("type").GetString() == "order_submitted");
        Assert.Equal(submitted, venue!.Submits);
        var submittedAfter = pipeline.ReadJsonl("orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == "order_submitted"
            && DateTimeOffset.Parse(r.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > trippedAt);
        Assert.Empty(submittedAfter);
        Assert.True(killSwitch.IsOn);
        Assert.Equal(TradingState.Halted, guard.State);
        Assert.Equal(EngineState.Stopped, pipeline.Engine.State);

        // A halted engine stops asking the strategy: no decision is journaled after the trip.
        Assert.DoesNotContain(pipeline.ReadJsonl("decisions.jsonl"), d =>
            DateTimeOffset.Parse(d.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > trippedAt);

        var events = new List<EventEnvelope>();
        await foreach (var e in pipeline.Store.ReadAllAsync())
        {
            events.Add(e);
        }

        Assert.Single(events, e => e.Payload is RiskGuardTripped { Cause: "max_drawdown" });
        Assert.Contains(events, e => e.Payload is KillSwitchChanged { Enabled: true, Automatic: true });
        Assert.Equal(summary.OrdersSubmitted, venue.Submits);
    }

    [Fact]
    public async Task TripIntoReducing_WithFlattenPolicy_ClosesThePositionWithReduceOnlyOrders_AndDeniesNewEntries()
    {
        var bars = PaperPipeline.LoadBars(1200);
        var guard = new RiskGuard(Limits(o =>
        {
            o.MaxDrawdown = 3_000m;
            o.TripStates["max_drawdown"] = TradingState.Reducing;
            o.StopPlan.Positions = StopPlanPositionAction.Flatten;
        }));
        await using var pipeline = PaperPipeline.Create(bars, risk: guard);

        var summary = await pipeline.RunAsync(bars);

        Assert.Equal(TradingState.Reducing, guard.State);
        var trip = Assert.Single(pipeline.ReadJsonl("risk_events.jsonl"), r => r.GetProperty("type").GetString() == "risk_guard_tripped");
        var trippedAt = DateTimeOffset.Parse(trip.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var after = pipeline.ReadJsonl("orders_fills.jsonl")
            .Where(r => DateTimeOffset.Parse(r.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= trippedAt).ToList();

        // Everything sent after the trip only reduced: every submitted order sells (the strategy only goes long).
        Assert.All(after.Where(r => r.GetProperty("type").GetString() == "order_submitted"), r => Assert.Equal("sell", r.GetProperty("side").GetString()));
        Assert.Contains(after, r => r.GetProperty("type").GetString() == "order_denied"
            && r.GetProperty("reason").GetString()!.StartsWith(RiskCodes.ReduceOnly, StringComparison.Ordinal));
        Assert.Equal(0m, pipeline.Engine.Portfolio.GetNetQuantity(PaperPipeline.Spx));
        Assert.Equal(EngineState.Stopped, pipeline.Engine.State);
        Assert.True(summary.OrdersDenied > 0);
    }

    [Fact]
    public async Task SC008_ForcedLiquidation_ClosesBeforeTheClose_RetriesPartialFills_AndReportsWhatStayedOpen()
    {
        // One session of one-minute bars, 14:30-21:00 UTC, thin volume: 10 units may trade per bar (participation 10% of 100).
        var start = new DateTimeOffset(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);
        var bars = Enumerable.Range(0, 390).Select(i => new MarketData.Bar(PaperPipeline.Spx, start.AddMinutes(i), start.AddMinutes(i + 1),
            100m, 100.5m, 99.5m, 100m, 100m)).ToList();
        var guard = new RiskGuard(Limits(o =>
        {
            o.Session.TimeZone = "UTC";
            o.Session.Open = TimeSpan.FromHours(14.5);
            o.Session.Close = TimeSpan.FromHours(21);
            o.Session.ForcedLiquidationBeforeClose = TimeSpan.FromMinutes(10);
            o.ForcedLiquidation.UseMarketOrders = false;
            o.ForcedLiquidation.MaxRetries = 3;
            o.PriceBandBps = null;
        }));
        CountingVenue? venue = null;
        await using var pipeline = PaperPipeline.Create(bars, o => o.ParticipationRate = 0.1m, risk: guard, strategies: [new BuyOnce(50m)],
            wrap: v => venue = new CountingVenue(v));

        var summary = await pipeline.RunAsync(bars);

        // Entered 50 early; from 20:50 the engine sold with marketable IOC limits, 10 per bar, 1 + 3 retries: 40 closed, 10 left.
        var liquidation = Assert.Single(pipeline.ReadJsonl("risk_events.jsonl"), r => r.GetProperty("type").GetString() == "mandatory_liquidation");
        var sells = pipeline.ReadJsonl("orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == "order_submitted" && r.GetProperty("side").GetString() == "sell").ToList();

        // The run opens at the earlier (illiquid) cutoff; this liquid symbol's first order leaves at close − Δ.
        Assert.Equal("2024-01-02T20:45:00Z", liquidation.GetProperty("ts").GetString());
        Assert.Equal("2024-01-02T20:50:00Z", sells[0].GetProperty("ts").GetString());
        Assert.Equal(4, sells.Count);
        Assert.All(sells, r => Assert.Equal("limit", r.GetProperty("order_type").GetString()));
        Assert.Equal(10m, pipeline.Engine.Portfolio.GetNetQuantity(PaperPipeline.Spx));
        Assert.Equal(10m, summary.Unclosed["SPX"]);
        Assert.Equal(10m, pipeline.ReadJson("summary.json").GetProperty("unclosed_positions").GetProperty("SPX").GetDecimal());
        Assert.Single(pipeline.ReadJsonl("risk_events.jsonl"), r => r.GetProperty("type").GetString() == "mandatory_liquidation_incomplete");
        var events = new List<EventEnvelope>();
        await foreach (var e in pipeline.Store.ReadAllAsync())
        {
            events.Add(e);
        }

        Assert.Single(events, e => e.Payload is MandatoryLiquidationTriggered);
        Assert.Equal(5, venue!.Submits);
    }

    [Fact]
    public async Task ApprovalMode_IntentsBecomeProposals_OnlyAnApprovedTokenPlaces_OnceAndNotUnderTheKillSwitch()
    {
        var bars = PaperPipeline.LoadBars(400);
        var killSwitch = await KillSwitchAsync(KillSwitchState.Off, bars[0].OpenTime);
        CountingVenue? venue = null;
        await using var pipeline = PaperPipeline.Create(bars, risk: new RiskGuard(Limits(), killSwitch), killSwitch: killSwitch,
            wrap: v => venue = new CountingVenue(v),
            approvals: clock => new Execution.Approvals.ApprovalGate(new Stores.InMemory.InMemoryApprovalStore(clock), killSwitch,
                new Execution.Approvals.ApprovalGateOptions { SigningKey = new byte[32] }, clock));
        var engine = pipeline.Engine;
        await engine.StartAsync();
        foreach (var bar in bars)
        {
            await engine.ProcessAsync(EngineInput.ForMarketData(bar));
        }

        // Seed 001: nothing leaves on its own; every intent is a proposal awaiting a human.
        Assert.Equal(0, venue!.OrderCalls);
        var proposals = pipeline.ReadJsonl("orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == TradingEngine.ProposedRecordType)
            .Select(r => r.GetProperty("client_order_id").GetString()!).ToList();
        Assert.True(proposals.Count >= 3, "the strategy proposes on each cross");

        var at = bars[^1].Timestamp;
        var approved = await ExecuteAsync(engine, new ApproveProposal(proposals[0], TimeSpan.FromMinutes(5)), at, "approve-1");
        Assert.True(approved.Succeeded, approved.Message);
        Assert.Equal(1, venue.Submits);

        var again = await ExecuteAsync(engine, new ApproveProposal(proposals[0], TimeSpan.FromMinutes(5)), at, "approve-1-again");
        Assert.False(again.Succeeded);
        Assert.StartsWith("APPROVAL_", again.Code, StringComparison.Ordinal);

        var rejected = await ExecuteAsync(engine, new RejectProposal(proposals[1], "not today"), at, "reject-2");
        Assert.True(rejected.Succeeded, rejected.Message);
        var afterReject = await ExecuteAsync(engine, new ApproveProposal(proposals[1], TimeSpan.FromMinutes(5)), at, "approve-2");
        Assert.False(afterReject.Succeeded);

        await killSwitch.TurnOnAsync("drill", "operator-1");
        var underKill = await ExecuteAsync(engine, new ApproveProposal(proposals[2], TimeSpan.FromMinutes(5)), at, "approve-3");
        Assert.False(underKill.Succeeded);
        Assert.Equal(Execution.Approvals.ApprovalCodes.KillSwitchOn, underKill.Code);
        Assert.Equal(1, venue.Submits);

        // Refused under the kill switch, the approval was never used: once the switch is off it can be given again.
        await killSwitch.TurnOffAsync("drill over", "operator-1");
        var afterKill = await ExecuteAsync(engine, new ApproveProposal(proposals[2], TimeSpan.FromMinutes(5)), at, "approve-3-again");
        Assert.True(afterKill.Succeeded, afterKill.Message);
        Assert.Equal(2, venue.Submits);

        var events = new List<EventEnvelope>();
        await foreach (var e in pipeline.Store.ReadAllAsync())
        {
            events.Add(e);
        }

        Assert.Equal(proposals.Count, events.Count(e => e.Payload is ProposalCreated));

        // Three approvals were granted: the first, the third (then refused under the kill switch) and the third again once
        // the switch was off. The first's second approval (already placed) and the rejected one's were refused before any grant.
        Assert.Equal(3, events.Count(e => e.Payload is ProposalApproved));
        Assert.Single(events, e => e.Payload is ProposalRejected);
    }

    [Fact]
    public async Task VenueRefusingEverySubmit_RetriesExhausted_AlertsAndTripsOnConsecutiveFailures()
    {
        var bars = PaperPipeline.LoadBars(600);
        var notifier = new RecordingNotifier();
        var guard = new RiskGuard(Limits(o => o.ConsecutiveFailureLimit = 3));
        await using var pipeline = PaperPipeline.Create(bars, o => o.Faults.TransientTimeoutRate = 1.0, risk: guard, notifier: notifier);

        await pipeline.RunAsync(bars);

        Assert.Equal(3, notifier.Alerts.Count(a => a.Event == Notifications.AlertEvents.RetryExhausted));
        var trip = Assert.Single(notifier.Alerts, a => a.Event == Notifications.AlertEvents.RiskGuardTripped);
        Assert.Equal(Notifications.AlertSeverity.Critical, trip.Severity);
        Assert.Equal(TradingState.Halted, guard.State);
        Assert.Contains(pipeline.ReadJsonl("risk_events.jsonl"), r => r.GetProperty("rule").GetString() == "consecutive_failures");
    }

    private sealed class RecordingNotifier : Notifications.INotifier
    {
        public List<Notifications.Alert> Alerts { get; } = [];

        public ValueTask NotifyAsync(Notifications.Alert alert, CancellationToken cancellationToken = default)
        {
            Alerts.Add(alert);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<CommandResult> ExecuteAsync(TradingEngine engine, ITradingCommand command, DateTimeOffset at, string key)
    {
        var completion = new TaskCompletionSource<CommandResult>();
        await engine.ProcessAsync(EngineInput.ForCommand(Command(command, at, key), completion));
        return await completion.Task;
    }

    private sealed class BuyOnce(decimal quantity) : Strategies.IStrategy
    {
        private static readonly string[] Entry = ["ENTRY"];
        private static readonly string[] Hold = ["HOLD"];
        private bool _bought;

        public StrategyId Id { get; } = new("buy-once");

        public void OnStart(Strategies.IStrategyContext context)
        {
        }

        public void OnFill(Orders.Fill fill, Strategies.IStrategyContext context)
        {
        }

        public void OnMarketData(MarketData.MarketDataEvent marketData, Strategies.IStrategyContext context)
        {
            if (!_bought)
            {
                _bought = true;
                context.Decide(new Strategies.Decision { Symbol = marketData.Symbol, Action = Strategies.DecisionAction.Buy, Quantity = quantity, ReasonCodes = Entry });
                return;
            }

            context.Decide(Strategies.Decision.Hold(marketData.Symbol, Hold));
        }
    }

    private static CommandEnvelope Command(ITradingCommand payload, DateTimeOffset at, string key)
        => new(Guid.NewGuid(), key, payload, "operator-1", at, CorrelationId.New());
}
