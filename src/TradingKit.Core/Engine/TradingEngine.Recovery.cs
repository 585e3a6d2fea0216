using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Reconciliation;
using TradingKit.Replay;

namespace TradingKit.Engine;

/// <summary>What start-up recovery did.</summary>
public sealed record RecoveryReport
{
    /// <summary>Events read back from the log (0 when an earlier attempt already restored the log).</summary>
    public required long EventsReplayed { get; init; }

    /// <summary>Orders rebuilt from the log and handed to the OMS.</summary>
    public required int OrdersRestored { get; init; }

    /// <summary>Orders still open after reconciliation.</summary>
    public required int OpenOrders { get; init; }

    /// <summary>Orders the log held as SUBMITTED that the venue had never seen and that were sent again (<see cref="EngineOptions.ResendUnsentOrdersWithin"/>).</summary>
    public int OrdersResent { get; init; }

    /// <summary>Log events the rebuild could not apply as the engine had (empty on a sound log).</summary>
    public required IReadOnlyList<RebuildIssue> Issues { get; init; }

    /// <summary>The start-up reconciliation.</summary>
    public required ReconciliationResult Reconciliation { get; init; }

    /// <summary>True when the venue could be read and compared: new orders may be sent (outside quarantined symbols).</summary>
    public bool Succeeded => Reconciliation.Errors.Count == 0;
}

/// <content>
/// Start-up recovery (UC-05, TEST-713), reconciliation (UC-06) and in-flight checks: load the log, query the venue,
/// reconcile, and only then accept new orders.
/// </content>
public sealed partial class TradingEngine
{
    private Reconciler? _reconciler;
    private InFlightMonitor? _inFlight;
    private EngineReportSink? _reportSink;
    private ReconcilerOptions _reconcilerOptions = new();
    private InFlightMonitorOptions _inFlightOptions = new();
    private TimeSpan? _reconcileIntervalOverride;

    private TimeSpan ReconcileEvery => _reconcileIntervalOverride ?? _options.ReconcileInterval ?? TimeSpan.FromMinutes(1);
    private DateTimeOffset _nextReconcileAt;
    private DateTimeOffset _fillsSince;
    private DateTimeOffset? _lastCleanReconcileAt;
    private bool _recovering;
    private bool _restored;

    /// <summary>What the last start-up recovery run did; null before the first.</summary>
    public RecoveryReport? LastRecovery { get; private set; }

    /// <summary>True from the start of <see cref="RecoverAsync"/> until a recovery succeeds: new orders are refused (<c>RECOVERY_IN_PROGRESS</c>).</summary>
    public bool IsRecovering => _recovering;

    /// <summary>The engine's reconciler (its quarantines gate new orders).</summary>
    public Reconciler Reconciler => _reconciler ??= new Reconciler(_broker, ReportSink, _eventStore, SessionId, _time, _reconcilerOptions);

    /// <summary>The engine's in-flight check.</summary>
    public InFlightMonitor InFlight => _inFlight ??= new InFlightMonitor(Orders, _broker, ReportSink, _time, _inFlightOptions);

    /// <summary>
    /// The path by which recovery components (and a stream-and-poll merger) hand venue facts to the engine: the OMS, then
    /// L60 portfolio and L70 post-trade risk for any fill. Use it on the engine loop only.
    /// </summary>
    public IExecutionReportSink ReportSink => _reportSink ??= new EngineReportSink(this);

    /// <summary>Sets the recovery components' options. Call before <see cref="StartAsync"/>; defaults apply otherwise.</summary>
    /// <param name="reconciler">Reconciler options and policy.</param>
    /// <param name="inFlight">In-flight check options.</param>
    /// <param name="reconcileInterval">How often the timer reconciles (1 minute by default).</param>
    /// <exception cref="InvalidOperationException">A component was already created.</exception>
    public void ConfigureRecovery(ReconcilerOptions? reconciler = null, InFlightMonitorOptions? inFlight = null, TimeSpan? reconcileInterval = null)
    {
        if (_reconciler is not null || _inFlight is not null)
        {
            throw new InvalidOperationException("Configure recovery before the engine starts.");
        }

        _reconcilerOptions = reconciler ?? _reconcilerOptions;
        _inFlightOptions = inFlight ?? _inFlightOptions;
        _reconcileIntervalOverride = reconcileInterval ?? _reconcileIntervalOverride;
    }

