using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Orders;

namespace TradingKit.Oms;

/// <summary>
/// The order management system: turns order requests into orders at the venue, idempotently, and applies the
/// venue's reports to them. Single-threaded: owned by one engine loop.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An order is recorded (<see cref="IOrderRecorder"/>) <b>before</b> the venue call.</item>
/// <item>A client order id already known is never sent again: the existing order is returned (TEST-712).</item>
/// <item>Transient failures are retried with the <b>same</b> client order id (Polly.Core retry); a permanent refusal is
/// recorded with its reason and never retried; an unknown outcome (timeout after sending) is resolved by querying the
/// venue by client order id <b>before</b> any resend.</item>
/// <item>Fills are deduplicated by trade id; out-of-order reports are handled by the order state machine.</item>
/// </list>
/// </remarks>
public sealed partial class OrderManager
{
    private readonly IBrokerAdapter _broker;
    private readonly IOrderRecorder _recorder;
    private readonly IOrderGate? _gate;
    private readonly TimeProvider _time;
    private readonly OmsOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<SubmitResult> _callPipeline;
    private readonly ResiliencePipeline _queryPipeline;
    private readonly bool _directFirstAttempt;
    private readonly Dictionary<ClientOrderId, Tracked> _orders = [];
    private readonly List<IOrderObserver> _observers = [];

    // Only the open orders: the checks on every decision and submit must not walk the whole session's history.
    private readonly Dictionary<ClientOrderId, Tracked> _open = [];

    // Terminal orders in the order they became terminal, linked through the orders themselves (no array that grows with
    // the session); the oldest beyond the retention are retired to their ids.
    private Tracked? _oldestTerminal;
    private Tracked? _newestTerminal;
    private int _terminalCount;
    private readonly int? _retention;
    private readonly HashSet<ClientOrderId> _retired = [];
    private readonly System.Collections.ObjectModel.ReadOnlySet<ClientOrderId> _retiredView;

    /// <summary>Creates the OMS.</summary>
    /// <param name="broker">The venue.</param>
    /// <param name="recorder">Persists every change (the event store).</param>
    /// <param name="options">Retry and timeout options; validated.</param>
    /// <param name="timeProvider">The engine clock.</param>
    /// <param name="gate">The last gate before the venue, or null for none.</param>
    /// <param name="logger">The logger.</param>
    public OrderManager(IBrokerAdapter broker, IOrderRecorder recorder, OmsOptions options, TimeProvider timeProvider,
        IOrderGate? gate = null, ILogger<OrderManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _broker = broker;
        _recorder = recorder;
        _options = options;
        _time = timeProvider;
        _gate = gate;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _callPipeline = BuildCallPipeline(options, timeProvider);
        _directFirstAttempt = options.CallTimeout == Timeout.InfiniteTimeSpan;
        _retention = options.RetainedTerminalOrders;
        _retiredView = new(_retired);
        _queryPipeline = BuildQueryPipeline(options, timeProvider);
    }

    /// <summary>
    /// Every order this OMS keeps: the open ones and the newest <see cref="OmsOptions.RetainedTerminalOrders"/> terminal
    /// ones (older terminal orders are retired to their ids; see <see cref="RetiredOrderCount"/>).
    /// </summary>
    public IEnumerable<Order> Orders => _orders.Values.Select(t => t.Order);

    /// <summary>How many orders are open (submitted and not yet terminal).</summary>
    public int OpenOrderCount => _open.Count;

    /// <summary>Terminal orders retired beyond <see cref="OmsOptions.RetainedTerminalOrders"/>: only their ids are kept.</summary>
    public int RetiredOrderCount => _retired.Count;

    /// <summary>The client order ids of the retired orders (a live view; read it on the engine loop).</summary>
    public IReadOnlySet<ClientOrderId> RetiredOrders => _retiredView;

    /// <summary>Orders sent to the venue.</summary>
    public int SubmittedCount { get; private set; }

    /// <summary>Orders the venue refused.</summary>
    public int RejectedCount { get; private set; }

    /// <summary>Orders refused before leaving.</summary>
    public int DeniedCount { get; private set; }

    /// <summary>Fills applied.</summary>
    public int FillCount { get; private set; }

    /// <summary>Fills refused as duplicates (same trade id).</summary>
    public int DuplicateFillCount { get; private set; }

    /// <summary>Venue calls made (submits, resends, cancels, modifies, queries), for audits and tests.</summary>
    public int VenueCalls { get; private set; }

    /// <summary>Adds an observer of order changes.</summary>
    /// <param name="observer">The observer.</param>
    public void AddObserver(IOrderObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Add(observer);
    }

