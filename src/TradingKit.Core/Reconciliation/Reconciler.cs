using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Orders;
using TradingKit.Replay;
using TradingKit.Stores;

namespace TradingKit.Reconciliation;

/// <summary>
/// The reconciler (UC-06, principle 4): compares a <see cref="LocalSnapshot"/> with the venue (positions, open orders,
/// recent fills, optionally balances), records every drift, repairs what the venue's own facts prove through the
/// <see cref="IExecutionReportSink"/> (so repairs take the same path as venue reports) and quarantines the rest.
/// </summary>
/// <remarks>
/// <para>Rules that keep it safe (see <c>docs/recovery.md</c>):</para>
/// <list type="bullet">
/// <item>A venue read that fails is retried with back-off, then recorded (<c>drift_detected</c> on subject
/// <c>venue:&lt;read&gt;</c>) and everything depending on it is left uncompared: a failed position read is never read as
/// flat (<c>POSITION_SYNC_FAIL</c>).</item>
/// <item>Never a stale snapshot against a newer venue report: the snapshot must be younger than
/// <see cref="ReconcilerOptions.MaxSnapshotAge"/> when the reads start; positions are read first, then open orders, then
/// fills, and a symbol with a venue fill stamped after (position read time − clock-skew allowance) is not compared
/// this run; an order whose venue state changed after (snapshot time − allowance) gets no inferred fill this run (its
/// report may be in flight); local orders younger than <see cref="ReconcilerOptions.InFlightGrace"/> are not judged
/// missing.</item>
/// <item>Venue fills are applied with their own trade ids, so applying one twice (a report still in flight) changes
/// nothing; an inferred fill gets the deterministic id <c>rc:&lt;client order id&gt;:&lt;venue filled quantity&gt;</c>, so a
/// second run, or a restart, cannot add it again.</item>
/// <item>Reconciliation never sends an order and never opens a position by itself: fills of unknown orders and position
/// differences no fill explains are quarantined, never papered over.</item>
/// </list>
/// <para>Not thread-safe: run it on the engine loop.</para>
/// </remarks>
public sealed partial class Reconciler
{
    private readonly IBrokerAdapter _broker;
    private readonly IExecutionReportSink _sink;
    private readonly IEventStore _store;
    private readonly TimeProvider _time;
    private readonly ReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly string _stream;
    private readonly HashSet<Symbol> _quarantined = [];

    /// <summary>Creates a reconciler.</summary>
    /// <param name="broker">The venue.</param>
    /// <param name="sink">Where repairs go (the engine's venue-report path).</param>
    /// <param name="store">The event log; drift, quarantine and run events go to the session's <c>reconcile-</c> stream.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="timeProvider">The engine clock.</param>
    /// <param name="options">Options; defaults when null. Validated.</param>
    /// <param name="logger">The logger.</param>
    public Reconciler(IBrokerAdapter broker, IExecutionReportSink sink, IEventStore store, SessionId sessionId, TimeProvider timeProvider,
        ReconcilerOptions? options = null, ILogger<Reconciler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options ?? new ReconcilerOptions();
        _options.Validate();
        _broker = broker;
        _sink = sink;
        _store = store;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _stream = StreamNames.Reconciliation(sessionId);
    }

    /// <summary>The symbols quarantined now.</summary>
    public IReadOnlyCollection<Symbol> QuarantinedSymbols => _quarantined;

    /// <summary>The last run's result, or null before the first.</summary>
    public ReconciliationResult? LastResult { get; private set; }

    /// <summary>True while <paramref name="symbol"/> is quarantined: the engine's gate refuses new orders in it (<c>SYMBOL_QUARANTINED</c>).</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>Whether it is quarantined.</returns>
    public bool IsQuarantined(Symbol symbol) => _quarantined.Contains(symbol);

    /// <summary>Restores quarantines still active in the log (from <see cref="ProjectionRebuilder.ActiveQuarantines"/>) after a restart.</summary>
    /// <param name="subjects">The quarantined subjects (symbols).</param>
    public void RestoreQuarantines(IEnumerable<string> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        foreach (var subject in subjects)
        {
            _quarantined.Add(new Symbol(subject));
        }
    }