    /// <summary>
    /// The recovery part of the last gate: refuses every order while recovery has not succeeded
    /// (<c>RECOVERY_IN_PROGRESS</c>) and orders in a quarantined symbol (<c>SYMBOL_QUARANTINED</c>).
    /// </summary>
    /// <param name="symbol">The order's symbol.</param>
    /// <returns>The decision.</returns>
    public GateDecision CheckRecoveryGate(Symbol symbol)
    {
        if (_recovering)
        {
            return new GateDecision(false, ReconciliationErrorCodes.RecoveryInProgress, "start-up recovery and reconciliation have not completed");
        }

        if (_reconciler?.IsQuarantined(symbol) == true)
        {
            return new GateDecision(false, ReconciliationErrorCodes.SymbolQuarantined, $"{symbol} is quarantined by the reconciler until its drift is resolved");
        }

        return GateDecision.Allow;
    }

    /// <summary>
    /// Start-up recovery (UC-05): rebuilds the OMS orders and the portfolio from the event log (once), continues every
    /// order stream where it stopped, restores quarantines, then reads the venue and reconciles. New orders are refused
    /// from the call until a run succeeds; a failed run (the venue could not be read) may be retried by calling again.
    /// </summary>
    /// <param name="cancellationToken">Cancels recovery.</param>
    /// <returns>What was done.</returns>
    public async Task<RecoveryReport> RecoverAsync(CancellationToken cancellationToken = default)
    {
        _recovering = true;
        long replayed = 0;
        var restored = 0;
        IReadOnlyList<RebuildIssue> issues = [];
        if (!_restored)
        {
            var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions
            {
                AccountId = AccountId,
                InitialCash = _options.InitialCash,
                Currency = _options.Currency,
            }, Portfolio);
            replayed = await RebuildSessionAsync(rebuilder, cancellationToken).ConfigureAwait(false);
            var since = _time.GetUtcNow();
            foreach (var order in rebuilder.Orders.Values.OrderBy(o => o.LastEventPosition))
            {
                Orders.Restore(order.Order, order.Context);
                _recorder.ContinueOrderStream(order.Order.ClientOrderId, order.StreamVersion);
                since = order.Order.CreatedAt < since ? order.Order.CreatedAt : since;
            }

            foreach (var denied in rebuilder.DeniedOrders.Values)
            {
                _recorder.ContinueOrderStream(denied.ClientOrderId, denied.StreamVersion);
            }

            Reconciler.RestoreQuarantines(rebuilder.ActiveQuarantines.Keys);
            _journal.Backfill(replayed > 0 ? BuildBackfill(rebuilder) : JournalBackfill.None);
            _earlier = CountEarlierSessions(rebuilder);
            RestoreSlippage(rebuilder);

            _fillsSince = since;
            if (rebuilder.SessionStarts.TryGetValue(SessionId, out var firstStart) && firstStart < _sessionStartedAt)
            {
                _sessionStartedAt = firstStart;
            }

            restored = rebuilder.Orders.Count;
            issues = rebuilder.Issues;
            _restored = true;
        }