    /// <summary>Finds an order: an open one, or a terminal one not yet retired (see <see cref="OmsOptions.RetainedTerminalOrders"/>).</summary>
    /// <param name="clientOrderId">Its client order id.</param>
    /// <param name="order">The order, when found.</param>
    /// <returns>Whether it was found.</returns>
    public bool TryGetOrder(ClientOrderId clientOrderId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Order order)
    {
        if (_orders.TryGetValue(clientOrderId, out var tracked))
        {
            order = tracked.Order;
            return true;
        }

        order = null;
        return false;
    }

    /// <summary>The context an order was created with.</summary>
    /// <param name="clientOrderId">The order.</param>
    /// <returns>The context, or null when unknown or retired.</returns>
    public OrderContext? GetContext(ClientOrderId clientOrderId) => _orders.TryGetValue(clientOrderId, out var t) ? t.Context : null;

    /// <summary>True when the symbol has an open order.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>Whether an order is open.</returns>
    public bool HasOpenOrders(Symbol symbol)
    {
        foreach (var tracked in _open.Values)
        {
            if (tracked.Order.Symbol == symbol)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The signed quantity still working in open orders of a symbol.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>Buys positive, sells negative.</returns>
    public decimal OpenQuantity(Symbol symbol)
    {
        var total = 0m;
        foreach (var tracked in _open.Values)
        {
            if (tracked.Order.Symbol == symbol)
            {
                total += tracked.Order.Side.Sign() * tracked.Order.LeavesQuantity;
            }
        }

        return total;
    }

    /// <summary>The quantities still working in open orders of a symbol, per side.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>Buy and sell quantities, both positive.</returns>
    public (decimal Buy, decimal Sell) OpenQuantities(Symbol symbol)
    {
        decimal buy = 0m, sell = 0m;
        foreach (var tracked in _open.Values)
        {
            var order = tracked.Order;
            if (order.Symbol == symbol)
            {
                if (order.Side == OrderSide.Buy)
                {
                    buy += order.LeavesQuantity;
                }
                else
                {
                    sell += order.LeavesQuantity;
                }
            }
        }

        return (buy, sell);
    }

    /// <summary>The open orders.</summary>
    /// <returns>A snapshot list.</returns>
    public IReadOnlyList<Order> GetOpenOrders()
    {
        var list = new List<Order>(_open.Count);
        foreach (var tracked in _open.Values)
        {
            list.Add(tracked.Order);
        }

        return list;
    }

    /// <summary>Adds the open orders to a caller's list (no snapshot allocated per call).</summary>
    /// <param name="into">The list to fill.</param>
    internal void CopyOpenOrdersTo(List<Order> into)
    {
        foreach (var tracked in _open.Values)
        {
            into.Add(tracked.Order);
        }
    }

    /// <summary>
    /// Takes over an order rebuilt from the event log (start-up recovery), so that its client order id is known (a
    /// decision made again yields <see cref="SubmitStatus.Duplicate"/>, never a second order) and the venue's reports for
    /// it apply. Nothing is recorded and nothing is sent.
    /// </summary>
    /// <param name="order">The rebuilt order.</param>
    /// <param name="context">The context it was created in.</param>
    /// <exception cref="TradingKitException">An order with this client order id is already known (<c>INVALID_ORDER_REQUEST</c>).</exception>
    public void Restore(Order order, OrderContext context)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(context);
        var tracked = new Tracked(order, context);
        if (_retired.Contains(order.ClientOrderId) || !_orders.TryAdd(order.ClientOrderId, tracked))
        {
            throw new TradingKitException(ErrorCodes.InvalidOrderRequest, $"Order {order.ClientOrderId} is already known; it cannot be restored twice.");
        }

        // A resumed session's counts cover the whole session, not only this process's part of it.
        if (order.Status is not (OrderStatus.New or OrderStatus.Denied))
        {
            SubmittedCount++;
        }

        if (order.Status == OrderStatus.Rejected)
        {
            RejectedCount++;
        }

        FillCount += order.FillCount;
        UpdateOpen(tracked);
    }

    /// <summary>
    /// Submits an order: idempotent on its client order id, recorded before the venue call, checked at the last gate,
    /// retried on transient failures with the same id, resolved by query on an unknown outcome.
    /// </summary>
    /// <param name="request">The order; must carry a client order id.</param>
    /// <param name="context">Who decided it and why.</param>
    /// <param name="cancellationToken">Cancels waiting; the outcome may then be unknown.</param>
    /// <returns>How the submission ended.</returns>
    /// <exception cref="TradingKitException">The request is malformed (<c>OMS_IDEMPOTENCY_MISSING</c>, <c>INVALID_ORDER_REQUEST</c>).</exception>
    public async ValueTask<SubmitOutcome> SubmitAsync(OrderRequest request, OrderContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (request.ClientOrderId.IsEmpty)
        {
            throw new TradingKitException(ErrorCodes.OmsIdempotencyMissing, "Every order needs a client order id; derive it with ClientOrderIdGenerator.");
        }

        if (_orders.TryGetValue(request.ClientOrderId, out var existing))
        {
            LogDuplicateSubmit(request.ClientOrderId);
            return new SubmitOutcome(SubmitStatus.Duplicate, existing.Order);
        }

        if (_retired.Count > 0 && _retired.Contains(request.ClientOrderId))
        {
            LogDuplicateSubmit(request.ClientOrderId);
            return new SubmitOutcome(SubmitStatus.Duplicate, null);
        }

        var now = _time.GetUtcNow();
        var order = new Order(request, now);
        var tracked = new Tracked(order, context);
        _orders.Add(request.ClientOrderId, tracked);

        var gate = _gate?.Check(order) ?? GateDecision.Allow;
        if (!gate.Allowed)
        {
            order.Deny(gate.Reason ?? gate.Code ?? "denied", now).ThrowIfRefused();
            DeniedCount++;
            await RecordAsync(tracked, OrderChangeKind.Denied, now, gate.Reason, venueCode: gate.Code, cancellationToken: cancellationToken).ConfigureAwait(false);
            UpdateOpen(tracked);
            return new SubmitOutcome(SubmitStatus.Denied, order, gate.Code, gate.Reason);
        }

        order.MarkSubmitted(now).ThrowIfRefused();
        SetOpen(tracked);
        SubmittedCount++;
        await RecordAsync(tracked, OrderChangeKind.Submitted, now, cancellationToken: cancellationToken).ConfigureAwait(false);
        tracked.SubmittedAt = _time.GetTimestamp();
        return await SendAsync(tracked, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes an order restored in SUBMITTED whose submission may never have reached the venue (the process died between
    /// recording it and sending it): queries the venue by client order id; when the venue knows it, its state is applied;
    /// when the venue has never seen it, it is sent with the same id under the usual retry and unknown-outcome rules.
    /// Nothing new is recorded before the send (the submission is already in the log) and the gate is not asked again:
    /// the caller decides whether resending is still wanted.
    /// </summary>
    /// <param name="clientOrderId">The restored order.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>
    /// Null when nothing was done (the order is unknown, no longer SUBMITTED, or the venue could not be asked);
    /// <see cref="SubmitStatus.Duplicate"/> when the venue had it (its state was applied, nothing sent); otherwise the
    /// outcome of sending it again.
    /// </returns>
    public async ValueTask<SubmitOutcome?> ResumeSubmittedAsync(ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        if (!_orders.TryGetValue(clientOrderId, out var tracked) || tracked.Order.Status != OrderStatus.Submitted)
        {
            return null;
        }

        var order = tracked.Order;
        var found = await QueryAsync(order, cancellationToken).ConfigureAwait(false);
        if (!found.Known)
        {
            // Nothing is sent while the venue cannot say whether it has the order; reconciliation and the in-flight
            // check take it from here.
            return null;
        }

        if (found.State is { } state)
        {
            await ApplyVenueStateAsync(tracked, state, cancellationToken).ConfigureAwait(false);
            return new SubmitOutcome(SubmitStatus.Duplicate, order);
        }

        tracked.SubmittedAt = _time.GetTimestamp();
        return await SendAsync(tracked, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Requests a cancel of an open order.</summary>
    /// <param name="clientOrderId">The order.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>True when the cancel request was sent and accepted for processing.</returns>
    public async ValueTask<bool> CancelAsync(ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        if (!_orders.TryGetValue(clientOrderId, out var tracked))
        {
            return false;
        }

        var order = tracked.Order;
        var now = _time.GetUtcNow();
        if (!order.RequestCancel(now).IsApplied)
        {
            return false;
        }

        await RecordAsync(tracked, OrderChangeKind.CancelRequested, now, cancellationToken: cancellationToken).ConfigureAwait(false);
        SubmitResult result;
        try
        {
            VenueCalls++;
            result = await _callPipeline.ExecuteAsync(
                static (s, ct) => s.Broker.CancelAsync(s.Order.Symbol, s.Order.ClientOrderId, ct),
                (Broker: _broker, Order: order), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerException or TimeoutRejectedException)
        {
            // The cancel may or may not have arrived: stay PENDING_CANCEL until the venue answers (report or query).
            LogVenueCallFailed("cancel", clientOrderId, ex.Message);
            return false;
        }

        if (!result.Accepted)
        {
            var reason = result.RejectReason ?? result.RejectCode ?? "cancel refused";
            if (order.RejectCancel(reason, _time.GetUtcNow()).IsApplied)
            {
                await RecordAsync(tracked, OrderChangeKind.CancelRejected, _time.GetUtcNow(), reason, venueCode: result.RejectCode, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return false;
        }

        return true;
    }

    /// <summary>Requests a change of an open order's quantity and/or prices.</summary>
    /// <param name="modify">The change.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>True when the modify was sent and accepted for processing.</returns>
    public async ValueTask<bool> ModifyAsync(ModifyRequest modify, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modify);
        if (!_orders.TryGetValue(modify.ClientOrderId, out var tracked))
        {
            return false;
        }

        var order = tracked.Order;
        var now = _time.GetUtcNow();
        if (!order.RequestUpdate(modify, now).IsApplied)
        {
            return false;
        }

        await RecordAsync(tracked, OrderChangeKind.UpdateRequested, now, cancellationToken: cancellationToken).ConfigureAwait(false);
        SubmitResult result;
        try
        {
            VenueCalls++;
            result = await _callPipeline.ExecuteAsync(
                static (s, ct) => s.Broker.ModifyAsync(s.Modify, ct),
                (Broker: _broker, Modify: modify), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerException or TimeoutRejectedException)
        {
            LogVenueCallFailed("modify", modify.ClientOrderId, ex.Message);
            return false;
        }

        if (!result.Accepted)
        {
            var reason = result.RejectReason ?? result.RejectCode ?? "modify refused";
            if (order.RejectUpdate(reason, _time.GetUtcNow()).IsApplied)
            {
                await RecordAsync(tracked, OrderChangeKind.UpdateRejected, _time.GetUtcNow(), reason, venueCode: result.RejectCode, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return false;
        }

        return true;
    }

    /// <summary>
    /// Applies one execution report from the venue. The venue is the truth: reports that arrive out of order are handled
    /// by the order state machine, duplicates change nothing, and an illegal change is refused and logged, never applied.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="cancellationToken">Cancels recording.</param>
    /// <returns>The fill that was applied, or null when the report applied none.</returns>
    public async ValueTask<Fill?> ApplyReportAsync(ExecutionReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!_orders.TryGetValue(report.ClientOrderId, out var tracked))
        {
            if (_retired.Count > 0 && _retired.Contains(report.ClientOrderId))
            {
                LogRetiredOrderReport(report.ClientOrderId, report.Kind);
                RetiredReports++;
                return null;
            }

            LogUnknownOrderReport(report.ClientOrderId, report.Kind);
            UnknownReports++;
            return null;
        }

        var order = tracked.Order;
        var at = report.Timestamp;
        OrderUpdate update;
        OrderChangeKind kind;
        switch (report.Kind)
        {
            case ExecutionKind.Trade when report.Fill is { } fill:
                return await ApplyFillAsync(tracked, fill, cancellationToken).ConfigureAwait(false);
            case ExecutionKind.Accepted:
                update = order.Acknowledge(report.VenueOrderId, at);
                kind = OrderChangeKind.Accepted;
                if (update.IsApplied)
                {
                    ObserveAckLatency(tracked);
                }

                break;
            case ExecutionKind.Rejected:
                update = order.Reject(report.Reason ?? "rejected by venue", at);
                kind = OrderChangeKind.Rejected;
                if (update.IsApplied)
                {
                    RejectedCount++;
                }

                break;
            case ExecutionKind.Triggered:
                update = order.Trigger(at);
                kind = OrderChangeKind.Triggered;
                break;
            case ExecutionKind.Cancelled:
                update = order.Cancel(report.Reason, at);
                kind = OrderChangeKind.Cancelled;
                break;
            case ExecutionKind.Expired:
                update = order.Expire(report.Reason, at);
                kind = OrderChangeKind.Expired;
                break;
            case ExecutionKind.Updated:
                var pending = order.PendingModify;
                update = order.ConfirmUpdate(pending?.NewQuantity ?? (report.OrderQuantity > 0m ? report.OrderQuantity : null), pending?.NewLimitPrice, pending?.NewStopPrice, at);
                kind = OrderChangeKind.Updated;
                break;
            case ExecutionKind.CancelRejected:
                update = order.RejectCancel(report.Reason ?? "cancel refused", at);
                kind = OrderChangeKind.CancelRejected;
                break;
            case ExecutionKind.UpdateRejected:
                update = order.RejectUpdate(report.Reason ?? "modify refused", at);
                kind = OrderChangeKind.UpdateRejected;
                break;
            default:
                return null;
        }

        if (update.Outcome == TransitionOutcome.Refused)
        {
            RefusedReports++;
            LogRefusedReport(order.ClientOrderId, report.Kind, update.From, update.ErrorCode ?? ErrorCodes.InvalidOrderStatusTransition);
            return null;
        }

        if (update.IsApplied)
        {
            UpdateOpen(tracked);
            await RecordAsync(tracked, kind, at, report.Reason, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Reports for orders this OMS does not know (external orders, or orders of another process).</summary>
    public int UnknownReports { get; private set; }

    /// <summary>
    /// Reports for orders retired beyond <see cref="OmsOptions.RetainedTerminalOrders"/>: not applied (a late fill among them
    /// is left for the reconciler, which finds the position it changed).
    /// </summary>
    public int RetiredReports { get; private set; }

    /// <summary>Reports refused by the order state machine.</summary>
    public int RefusedReports { get; private set; }

    /// <summary>Fills that would overfill their order (applied, because the venue is the truth, and reported).</summary>
    public int OverfillCount { get; private set; }

    private async ValueTask<Fill?> ApplyFillAsync(Tracked tracked, Fill fill, CancellationToken cancellationToken)
    {
        var order = tracked.Order;
        var outcome = order.ApplyFill(fill);
        switch (outcome)
        {
            case FillOutcome.Duplicate:
                DuplicateFillCount++;
                return null;
            case FillOutcome.Refused:
                RefusedReports++;
                LogRefusedReport(order.ClientOrderId, ExecutionKind.Trade, order.Status, ErrorCodes.InvalidOrderStatusTransition);
                return null;
            case FillOutcome.Overfill:
                OverfillCount++;
                LogOverfill(order.ClientOrderId, order.FilledQuantity, order.Quantity);
                break;
        }

        FillCount++;
        if (tracked.SubmittedAt != 0 && !tracked.AckObserved)
        {
            ObserveAckLatency(tracked);
        }

        UpdateOpen(tracked);
        await RecordAsync(tracked, OrderChangeKind.Filled, fill.Timestamp, fill: fill, venueCode: outcome == FillOutcome.Overfill ? ErrorCodes.Overfill : null, cancellationToken: cancellationToken).ConfigureAwait(false);
        return fill;
    }

    private async ValueTask<SubmitOutcome> SendAsync(Tracked tracked, CancellationToken cancellationToken)
    {
        var order = tracked.Order;
        for (var resends = 0; ; resends++)
        {
            SubmitResult result;
            try
            {
                VenueCalls++;
                result = await CallSubmitAsync(order.Request, cancellationToken).ConfigureAwait(false);
            }
            catch (BrokerException ex) when (ex.Kind is BrokerErrorKind.Transient or BrokerErrorKind.RateLimited)
            {
                // Retries exhausted on failures that by their class never reached the venue.
                var reason = $"{ErrorCodes.BrokerTimeoutTransient}: {ex.Message}";
                await FailAsync(tracked, reason, ex.VenueCode, cancellationToken).ConfigureAwait(false);
                return new SubmitOutcome(SubmitStatus.Failed, order, ErrorCodes.BrokerTimeoutTransient, reason);
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Permanent)
            {
                result = SubmitResult.Refused(ex.VenueCode ?? ErrorCodes.BrokerRejected, ex.Message);
            }
            catch (Exception ex) when (ex is BrokerException { Kind: BrokerErrorKind.UnknownOutcome } or TimeoutRejectedException)
            {
                LogUnknownOutcome(order.ClientOrderId, ex.Message);
                var found = await QueryAsync(order, cancellationToken).ConfigureAwait(false);
                if (found.Known)
                {
                    if (found.State is { } state)
                    {
                        await ApplyVenueStateAsync(tracked, state, cancellationToken).ConfigureAwait(false);
                        return OutcomeOf(order);
                    }

                    // The venue has never seen it: resending with the same id is safe.
                    if (resends < _options.MaxUnknownOutcomeResends)
                    {
                        continue;
                    }
                }

                return new SubmitOutcome(SubmitStatus.Unknown, order, ErrorCodes.BrokerUnknownOutcome, ex.Message);
            }

            if (result.Accepted)
            {
                var update = order.Acknowledge(result.VenueOrderId, _time.GetUtcNow());
                if (update.IsApplied)
                {
                    ObserveAckLatency(tracked);
                    UpdateOpen(tracked);
                    await RecordAsync(tracked, OrderChangeKind.Accepted, _time.GetUtcNow(), cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return OutcomeOf(order);
            }

            if (result.RejectCode is not null && IsDuplicateIdRefusal(result.RejectCode))
            {
                // The venue already holds this id (an earlier attempt did arrive): fetch it instead of treating it as refused.
                var found = await QueryAsync(order, cancellationToken).ConfigureAwait(false);
                if (found.State is { } state)
                {
                    await ApplyVenueStateAsync(tracked, state, cancellationToken).ConfigureAwait(false);
                    return OutcomeOf(order);
                }
            }

            var refusal = result.RejectReason ?? result.RejectCode ?? "rejected by venue";
            if (order.Reject(refusal, _time.GetUtcNow()).IsApplied)
            {
                RejectedCount++;
                UpdateOpen(tracked);
                await RecordAsync(tracked, OrderChangeKind.Rejected, _time.GetUtcNow(), refusal, venueCode: result.RejectCode ?? ErrorCodes.BrokerRejected, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return new SubmitOutcome(SubmitStatus.Rejected, order, ErrorCodes.BrokerRejected, refusal);
        }
    }

    /// <summary>
    /// One submit through the call pipeline. Without a call timeout the first attempt goes to the venue directly, and the
    /// pipeline runs only when that attempt fails in a way its retry handles: it then starts from that failure as if it had
    /// made the attempt itself (same id, same delays and Retry-After, same number of attempts). With a timeout every
    /// attempt runs under the pipeline, because a direct call could not be cancelled when it expires.
    /// </summary>
    private ValueTask<SubmitResult> CallSubmitAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        if (!_directFirstAttempt)
        {
            return _callPipeline.ExecuteAsync(static (s, ct) => s.Broker.SubmitAsync(s.Request, ct), (Broker: _broker, Request: request), cancellationToken);
        }

        // As the pipeline does before any attempt.
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromException<SubmitResult>(new OperationCanceledException(cancellationToken));
        }

        ValueTask<SubmitResult> first;
        try
        {
            first = _broker.SubmitAsync(request, cancellationToken);
        }
#pragma warning disable CA1031 // Stored and rethrown by the await below, or handed to the retry: the same as the pipeline does with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            first = ValueTask.FromException<SubmitResult>(ex);
        }

        return first.IsCompletedSuccessfully ? first : RetryAfterFirstAttemptAsync(first, request, cancellationToken);
    }

    private async ValueTask<SubmitResult> RetryAfterFirstAttemptAsync(ValueTask<SubmitResult> first, OrderRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await first.ConfigureAwait(false);
        }
        catch (BrokerException ex) when (_options.MaxRetries > 0 && ex.Kind is BrokerErrorKind.Transient or BrokerErrorKind.RateLimited)
        {
            var replay = new FirstAttempt(ex);
            return await _callPipeline.ExecuteAsync(
                static (s, ct) => s.Replay.TakeFailure() is { } failure ? ValueTask.FromException<SubmitResult>(failure) : s.Broker.SubmitAsync(s.Request, ct),
                (Broker: _broker, Request: request, Replay: replay), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The failure of a submit's first (direct) attempt, handed to the pipeline as its own first attempt.</summary>
    private sealed class FirstAttempt(Exception failure)
    {
        private Exception? _failure = failure;

        public Exception? TakeFailure()
        {
            var taken = _failure;
            _failure = null;
            return taken;
        }
    }

    private static bool IsDuplicateIdRefusal(string code)
        => code is "DUPLICATE_CLIENT_ORDER_ID" or "-4116" or "-2010_DUPLICATE";

    private static SubmitOutcome OutcomeOf(Order order) => order.Status switch
    {
        OrderStatus.Rejected => new SubmitOutcome(SubmitStatus.Rejected, order, ErrorCodes.BrokerRejected, order.Reason),
        OrderStatus.Submitted => new SubmitOutcome(SubmitStatus.Unknown, order, ErrorCodes.BrokerUnknownOutcome, "no acknowledgement yet"),
        _ => new SubmitOutcome(SubmitStatus.Accepted, order),
    };

    private async ValueTask FailAsync(Tracked tracked, string reason, string? venueCode, CancellationToken cancellationToken)
    {
        if (tracked.Order.Reject(reason, _time.GetUtcNow()).IsApplied)
        {
            RejectedCount++;
            UpdateOpen(tracked);
            await RecordAsync(tracked, OrderChangeKind.Rejected, _time.GetUtcNow(), reason, venueCode: venueCode ?? ErrorCodes.BrokerTimeoutTransient, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queries the venue by client order id. Known = the query itself succeeded (State null means "never seen").</summary>
    private async ValueTask<(bool Known, VenueOrderState? State)> QueryAsync(Order order, CancellationToken cancellationToken)
    {
        try
        {
            VenueCalls++;
            var state = await _queryPipeline.ExecuteAsync(
                static (s, ct) => s.Broker.QueryOrderAsync(s.Order.Symbol, s.Order.ClientOrderId, ct),
                (Broker: _broker, Order: order), cancellationToken).ConfigureAwait(false);
            return (true, state);
        }
        catch (Exception ex) when (ex is BrokerException or TimeoutRejectedException)
        {
            LogVenueCallFailed("query", order.ClientOrderId, ex.Message);
            return (false, null);
        }
    }

    /// <summary>Brings an order in line with what the venue says about it (used after an unknown outcome).</summary>
    private async ValueTask ApplyVenueStateAsync(Tracked tracked, VenueOrderState state, CancellationToken cancellationToken)
    {
        var order = tracked.Order;
        var at = state.UpdatedAt == default ? _time.GetUtcNow() : state.UpdatedAt;
        if (state.Status == OrderStatus.Rejected)
        {
            if (order.Reject("rejected by venue (found by query)", at).IsApplied)
            {
                RejectedCount++;
                UpdateOpen(tracked);
                await RecordAsync(tracked, OrderChangeKind.Rejected, at, order.Reason, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (order.Acknowledge(state.VenueOrderId, at).IsApplied)
        {
            ObserveAckLatency(tracked);
            UpdateOpen(tracked);
            await RecordAsync(tracked, OrderChangeKind.Accepted, at, "acknowledged by query after an unknown outcome", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        // Fills and terminal states arrive as execution reports (or are repaired by the reconciler from the venue's fills);
        // a synthetic fill is never invented here.
    }

    private void ObserveAckLatency(Tracked tracked)
    {
        if (tracked.AckObserved || tracked.SubmittedAt == 0)
        {
            return;
        }

        tracked.AckObserved = true;
        LastAckLatency = _time.GetElapsedTime(tracked.SubmittedAt);
        AckLatencyObserved?.Invoke(LastAckLatency);
    }

    /// <summary>The latest submit-to-acknowledgement latency, on the engine clock.</summary>
    public TimeSpan LastAckLatency { get; private set; }

    /// <summary>Raised with each submit-to-acknowledgement latency (metrics, risk guard).</summary>
    public event Action<TimeSpan>? AckLatencyObserved;

    private void SetOpen(Tracked tracked)
    {
        if (!tracked.IsOpen)
        {
            tracked.IsOpen = true;
            _open[tracked.Order.ClientOrderId] = tracked;
        }
    }

    private void UpdateOpen(Tracked tracked)
    {
        var status = tracked.Order.Status;
        var open = OrderStateMachine.IsOpen(status);
        if (open != tracked.IsOpen)
        {
            tracked.IsOpen = open;
            if (open)
            {
                _open[tracked.Order.ClientOrderId] = tracked;
            }
            else
            {
                _open.Remove(tracked.Order.ClientOrderId);
            }
        }

        if (!open && _retention is not null && !tracked.Terminal && OrderStateMachine.IsTerminal(status))
        {
            Retain(tracked);
        }
    }

    // A terminal order joins the retained ones; the oldest beyond the limit is retired to its id. The newest is never the
    // one retired (the limit is at least 1), so a caller still holding the order that just ended can look it up.
    private void Retain(Tracked tracked)
    {
        tracked.Terminal = true;
        if (_newestTerminal is null)
        {
            _oldestTerminal = tracked;
        }
        else
        {
            _newestTerminal.NextTerminal = tracked;
        }

        _newestTerminal = tracked;
        _terminalCount++;
        while (_terminalCount > _retention)
        {
            var oldest = _oldestTerminal!;
            _oldestTerminal = oldest.NextTerminal;
            oldest.NextTerminal = null;
            _terminalCount--;
            var id = oldest.Order.ClientOrderId;
            _orders.Remove(id);
            _retired.Add(id);
        }
    }

    private ValueTask RecordAsync(Tracked tracked, OrderChangeKind kind, DateTimeOffset at, string? reason = null, Fill? fill = null,
        string? venueCode = null, CancellationToken cancellationToken = default)
    {
        var change = new OrderChange(kind, tracked.Order, tracked.Context, at, reason, fill, venueCode);
        var recording = _recorder.RecordAsync(change, cancellationToken);
        if (!recording.IsCompletedSuccessfully)
        {
            return NotifyWhenRecordedAsync(recording, change);
        }

        // An in-memory recorder answers at once: no asynchronous step.
        recording.GetAwaiter().GetResult();
        Notify(change);
        return ValueTask.CompletedTask;
    }

    private async ValueTask NotifyWhenRecordedAsync(ValueTask recording, OrderChange change)
    {
        await recording.ConfigureAwait(false);
        Notify(change);
    }

    private void Notify(OrderChange change)
    {
        foreach (var observer in _observers)
        {
            observer.OnOrderChanged(change);
        }
    }

    private static ResiliencePipeline<SubmitResult> BuildCallPipeline(OmsOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<SubmitResult> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<SubmitResult>
            {
                ShouldHandle = new PredicateBuilder<SubmitResult>().Handle<BrokerException>(e => e.Kind is BrokerErrorKind.Transient or BrokerErrorKind.RateLimited),
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                DelayGenerator = args => SimulatedDelay(time, options.RetryBaseDelay, args.AttemptNumber,
                    args.Outcome.Exception is BrokerException { RetryAfter: { } retryAfter } ? retryAfter : null),
            });
        }

        if (options.CallTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.CallTimeout);
        }

        return builder.Build();
    }

    private static ResiliencePipeline BuildQueryPipeline(OmsOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        builder.AddRetry(new RetryStrategyOptions
        {
            // A query is read-only: every failure class may be retried.
            ShouldHandle = new PredicateBuilder().Handle<BrokerException>().Handle<TimeoutRejectedException>(),
            MaxRetryAttempts = Math.Max(1, options.MaxRetries),
            Delay = options.RetryBaseDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            DelayGenerator = args => SimulatedDelay(time, options.RetryBaseDelay, args.AttemptNumber, null),
        });
        if (options.CallTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.CallTimeout);
        }

        return builder.Build();
    }

    /// <summary>
    /// The retry delay: the venue's Retry-After when it gave one, else the pipeline's exponential back-off. On a
    /// <see cref="Time.SimulationTimeProvider"/> (backtests, replays) nobody moves the clock while the loop waits, so the
    /// delay is taken by moving the clock and the pipeline waits zero; on any other clock the pipeline waits as usual.
    /// </summary>
    private static ValueTask<TimeSpan?> SimulatedDelay(TimeProvider time, TimeSpan baseDelay, int attempt, TimeSpan? retryAfter)
    {
        if (time is not Time.SimulationTimeProvider simulation)
        {
            return new ValueTask<TimeSpan?>(retryAfter);
        }

        var delay = retryAfter ?? TimeSpan.FromTicks((long)(baseDelay.Ticks * Math.Pow(2, attempt)));
        simulation.AdvanceTo(simulation.GetUtcNow() + delay);
        return new ValueTask<TimeSpan?>(TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {ClientOrderId} already exists; the duplicate submit was not sent (TEST-712)")]
    private partial void LogDuplicateSubmit(ClientOrderId clientOrderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Venue call {Operation} for {ClientOrderId} failed: {Message}")]
    private partial void LogVenueCallFailed(string operation, ClientOrderId clientOrderId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unknown outcome for {ClientOrderId} ({Message}); querying the venue before any resend")]
    private partial void LogUnknownOutcome(ClientOrderId clientOrderId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {Kind} for unknown order {ClientOrderId}; left for the reconciler")]
    private partial void LogUnknownOrderReport(ClientOrderId clientOrderId, ExecutionKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {Kind} for retired order {ClientOrderId}; not applied, left for the reconciler")]
    private partial void LogRetiredOrderReport(ClientOrderId clientOrderId, ExecutionKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {Kind} for {ClientOrderId} refused in status {Status} ({Code}); not applied")]
    private partial void LogRefusedReport(ClientOrderId clientOrderId, ExecutionKind kind, OrderStatus status, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Order {ClientOrderId} overfilled: {Filled} filled of {Quantity} (ORDER_OVERFILL)")]
    private partial void LogOverfill(ClientOrderId clientOrderId, decimal filled, decimal quantity);

    private sealed class Tracked(Order order, OrderContext context)
    {
        public Order Order { get; } = order;

        public OrderContext Context { get; } = context;

        public bool IsOpen { get; set; }

        public long SubmittedAt { get; set; }

        public bool AckObserved { get; set; }

        /// <summary>Counted among the terminal orders (see <see cref="Retain"/>).</summary>
        public bool Terminal { get; set; }

        /// <summary>The order that became terminal next, while this one is retained.</summary>
        public Tracked? NextTerminal { get; set; }
    }
}