    /// <summary>An operator ends a quarantine (after resolving its cause at the venue or accepting the difference).</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="resolution">How it was resolved, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>False when the symbol was not quarantined.</returns>
    public async ValueTask<bool> ReleaseQuarantineAsync(Symbol symbol, string resolution, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resolution);
        if (!_quarantined.Remove(symbol))
        {
            return false;
        }

        await AppendAsync([new QuarantineCompleted(symbol.Value, resolution)], CorrelationId.New(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs one reconciliation.</summary>
    /// <param name="local">The local snapshot, taken on the engine loop just before this call.</param>
    /// <param name="trigger">What started it: <c>startup</c>, <c>periodic</c>, <c>command</c>, <c>reconnect</c>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was found and done.</returns>
    public async ValueTask<ReconciliationResult> ReconcileAsync(LocalSnapshot local, string trigger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        var run = new Run(local, _time.GetUtcNow());
        var before = new HashSet<Symbol>(_quarantined);
        if (run.StartedAt - local.AsOf > _options.MaxSnapshotAge)
        {
            run.Errors.Add(new ReconciliationError(ReconciliationErrorCodes.StaleSnapshot, string.Create(CultureInfo.InvariantCulture,
                $"the local snapshot of {local.AsOf:O} is older than {_options.MaxSnapshotAge} at {run.StartedAt:O}; take a new one on the engine loop")));
        }
        else
        {
            await CompareAsync(run, cancellationToken).ConfigureAwait(false);
            await ApplyAsync(run, cancellationToken).ConfigureAwait(false);
        }

        var events = new List<ITradingEvent>();
        foreach (var error in run.Errors)
        {
            events.Add(new DriftDetected(error.Code == ReconciliationErrorCodes.PositionSyncFail ? DriftKind.Position : DriftKind.Order,
                "venue:" + error.Code, string.Empty, "unavailable", error.Message));
        }

        foreach (var drift in run.Drifts)
        {
            events.Add(drift.ToEvent());
        }

        foreach (var symbol in _quarantined.Where(s => !before.Contains(s)).OrderBy(s => s.Value, StringComparer.Ordinal))
        {
            events.Add(new QuarantineStarted(symbol.Value, string.Join("; ", run.Drifts.Where(d => d.Symbol == symbol && d.Action == DriftAction.Quarantine).Select(d => d.Type.ToString()).Distinct())));
        }

        // A quarantine ends by itself only after a complete run that found its symbol clean.
        if (run.Errors.Count == 0)
        {
            foreach (var symbol in before.Where(s => !run.Touched.Contains(s)).OrderBy(s => s.Value, StringComparer.Ordinal))
            {
                _quarantined.Remove(symbol);
                events.Add(new QuarantineCompleted(symbol.Value, "reconciled_clean"));
            }
        }

        var completedAt = _time.GetUtcNow();
        var result = new ReconciliationResult
        {
            Trigger = trigger,
            StartedAt = run.StartedAt,
            CompletedAt = completedAt,
            Drifts = run.Drifts,
            Errors = run.Errors,
            Deferred = run.Deferred,
            Quarantined = [.. _quarantined.OrderBy(s => s.Value, StringComparer.Ordinal)],
        };
        events.Add(new ReconciliationPerformed(trigger, result.Succeeded, run.Drifts.Count + run.Errors.Count, result.RepairedCount, completedAt - run.StartedAt));
        await AppendAsync(events, run.Correlation, cancellationToken).ConfigureAwait(false);
        LogPerformed(trigger, run.Drifts.Count, result.RepairedCount, run.Errors.Count, run.Deferred.Count);
        LastResult = result;
        return result;
    }

    private static decimal Sum(IEnumerable<Fill> fills) => fills.Sum(static f => f.Quantity);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private async ValueTask CompareAsync(Run run, CancellationToken cancellationToken)
    {
        var local = run.Local;
        var skew = _options.ClockSkewTolerance;

        // Positions first: every fill after this moment is then visible in the fill list and can defer its symbol.
        var positionsReadAt = _time.GetUtcNow();
        var positions = await ReadAsync(static (b, _, ct) => b.GetPositionsAsync(ct), local, ReconciliationErrorCodes.PositionSyncFail, "positions", run, cancellationToken).ConfigureAwait(false);
        var open = await ReadAsync(static (b, _, ct) => b.GetOpenOrdersAsync(null, ct), local, ReconciliationErrorCodes.OpenOrdersSyncFail, "open orders", run, cancellationToken).ConfigureAwait(false);
        var fills = await ReadAsync(static (b, l, ct) => b.GetRecentFillsAsync(null, l.FillsSince, ct), local, ReconciliationErrorCodes.FillsSyncFail, "recent fills", run, cancellationToken).ConfigureAwait(false);
        var balances = _options.CompareBalances
            ? await ReadAsync(static (b, _, ct) => b.GetBalancesAsync(ct), local, ReconciliationErrorCodes.BalancesSyncFail, "balances", run, cancellationToken).ConfigureAwait(false)
            : null;

        var localOrders = new LocalOrders(local);

        if (open is not null && fills is not null)
        {
            await CompareOrdersAsync(run, localOrders, open, fills, cancellationToken).ConfigureAwait(false);
        }

        if (positions is not null && fills is not null && open is not null)
        {
            ComparePositions(run, positions, fills, positionsReadAt - skew);
        }

        if (balances is not null && open is not null && fills is not null && run.PendingSigned.Count == 0 && run.Deferred.Count == 0)
        {
            var venueCash = balances.Where(b => string.Equals(b.Asset, local.Currency, StringComparison.OrdinalIgnoreCase)).Sum(static b => b.Total);
            if (Math.Abs(venueCash - local.Cash) > _options.BalanceTolerance)
            {
                run.Add(new DriftItem(DriftType.BalanceMismatch, null, local.Currency, Text(local.Cash), Text(venueCash),
                    $"cash {local.Cash} locally, {venueCash} at the venue"), _options.Policy);
            }
        }
    }

    private async ValueTask CompareOrdersAsync(Run run, LocalOrders localOrders, IReadOnlyList<VenueOrderState> open,
        IReadOnlyList<Fill> fills, CancellationToken cancellationToken)
    {
        var local = run.Local;
        var policy = _options.Policy;
        var openById = new Dictionary<ClientOrderId, VenueOrderState>(open.Count);
        foreach (var state in open)
        {
            openById[state.ClientOrderId] = state;
        }

        var fillsByOrder = new Dictionary<ClientOrderId, List<Fill>>();
        foreach (var fill in fills)
        {
            if (!fillsByOrder.TryGetValue(fill.ClientOrderId, out var list))
            {
                fillsByOrder[fill.ClientOrderId] = list = [];
            }

            list.Add(fill);
        }

        // Only orders open on either side or with venue fills in the window can drift; the rest are skipped unsorted.
        foreach (var order in localOrders.ToCompare(openById, fillsByOrder))
        {
            var id = order.ClientOrderId;
            var missing = fillsByOrder.TryGetValue(id, out var orderFills) ? orderFills.Where(f => !order.HasFill(f.TradeId)).ToList() : [];
            var localOpen = OrderStateMachine.IsOpen(order.Status);
            openById.TryGetValue(id, out var state);
            if (state is null && !localOpen && missing.Count == 0)
            {
                continue;
            }

            if (state is null)
            {
                if (localOpen && order.CreatedAt > local.AsOf - _options.InFlightGrace)
                {
                    run.Defer(order.Symbol, id.Value);
                    continue;
                }

                var (ok, queried) = await QueryAsync(order, run, cancellationToken).ConfigureAwait(false);
                if (!ok)
                {
                    run.Defer(order.Symbol, id.Value);
                    continue;
                }

                state = queried;
            }

            foreach (var fill in missing)
            {
                run.Add(new DriftItem(DriftType.MissingFill, order.Symbol, fill.TradeId.Value, "absent", $"{Text(fill.Quantity)}@{Text(fill.Price)}",
                    $"venue fill {fill.TradeId} of {id} is not in the log"), policy, VenueReports.Fill(fill, state));
            }

            if (state is null)
            {
                if (localOpen)
                {
                    ExecutionReport? reject = order.Status == OrderStatus.Submitted
                        ? VenueReports.Status(order, ExecutionKind.Rejected, OrderStatus.Rejected, null, run.StartedAt, "RECONCILE_UNKNOWN_AT_VENUE: the venue has no order with this client order id")
                        : null;
                    run.Add(new DriftItem(DriftType.OrderUnknownAtVenue, order.Symbol, id.Value, order.Status.ToString(), "unknown",
                        $"order {id} is {order.Status} locally but the venue has never seen it"), policy, reject);
                }

                continue;
            }

            var explained = order.FilledQuantity + Sum(missing);
            if (state.FilledQuantity > explained)
            {
                AddInferredFill(run, order, state, missing, explained);
            }

            CompareStatus(run, order, state, localOpen, openById.ContainsKey(id));
        }

        foreach (var state in open)
        {
            if (!localOrders.Contains(state.ClientOrderId))
            {
                run.Add(new DriftItem(DriftType.ExternalOrder, state.Symbol, state.ClientOrderId.Value, "unknown", state.Status.ToString(),
                    $"order {state.ClientOrderId} ({state.Side} {Text(state.Quantity)} {state.Symbol}) is open at the venue but unknown locally"), policy);
            }
        }

        foreach (var fill in fills)
        {
            if (!localOrders.Contains(fill.ClientOrderId) && !local.RetiredOrders.Contains(fill.ClientOrderId))
            {
                run.Add(new DriftItem(DriftType.ExternalFill, fill.Symbol, fill.TradeId.Value, "absent", $"{fill.Side} {Text(fill.Quantity)}@{Text(fill.Price)}",
                    $"venue fill {fill.TradeId} belongs to order {fill.ClientOrderId}, unknown locally"), policy);
            }
        }
    }

    private void AddInferredFill(Run run, Order order, VenueOrderState state, List<Fill> missing, decimal explained)
    {
        var id = order.ClientOrderId;
        if (state.UpdatedAt > run.Local.AsOf - _options.ClockSkewTolerance)
        {
            // The venue changed after the snapshot: the report may be in flight; inferring now could count it twice.
            run.Defer(order.Symbol, id.Value);
            return;
        }

        var quantity = state.FilledQuantity - explained;
        decimal? price = null;
        if (state.AveragePrice is { } average)
        {
            var notional = (average * state.FilledQuantity) - (order.AverageFillPrice * order.FilledQuantity) - missing.Sum(static f => f.Price * f.Quantity);
            price = notional / quantity;
        }

        ExecutionReport? report = null;
        if (price > 0m)
        {
            var fill = new Fill
            {
                TradeId = SyntheticTradeId(id, state.FilledQuantity),
                ClientOrderId = id,
                VenueOrderId = state.VenueOrderId ?? order.VenueOrderId,
                Symbol = order.Symbol,
                Side = order.Side,
                Quantity = quantity,
                Price = price.Value,
                PositionSide = order.Request.PositionSide,
                Timestamp = state.UpdatedAt == default ? run.StartedAt : state.UpdatedAt,
            };
            report = VenueReports.Fill(fill, state);
        }

        run.Add(new DriftItem(DriftType.InferredFill, order.Symbol, id.Value, Text(explained), Text(state.FilledQuantity),
            report is null
                ? $"the venue reports {state.FilledQuantity} filled of {id} but no fill explains {quantity} and no average price allows inferring one"
                : $"the venue reports {state.FilledQuantity} filled of {id}; {quantity} @ {price} is inferred as {report.Fill!.TradeId}"),
            _options.Policy, report);
    }

    /// <summary>The deterministic trade id of an inferred fill: the same order and venue filled quantity always give the same id.</summary>
    /// <param name="clientOrderId">The order.</param>
    /// <param name="venueFilledQuantity">The order's filled quantity at the venue that the fill completes.</param>
    /// <returns>The id.</returns>
    public static TradeId SyntheticTradeId(ClientOrderId clientOrderId, decimal venueFilledQuantity)
        => new("rc:" + clientOrderId.Value + ":" + (venueFilledQuantity / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture));

    private void CompareStatus(Run run, Order order, VenueOrderState state, bool localOpen, bool openAtVenue)
    {
        var id = order.ClientOrderId;
        var policy = _options.Policy;
        if (!localOpen)
        {
            if (openAtVenue)
            {
                run.Add(new DriftItem(DriftType.ExternalOrder, order.Symbol, id.Value, order.Status.ToString(), state.Status.ToString(),
                    $"order {id} is {order.Status} locally but still open at the venue"), policy);
            }

            return;
        }

        var at = state.UpdatedAt == default ? run.StartedAt : state.UpdatedAt;
        var (kind, name) = state.Status switch
        {
            OrderStatus.Cancelled => (ExecutionKind.Cancelled, "cancelled"),
            OrderStatus.Expired => (ExecutionKind.Expired, "expired"),
            OrderStatus.Rejected => (ExecutionKind.Rejected, "rejected"),
            OrderStatus.Acknowledged or OrderStatus.PartiallyFilled or OrderStatus.Triggered when order.Status == OrderStatus.Submitted => (ExecutionKind.Accepted, "acknowledged"),
            _ => ((ExecutionKind)0, string.Empty),
        };
        if (kind == 0)
        {
            return;
        }

        run.Add(new DriftItem(DriftType.OrderStatusMismatch, order.Symbol, id.Value, order.Status.ToString(), state.Status.ToString(),
                $"order {id} is {order.Status} locally but {name} at the venue"), policy,
            VenueReports.Status(order, kind, state.Status, state.VenueOrderId, at, "reconciliation: " + name + " at the venue"));
    }

    private void ComparePositions(Run run, IReadOnlyList<VenuePosition> venue, IReadOnlyList<Fill> fills, DateTimeOffset cutoff)
    {
        var bySymbol = new SortedDictionary<string, (Symbol Symbol, decimal LocalQty, decimal LocalCost, decimal VenueQty, decimal VenueCost)>(StringComparer.Ordinal);
        foreach (var leg in run.Local.Positions)
        {
            bySymbol.TryGetValue(leg.Symbol.Value, out var p);
            bySymbol[leg.Symbol.Value] = (leg.Symbol, p.LocalQty + leg.Quantity, p.LocalCost + leg.CostBasis, p.VenueQty, p.VenueCost);
        }

        foreach (var position in venue)
        {
            bySymbol.TryGetValue(position.Symbol.Value, out var p);
            bySymbol[position.Symbol.Value] = (position.Symbol, p.LocalQty, p.LocalCost, p.VenueQty + position.Quantity, p.VenueCost + (position.Quantity * position.AveragePrice));
        }

        var moved = new HashSet<Symbol>(fills.Where(f => f.Timestamp > cutoff).Select(static f => f.Symbol));
        foreach (var (key, p) in bySymbol)
        {
            if (run.DeferredSymbols.Contains(p.Symbol) || moved.Contains(p.Symbol))
            {
                run.Defer(p.Symbol, "position:" + key);
                continue;
            }

            var pending = run.PendingSigned.GetValueOrDefault(p.Symbol);
            var expected = p.LocalQty + pending;
            if (expected != p.VenueQty)
            {
                run.Add(new DriftItem(DriftType.PositionMismatch, p.Symbol, key, Text(expected), Text(p.VenueQty),
                    $"{key}: {expected} locally (after this run's fill repairs), {p.VenueQty} at the venue"), _options.Policy);
                continue;
            }

            if (pending == 0m && p.VenueQty != 0m)
            {
                var localAverage = Math.Abs(p.LocalCost / p.LocalQty);
                var venueAverage = Math.Abs(p.VenueCost / p.VenueQty);
                if (Math.Abs(localAverage - venueAverage) > _options.AveragePriceTolerance * venueAverage)
                {
                    run.Add(new DriftItem(DriftType.AveragePriceMismatch, p.Symbol, key, Text(localAverage), Text(venueAverage),
                        $"{key}: average price {localAverage} locally, {venueAverage} at the venue"), _options.Policy);
                }
            }
        }
    }

    private async ValueTask ApplyAsync(Run run, CancellationToken cancellationToken)
    {
        for (var i = 0; i < run.Drifts.Count; i++)
        {
            var drift = run.Drifts[i];
            LogDrift(drift.Type, drift.Subject, drift.LocalValue, drift.VenueValue, drift.Action);
            if (drift.Action == DriftAction.Repair && run.Repairs[i] is { } report)
            {
                try
                {
                    var applied = await _sink.ApplyAsync(report, cancellationToken).ConfigureAwait(false);

                    // Nothing else changes the orders during a run, so a fill not applied now was refused by the OMS.
                    run.Drifts[i] = report.Fill is not null && applied is null
                        ? drift with { Action = DriftAction.Quarantine }
                        : drift with { Repaired = true };
                }
                catch (TradingKitException ex)
                {
                    LogRepairFailed(drift.Type, drift.Subject, ex.Code, ex.Message);
                    run.Drifts[i] = drift with { Action = DriftAction.Quarantine };
                }
            }

            if (run.Drifts[i].Action == DriftAction.Quarantine && drift.Symbol is { } symbol)
            {
                _quarantined.Add(symbol);
            }
        }
    }

    private async ValueTask<T?> ReadAsync<T>(Func<IBrokerAdapter, LocalSnapshot, CancellationToken, ValueTask<T>> read, LocalSnapshot local, string code, string what,
        Run run, CancellationToken cancellationToken)
        where T : class
    {
        var (ok, value) = await TryAsync(read, local, code, what, run, cancellationToken).ConfigureAwait(false);
        return ok ? value : null;
    }

    private ValueTask<(bool Ok, VenueOrderState? State)> QueryAsync(Order order, Run run, CancellationToken cancellationToken)
        => TryAsync((b, _, ct) => b.QueryOrderAsync(order.Symbol, order.ClientOrderId, ct), run.Local, ReconciliationErrorCodes.OrderQueryFail,
            "order " + order.ClientOrderId.Value, run, cancellationToken);

    private async ValueTask<(bool Ok, T? Value)> TryAsync<T>(Func<IBrokerAdapter, LocalSnapshot, CancellationToken, ValueTask<T>> read, LocalSnapshot local,
        string code, string what, Run run, CancellationToken cancellationToken)
    {
        var delay = _options.QueryRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (true, await read(_broker, local, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is BrokerException or TimeoutException)
            {
                if (attempt >= _options.QueryAttempts)
                {
                    LogReadFailed(what, attempt, ex.Message);
                    run.Errors.Add(new ReconciliationError(code, $"{what}: {ex.Message} (after {attempt} attempt(s))"));
                    return (false, default);
                }
            }

            if (delay > TimeSpan.Zero)
            {
                // On a simulation clock (backtests, replays) the back-off moves the clock instead of waiting in real time.
                await Time.SimulationTimeProvider.DelayAsync(_time, delay, cancellationToken).ConfigureAwait(false);
                delay += delay;
            }
        }
    }

    private async ValueTask AppendAsync(List<ITradingEvent> events, CorrelationId correlation, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var data = new EventData[events.Count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = new EventData(Guid.NewGuid(), events[i], now, correlation);
        }

        await _store.AppendAsync(_stream, ExpectedVersion.Any, data, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift {Type} on {Subject}: local {Local}, venue {Venue}; action {Action}")]
    private partial void LogDrift(DriftType type, string subject, string local, string venue, DriftAction action);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation could not read {What} after {Attempts} attempt(s): {Message}")]
    private partial void LogReadFailed(string what, int attempts, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Repair of {Type} on {Subject} failed ({Code}): {Message}; quarantined instead")]
    private partial void LogRepairFailed(DriftType type, string subject, string code, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation ({Trigger}): {Drifts} drift(s), {Repaired} repaired, {Errors} read failure(s), {Deferred} deferred")]
    private partial void LogPerformed(string trigger, int drifts, int repaired, int errors, int deferred);

    /// <summary>The working state of one run.</summary>
    private sealed class Run(LocalSnapshot local, DateTimeOffset startedAt)
    {
        public LocalSnapshot Local { get; } = local;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public CorrelationId Correlation { get; } = CorrelationId.New();

        public List<DriftItem> Drifts { get; } = [];

        public List<ExecutionReport?> Repairs { get; } = [];

        public List<ReconciliationError> Errors { get; } = [];

        public List<string> Deferred { get; } = [];

        public HashSet<Symbol> DeferredSymbols { get; } = [];

        /// <summary>Symbols with a drift or a deferral this run: a quarantine on them does not end.</summary>
        public HashSet<Symbol> Touched { get; } = [];

        /// <summary>The signed quantity of the fills this run will repair, per symbol.</summary>
        public Dictionary<Symbol, decimal> PendingSigned { get; } = [];

        public void Defer(Symbol symbol, string subject)
        {
            Deferred.Add(subject);
            DeferredSymbols.Add(symbol);
            Touched.Add(symbol);
        }

        public void Add(DriftItem drift, ReconciliationPolicy policy, ExecutionReport? repair = null)
        {
            var action = policy.For(drift.Type);
            if (action == DriftAction.Repair && repair is null)
            {
                // Nothing proves what the state should be: keep hands off the symbol instead.
                action = DriftAction.Quarantine;
            }

            Drifts.Add(drift with { Action = action });
            Repairs.Add(repair);
            if (drift.Symbol is { } symbol)
            {
                Touched.Add(symbol);
                if (action == DriftAction.Repair && repair?.Fill is { } fill)
                {
                    PendingSigned[symbol] = PendingSigned.GetValueOrDefault(symbol) + fill.SignedQuantity;
                }
            }
        }
    }

    /// <summary>
    /// The local orders a comparison sees (every one but NEW and DENIED), by client order id. With the snapshot's open
    /// orders and lookup (<see cref="LocalSnapshot.Capture"/> sets both) a run touches only the orders that can drift, so a
    /// reconciliation's cost does not grow with the session's history; without them the list is indexed once.
    /// </summary>
    private sealed class LocalOrders
    {
        private readonly LocalSnapshot _local;
        private readonly Dictionary<ClientOrderId, Order>? _byId;

        public LocalOrders(LocalSnapshot local)
        {
            _local = local;
            if (local.FindOrder is null || local.OpenOrders is null)
            {
                _byId = [];
                foreach (var order in local.Orders)
                {
                    if (Compared(order))
                    {
                        _byId[order.ClientOrderId] = order;
                    }
                }
            }
        }

        public bool Contains(ClientOrderId id) => Find(id) is not null;

        /// <summary>
        /// The orders open locally, open at the venue, or with venue fills in the window, oldest first (ties by client order
        /// id): the same orders, in the same order, as walking every local order would compare.
        /// </summary>
        public List<Order> ToCompare(Dictionary<ClientOrderId, VenueOrderState> openAtVenue, Dictionary<ClientOrderId, List<Fill>> fillsByOrder)
        {
            var list = new List<Order>();
            if (_byId is not null)
            {
                foreach (var order in _byId.Values)
                {
                    if (OrderStateMachine.IsOpen(order.Status) || openAtVenue.ContainsKey(order.ClientOrderId) || fillsByOrder.ContainsKey(order.ClientOrderId))
                    {
                        list.Add(order);
                    }
                }
            }
            else
            {
                var seen = new HashSet<ClientOrderId>();
                foreach (var order in _local.OpenOrders!)
                {
                    if (Compared(order) && seen.Add(order.ClientOrderId))
                    {
                        list.Add(order);
                    }
                }

                AddFound(openAtVenue.Keys, seen, list);
                AddFound(fillsByOrder.Keys, seen, list);
            }

            list.Sort(static (a, b) =>
            {
                var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
                return byTime != 0 ? byTime : string.CompareOrdinal(a.ClientOrderId.Value, b.ClientOrderId.Value);
            });
            return list;
        }

        private Order? Find(ClientOrderId id)
        {
            if (_byId is not null)
            {
                return _byId.GetValueOrDefault(id);
            }

            return _local.FindOrder!(id) is { } order && Compared(order) ? order : null;
        }

        private void AddFound(IEnumerable<ClientOrderId> ids, HashSet<ClientOrderId> seen, List<Order> into)
        {
            foreach (var id in ids)
            {
                if (!seen.Contains(id) && Find(id) is { } order)
                {
                    seen.Add(id);
                    into.Add(order);
                }
            }
        }

        private static bool Compared(Order order) => order.Status is not (OrderStatus.New or OrderStatus.Denied);
    }
}