        var resent = await ResendUnsentAsync(cancellationToken).ConfigureAwait(false);
        var result = await ReconcileCoreAsync("startup", cancellationToken).ConfigureAwait(false);
        _recovering = result.Errors.Count > 0;
        _nextReconcileAt = _time.GetUtcNow() + ReconcileEvery;
        return LastRecovery = new RecoveryReport
        {
            EventsReplayed = replayed,
            OrdersRestored = restored,
            OrdersResent = resent,
            OpenOrders = Orders.OpenOrderCount,
            Issues = issues,
            Reconciliation = result,
        };
    }

    /// <summary>
    /// Rebuilds the account from the whole log, and marks where this session began in it: the first
    /// <see cref="Events.EngineStarted"/> of its session id (the one this process just wrote, unless it resumes a session an earlier
    /// process started). The session's summary (round trips, PnL, fees, slippage) and drawdown restart there, so a session
    /// on an account with earlier sessions reports its own trading, while cash and positions carry on.
    /// </summary>
    private async ValueTask<long> RebuildSessionAsync(ProjectionRebuilder rebuilder, CancellationToken cancellationToken)
    {
        var before = rebuilder.EventsApplied;
        _sessionBaseline = null;
        _sessionCurve = null;
        _standingTrips.Clear();
        _pausedBeforeRestart = false;
        _restoredOutcomes.Clear();
        _restoredSentAt.Clear();
        _restoredDenied.Clear();
        _outcomesSinceReset = 0;
        await foreach (var envelope in _eventStore.ReadAllAsync(1, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            if (_sessionBaseline is null && envelope.Payload is Events.EngineStarted started && started.SessionId == SessionId)
            {
                StartSessionAt(envelope.GlobalPosition, envelope.OccurredAt);
                _sessionCurve = Portfolio.StartEquityCurve(envelope.OccurredAt);
            }

            if (_sessionCurve is { } curve)
            {
                KeepControlState(envelope);
                ApplyToCurve(rebuilder, envelope, curve);
            }
            else
            {
                rebuilder.Apply(envelope);
            }
        }

        if (_sessionBaseline is null)
        {
            // A log without this session's start (a store that lost it, or one written without a recorder): everything
            // in it is earlier.
            StartSessionAt(long.MaxValue, _startedAt);
        }

        return rebuilder.EventsApplied - before;
    }

    /// <summary>
    /// Applies one event of the session and keeps the change of cash or positions it made, for <see cref="WarmUp"/> to
    /// rebuild the session's drawdown from (the log holds no marks, and recovery marks at fill prices).
    /// </summary>
    private void ApplyToCurve(ProjectionRebuilder rebuilder, Events.EventEnvelope envelope, TradingKit.Portfolio.SessionEquityCurve curve)
    {
        var cash = Portfolio.Cash;
        var fills = Portfolio.FillCount;
        var deposits = Portfolio.NetDeposits;
        rebuilder.Apply(envelope);
        if (cash == Portfolio.Cash && fills == Portfolio.FillCount && deposits == Portfolio.NetDeposits)
        {
            return;
        }

        var change = Portfolio.Cash - cash;
        var shift = Portfolio.NetDeposits - deposits;
        curve.Add(fills != Portfolio.FillCount && envelope.Payload is Events.OrderFilled f
            ? new(envelope.OccurredAt, f.Symbol, f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity, f.Price, change, shift)
            : new(envelope.OccurredAt, null, 0m, 0m, change, shift));
    }

    /// <summary>
    /// Follows what an operator must undo, through the session's events: a risk guard trip stands until a
    /// <c>reset_safe_mode</c>, a pause until a resume. A restart undoes neither.
    /// </summary>
    private void KeepControlState(Events.EventEnvelope envelope)
    {
        switch (envelope.Payload)
        {
            case Events.RiskGuardTripped trip:
                _standingTrips.Add((trip, envelope.OccurredAt));
                break;
            case Events.ManualOverrideExecuted { Action: ResetSafeModeAction }:
                _standingTrips.Clear();
                _outcomesSinceReset = _restoredOutcomes.Count;
                break;
            case Events.OrderSubmitted submitted:
                _restoredSentAt.Add((submitted.ClientOrderId, envelope.OccurredAt));
                break;
            case Events.OrderDenied denied:
                _restoredDenied.Add(denied.ClientOrderId);
                break;
            case Events.OrderAccepted:
                _restoredOutcomes.Add(Risk.SubmissionOutcome.Accepted);
                break;
            case Events.OrderRejected rejected:
                // The OMS records retries that ran out as a rejection with the transient code first: a failure, not a refusal.
                _restoredOutcomes.Add(rejected.Reason.StartsWith(ErrorCodes.BrokerTimeoutTransient, StringComparison.Ordinal)
                    ? Risk.SubmissionOutcome.Failed
                    : Risk.SubmissionOutcome.Rejected);
                break;
            case Events.EnginePaused:
                _pausedBeforeRestart = true;
                break;
            case Events.EngineResumed:
                _pausedBeforeRestart = false;
                break;
        }
    }

    /// <summary>The <see cref="Events.ManualOverrideExecuted.Action"/> of an operator's reset of safe mode (and of the risk guard).</summary>
    internal const string ResetSafeModeAction = "reset_safe_mode";

    /// <summary>The session's risk guard trips no operator had reset when its earlier process ended.</summary>
    private readonly List<(Events.RiskGuardTripped Trip, DateTimeOffset At)> _standingTrips = [];

    /// <summary>Whether an operator had paused the session, and not resumed it, when its earlier process ended.</summary>
    private bool _pausedBeforeRestart;

    /// <summary>The session's submission outcomes in its earlier processes, for the risk guard's counters.</summary>
    private readonly List<Risk.SubmissionOutcome> _restoredOutcomes = [];

    /// <summary>The session's sent orders (their submission times) in its earlier processes, for the order-rate window.</summary>
    private readonly List<(ClientOrderId Order, DateTimeOffset At)> _restoredSentAt = [];

    /// <summary>Orders of the session its gate denied: recorded, never sent.</summary>
    private readonly HashSet<ClientOrderId> _restoredDenied = [];

    /// <summary>How many of <see cref="_restoredOutcomes"/> came before the session's last reset of safe mode.</summary>
    private int _outcomesSinceReset;

    /// <summary>
    /// Leaves <see cref="EngineState.Recovering"/> for the state the session was in before the restart: the risk guard gets
    /// back the trips no operator reset (a HALTED one keeps the engine <see cref="EngineState.Safe"/> until
    /// <c>ResetSafeMode</c>), an operator's pause stands, otherwise the engine runs.
    /// </summary>
    private void LeaveRecovery()
    {
        if (_risk is Risk.RiskGuard activity && (_restoredOutcomes.Count > 0 || _restoredSentAt.Count > 0))
        {
            activity.RestoreActivity(_restoredOutcomes, _outcomesSinceReset,
                [.. _restoredSentAt.Where(s => !_restoredDenied.Contains(s.Order)).Select(s => s.At)]);
        }

        var halted = false;
        string? cause = null;
        foreach (var (trip, at) in _standingTrips)
        {
            var state = _risk is Risk.RiskGuard guard ? guard.Restore(trip, at).NewState : trip.NewState;
            halted |= state == Risk.TradingState.Halted;
            cause ??= trip.Cause;
            LogTripRestored(trip.Cause, trip.NewState);
            _journal.WriteRiskEvent(new RiskEventRecord
            {
                Type = "risk_guard_restored",
                Timestamp = _time.GetUtcNow(),
                Code = ErrorCodes.RiskGuardTripped,
                Rule = trip.Cause,
                Threshold = trip.Threshold,
                Observed = trip.Observed,
                Message = $"tripped at {at:O} before the restart and not reset: {trip.Message}",
            });
        }

        _standingTrips.Clear();
        if (halted)
        {
            MoveTo(EngineState.Safe, $"recovery_completed; {ErrorCodes.RiskGuardTripped}: {cause} before the restart, not reset");
        }
        else if (_pausedBeforeRestart)
        {
            MoveTo(EngineState.Paused, "recovery_completed; paused before the restart");
        }
        else
        {
            MoveTo(EngineState.Running, "recovery_completed");
        }
    }

    /// <summary>The session's changes of cash and positions since it began, until <see cref="WarmUp"/> replays them.</summary>
    private TradingKit.Portfolio.SessionEquityCurve? _sessionCurve;

    private void StartSessionAt(long position, DateTimeOffset at)
    {
        _sessionBaseline = new SessionBaseline(position, Portfolio.ClosedTrades.Count);
        Portfolio.StartSession();
        (_summary ??= new TradingKit.Portfolio.SessionSummaryBuilder(Portfolio, at)).Reset(at);
    }

    /// <summary>
    /// Gives the summary back the slippage of this session's fills that an earlier process of it applied: each against the
    /// decision price its order recorded (<see cref="Events.OrderSubmitted.DecisionPrice"/>, since schema version 2), in
    /// log order, as the engine recorded it live. Orders without one (manual, or recorded at version 1) have none.
    /// </summary>
    private void RestoreSlippage(ProjectionRebuilder rebuilder)
    {
        var baseline = _sessionBaseline!.Position;
        foreach (var f in rebuilder.Fills)
        {
            if (f.EventPosition < baseline || !rebuilder.Orders.TryGetValue(f.ClientOrderId, out var order)
                || order.Context.DecisionPrice is not { } reference || reference == 0m)
            {
                continue;
            }

            _summary!.RecordSlippage(ToFill(f), reference);
        }
    }

    private static Fill ToFill(Stores.FillView f) => new()
    {
        TradeId = f.TradeId,
        ClientOrderId = f.ClientOrderId,
        Symbol = f.Symbol,
        Side = f.Side,
        Quantity = f.Quantity,
        Price = f.Price,
        Fee = f.Fee,
        FeeCurrency = f.FeeCurrency,
        Liquidity = f.Liquidity,
        Timestamp = f.ExecutedAt,
    };

    /// <summary>Where this session began in the account's log, and how many round trips the account had closed by then.</summary>
    private sealed record SessionBaseline(long Position, int ClosedTrades);

    private SessionBaseline? _sessionBaseline;

    /// <summary>What the OMS's restored counts hold of earlier sessions of the account, which this session's summary leaves out.</summary>
    private (int Submitted, int Rejected, int Fills) _earlier;

    private (int Submitted, int Rejected, int Fills) CountEarlierSessions(ProjectionRebuilder rebuilder)
    {
        var baseline = _sessionBaseline!.Position;
        int submitted = 0, rejected = 0;
        foreach (var rebuilt in rebuilder.Orders.Values)
        {
            if (rebuilt.SubmittedPosition >= baseline)
            {
                continue;
            }

            // The OMS's Restore counts an order this way (see OrderManager.Restore).
            submitted += rebuilt.Order.Status is not (OrderStatus.New or OrderStatus.Denied) ? 1 : 0;
            rejected += rebuilt.Order.Status == OrderStatus.Rejected ? 1 : 0;
        }

        var fills = 0;
        foreach (var fill in rebuilder.Fills)
        {
            fills += fill.EventPosition < baseline ? 1 : 0;
        }

        return (submitted, rejected, fills);
    }

    /// <summary>
    /// What the log says this session's journal holds: a journal cut short by a crash gets its missing records back. Orders
    /// submitted, fills made and round trips closed before the session began (earlier sessions of the account) are not
    /// this session's records.
    /// </summary>
    private JournalBackfill BuildBackfill(ProjectionRebuilder rebuilder)
    {
        var baseline = _sessionBaseline!;
        var orders = new List<JournalOrderRecord>();
        foreach (var rebuilt in rebuilder.Orders.Values.Where(o => o.SubmittedPosition >= baseline.Position).OrderBy(o => o.Order.CreatedAt).ThenBy(o => o.LastEventPosition))
        {
            var order = rebuilt.Order;
            orders.Add(new JournalOrderRecord(order.CreatedAt, OrderRecordTypes.Submitted, order, null));
            if (order.VenueOrderId is not null)
            {
                // The log keeps no separate acknowledgement time once later events moved the order on; its creation time
                // is the earliest the acknowledgement can have been.
                orders.Add(new JournalOrderRecord(order.CreatedAt, OrderRecordTypes.Accepted, order, null));
            }

            var terminal = order.Status switch
            {
                OrderStatus.Rejected => OrderRecordTypes.Rejected,
                OrderStatus.Cancelled => OrderRecordTypes.Cancelled,
                OrderStatus.Expired => OrderRecordTypes.Expired,
                _ => null,
            };
            if (terminal is not null)
            {
                orders.Add(new JournalOrderRecord(order.UpdatedAt, terminal, order, order.Reason));
            }
        }

        var fills = rebuilder.Fills.Where(f => f.EventPosition >= baseline.Position).Select(ToFill).ToList();
        var slippage = new Dictionary<TradeId, decimal>();
        foreach (var fill in fills)
        {
            if (EngineRecorder.FillSlippageBps(fill, rebuilder.Orders.GetValueOrDefault(fill.ClientOrderId)?.Context.DecisionPrice) is { } bps)
            {
                slippage[fill.TradeId] = bps;
            }
        }

        var trades = Portfolio.ClosedTrades.Skip(baseline.ClosedTrades).Select(ToRecord).ToList();
        return new JournalBackfill(orders, fills, trades) { SlippageBps = slippage };
    }

    /// <summary>
    /// The orders a crash caught between recording and sending: SUBMITTED, never acknowledged, young enough. Each is asked
    /// for at the venue first and sent again (same id) only when the venue has never seen it.
    /// </summary>
    private async ValueTask<int> ResendUnsentAsync(CancellationToken cancellationToken)
    {
        if (_options.ResendUnsentOrdersWithin is not { } window || _killSwitch?.IsOn == true)
        {
            return 0;
        }

        var now = _time.GetUtcNow();
        var candidates = Orders.GetOpenOrders()
            .Where(o => o.Status == OrderStatus.Submitted && o.VenueOrderId is null && now - o.CreatedAt <= window)
            .Select(o => o.ClientOrderId)
            .ToList();
        var resent = 0;
        foreach (var clientOrderId in candidates)
        {
            var outcome = await Orders.ResumeSubmittedAsync(clientOrderId, cancellationToken).ConfigureAwait(false);
            if (outcome is { Status: not SubmitStatus.Duplicate })
            {
                resent++;
            }

            await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        }

        return resent;
    }

    /// <summary>Runs one reconciliation on the engine's current state (the <c>RunReconcile</c> command, a reconnect, the timer).</summary>
    /// <param name="trigger">What started it.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The result.</returns>
    public Task<ReconciliationResult> ReconcileAsync(string trigger, CancellationToken cancellationToken = default)
        => ReconcileCoreAsync(trigger, cancellationToken);

    /// <summary>The timer's recovery duties: retry a failed recovery, else check in-flight orders and reconcile when due.</summary>
    internal ValueTask OnRecoveryTimerAsync(CancellationToken cancellationToken)
    {
        // The timer ticks with every bar of a backtest: a tick with nothing to do completes without an asynchronous state machine.
        if (!_recovering && InFlight.IsIdle && (_options.ReconcileInterval is null || _time.GetUtcNow() < _nextReconcileAt))
        {
            return ValueTask.CompletedTask;
        }

        return OnRecoveryTimerCoreAsync(cancellationToken);
    }

    private async ValueTask OnRecoveryTimerCoreAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_recovering)
        {
            if (now >= _nextReconcileAt && (await RecoverAsync(cancellationToken).ConfigureAwait(false)).Succeeded && State == EngineState.Recovering)
            {
                LeaveRecovery();
            }

            return;
        }

        await InFlight.CheckAsync(cancellationToken).ConfigureAwait(false);
        if (_options.ReconcileInterval is not null && now >= _nextReconcileAt)
        {
            _nextReconcileAt = now + ReconcileEvery;
            await ReconcileCoreAsync("periodic", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>RunReconcile</c> command.</summary>
    private async ValueTask<CommandResult> RunReconcileAsync(RunReconcile command, CancellationToken cancellationToken)
    {
        var result = await ReconcileCoreAsync("command", cancellationToken).ConfigureAwait(false);
        var summary = $"{result.Drifts.Count} drift(s), {result.RepairedCount} repaired, {result.Errors.Count} read failure(s) ({command.Reason})";
        return result.Errors.Count == 0
            ? CommandResult.Ok(summary)
            : CommandResult.Fail(result.Errors[0].Code, summary);
    }

    private async Task<ReconciliationResult> ReconcileCoreAsync(string trigger, CancellationToken cancellationToken)
    {
        // Reports already delivered are applied first, so the snapshot is as current as the engine can make it.
        await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var since = _fillsSince != default ? _fillsSince : _startedAt != default ? _startedAt : now;
        if (_lastCleanReconcileAt is { } last)
        {
            // A clean run already compared every fill before it: read only a window behind it, so a long session's
            // reconciliation does not grow with its history. The margin covers fills reported late and clock skew.
            var windowStart = last - (ReconcileEvery + ReconcileEvery) - TimeSpan.FromMinutes(5);
            since = windowStart > since ? windowStart : since;
        }

        var snapshot = LocalSnapshot.Capture(Orders, Portfolio, now, since);
        var result = await Reconciler.ReconcileAsync(snapshot, trigger, cancellationToken).ConfigureAwait(false);
        if (result.Errors.Count == 0)
        {
            _lastCleanReconcileAt = now;
        }
        await _recorder.FlushStatesAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Venue facts found by recovery components take the path of venue reports: OMS, then L60/L70 for a fill.</summary>
    private sealed class EngineReportSink(TradingEngine engine) : IExecutionReportSink
    {
        public async ValueTask<Fill?> ApplyAsync(ExecutionReport report, CancellationToken cancellationToken = default)
        {
            var fill = await engine.Orders.ApplyReportAsync(report, cancellationToken).ConfigureAwait(false);
            if (fill is not null)
            {
                await engine.OnFillAsync(fill, cancellationToken).ConfigureAwait(false);
            }

            return fill;
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Risk guard trip {Cause} ({State}) from before the restart still stands; an operator's reset re-arms it")]
    private partial void LogTripRestored(string cause, Risk.TradingState state);
}
