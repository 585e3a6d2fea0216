using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using PortfolioFillOutcome = TradingKit.Portfolio.PortfolioFillResult;

namespace TradingKit.Engine;

/// <summary>
/// Turns what the engine does into events in the store (every state change is an event) and records in the journal.
/// Streams: <c>order-&lt;client order id&gt;</c> per order, <c>account-&lt;session&gt;</c> for positions and balances,
/// <c>engine-&lt;session&gt;</c> for the engine's life cycle, risk and connection events.
/// </summary>
internal sealed class EngineRecorder : IOrderRecorder, IOrderObserver
{
    private readonly TradingEngine _engine;
    private readonly IEventStore _store;
    private readonly InMemoryEventStore? _memoryStore;

    // A store that appends to several streams at once (a database): a fill waits for the position and fee it causes, and the
    // three go in one write. The in-memory store answers synchronously and keeps its one-event path.
    private readonly IMultiStreamEventStore? _multiStore;
    private OrderStream? _deferredStream;
    private PendingEvent _deferredFill;
    private TradeId _deferredTradeId;
    private readonly Dictionary<ClientOrderId, OrderStream> _orderStreams = [];
    private readonly CorrelationId _sessionCorrelation = CorrelationId.New();

    // The loop is single-threaded: the recorder draws its event ids from its own supply.
    private readonly EventIdSource _ids = new();
    private readonly string _engineStream;
    private readonly string _accountStream;

    // Reused batches: the loop is single-threaded and every append completes before the next one starts.
    private readonly EventData[] _one = new EventData[1];
    private readonly EventData[] _two = new EventData[2];
    private readonly PendingEvent[] _pending = new PendingEvent[2];

    public EngineRecorder(TradingEngine engine, IEventStore store)
    {
        _engine = engine;
        _store = store;
        _memoryStore = store as InMemoryEventStore;
        _multiStore = _memoryStore is null ? store as IMultiStreamEventStore : null;
        _engineStream = "engine-" + engine.SessionId.Value;
        _accountStream = "account-" + engine.SessionId.Value;

        // Dedup keys are unique across the whole log; venue trade ids are unique only within one venue account (a paper venue
        // restarts its numbering every run), so fill keys are scoped by session, which a resumed session keeps.
        _fillKeyPrefix = "fill:" + engine.SessionId.Value + ":";
        _positionKeyPrefix = "position:" + engine.SessionId.Value + ":";
        _feeKeyPrefix = "fee:" + engine.SessionId.Value + ":";
    }

    private readonly string _fillKeyPrefix;
    private readonly string _positionKeyPrefix;
    private readonly string _feeKeyPrefix;

    /// <summary>Engine state changes waiting to be appended at the next asynchronous point.</summary>
    private readonly List<EngineStateChanged> _pendingStates = [];

    /// <summary>Continues an order stream an earlier process wrote (start-up recovery): its next append expects this version.</summary>
    public void ContinueOrderStream(ClientOrderId clientOrderId, long version) => StreamOf(clientOrderId).Version = version;

    public ValueTask RecordAsync(OrderChange change, CancellationToken cancellationToken = default)
    {
        var order = change.Order;
        ITradingEvent payload = change.Kind switch
        {
            OrderChangeKind.Submitted => OrderSubmitted.From(order.Request, change.Context.StrategyId, null, change.Context.DecisionPrice),
            OrderChangeKind.Accepted => new OrderAccepted(order.ClientOrderId, order.Symbol, order.VenueOrderId),
            OrderChangeKind.Rejected => new OrderRejected(order.ClientOrderId, order.Symbol, change.Reason ?? "rejected", change.VenueCode),
            OrderChangeKind.Denied => new OrderDenied(order.ClientOrderId, order.Symbol, change.VenueCode ?? "DENIED", null, change.Reason ?? "denied"),
            OrderChangeKind.Triggered => new OrderTriggered(order.ClientOrderId, order.Symbol, order.StopPrice),
            OrderChangeKind.CancelRequested => new OrderCancelRequested(order.ClientOrderId, order.Symbol, change.Reason ?? "requested"),
            OrderChangeKind.CancelRejected => new OrderCancelRejected(order.ClientOrderId, order.Symbol, change.Reason ?? "refused", change.VenueCode),
            OrderChangeKind.UpdateRequested => new OrderUpdateRequested(order.ClientOrderId, order.Symbol, order.PendingModify?.NewQuantity, order.PendingModify?.NewLimitPrice, order.PendingModify?.NewStopPrice),
            OrderChangeKind.Updated => new OrderUpdated(order.ClientOrderId, order.Symbol, order.Quantity, order.LimitPrice, order.StopPrice),
            OrderChangeKind.UpdateRejected => new OrderUpdateRejected(order.ClientOrderId, order.Symbol, change.Reason ?? "refused", change.VenueCode),
            OrderChangeKind.Cancelled => new OrderCancelled(order.ClientOrderId, order.Symbol, order.FilledQuantity, change.Reason),
            OrderChangeKind.Expired => new OrderExpired(order.ClientOrderId, order.Symbol, order.FilledQuantity),
            OrderChangeKind.Filled => OrderFilled.From(change.Fill!),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "unknown order change"),
        };

        var dedupKey = change.Kind switch
        {
            OrderChangeKind.Filled => _fillKeyPrefix + change.Fill!.TradeId.Value,
            OrderChangeKind.Submitted => "submit:" + order.ClientOrderId.Value,
            _ => null,
        };

        var stream = order.RecorderState as OrderStream ?? AttachStream(order);
        var pending = new PendingEvent(_ids.Next(), payload, change.Timestamp, change.Context.CorrelationId, null, dedupKey);
        if (_memoryStore is not null)
        {
            // The embedded store answers at once: no asynchronous step and no stream lookup after the order's first event.
            cancellationToken.ThrowIfCancellationRequested();
            stream.Version = _memoryStore.AppendOne(stream.Name, stream.Version, pending, ref stream.Log).StreamVersion;
            return ValueTask.CompletedTask;
        }

        if (_multiStore is not null && change.Kind == OrderChangeKind.Filled && _deferredStream is null)
        {
            // Held until PositionChangedAsync, which the engine calls next for this fill (or the next append, or the end of
            // the input, whichever comes first, writes it alone).
            _deferredStream = stream;
            _deferredFill = pending;
            _deferredTradeId = change.Fill!.TradeId;
            return ValueTask.CompletedTask;
        }

        return AppendToStoreAsync(stream, pending, cancellationToken);
    }

    /// <summary>Writes a fill still waiting for its position change on its own, so nothing is appended ahead of it.</summary>
    public ValueTask FlushDeferredAsync(CancellationToken cancellationToken)
        => _deferredStream is null ? ValueTask.CompletedTask : FlushDeferredCoreAsync(cancellationToken);

    private async ValueTask FlushDeferredCoreAsync(CancellationToken cancellationToken)
    {
        var stream = _deferredStream!;
        _pending[0] = _deferredFill;
        _deferredStream = null;
        _deferredFill = default;
        var result = await AppendPendingAsync(stream.Name, stream.Version, 1, cancellationToken).ConfigureAwait(false);
        stream.Version = result.StreamVersion;
    }

    private async ValueTask AppendToStoreAsync(OrderStream stream, PendingEvent pending, CancellationToken cancellationToken)
    {
        await FlushDeferredAsync(cancellationToken).ConfigureAwait(false);
        _pending[0] = pending;
        var result = await AppendPendingAsync(stream.Name, stream.Version, 1, cancellationToken).ConfigureAwait(false);
        stream.Version = result.StreamVersion;
    }

    public void OnOrderChanged(OrderChange change)
    {
        var journal = _engine.Journal;
        var order = change.Order;
        switch (change.Kind)
        {
            case OrderChangeKind.Submitted:
                _engine.Metrics.OrderSubmitted(change.Timestamp);
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Submitted, order, null);
                break;
            case OrderChangeKind.Accepted:
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Accepted, order, null);
                break;
            case OrderChangeKind.Rejected:
                _engine.Metrics.OrderRejected();
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Rejected, order, Reason(change));
                break;
            case OrderChangeKind.Denied:
                _engine.Metrics.OrderDenied();
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Denied, order, Reason(change));
                break;
            case OrderChangeKind.Cancelled:
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Cancelled, order, change.Reason);
                break;
            case OrderChangeKind.Expired:
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Expired, order, change.Reason);
                break;
            case OrderChangeKind.Triggered:
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Triggered, order, null);
                break;
            case OrderChangeKind.Updated:
                journal.WriteOrder(change.Timestamp, OrderRecordTypes.Updated, order, null);
                break;
            case OrderChangeKind.Filled:
                var fill = change.Fill!;
                var slippageBps = FillSlippageBps(fill, change.Context.DecisionPrice);
                _engine.Metrics.Fill(order.Status != OrderStatus.Filled, slippageBps);
                journal.WriteFill(fill.Timestamp, fill, slippageBps);
                _slippageFill = fill;
                _slippageBps = slippageBps;
                break;
        }
    }

    /// <summary>The journal's <c>slippage_bps</c> of a fill: against its decision price, positive = worse; null without one.</summary>
    public static decimal? FillSlippageBps(Fill fill, decimal? decisionPrice)
        => decisionPrice is { } reference && reference != 0m
            ? fill.Side.Sign() * (fill.Price - reference) / reference * 10_000m
            : null;

    /// <summary>
    /// The slippage in basis points of a fill against its decision price: the figure worked out when the fill was journaled
    /// (one decimal division per fill, not one per consumer), or worked out now for any other fill.
    /// </summary>
    public decimal SlippageBpsOf(Fill fill, decimal reference)
        => ReferenceEquals(fill, _slippageFill) && _slippageBps is { } bps ? bps : RiskGuard.SlippageBps(fill.Side, reference, fill.Price);

    private Fill? _slippageFill;
    private decimal? _slippageBps;

    public void StateChanged(EngineState from, EngineState to, string reason)
        => _pendingStates.Add(new EngineStateChanged(from.ToString(), to.ToString(), reason));

    public async ValueTask EngineStartedAsync(string codeVersion, string configHash, CancellationToken cancellationToken)
    {
        await AppendAsync(new EngineStarted(_engine.SessionId, _engine.Mode, codeVersion, configHash), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>States the session's starting cash on the account stream, once per session, so a rebuild knows it.</summary>
    public async ValueTask InitialCashAsync(decimal cash, string currency, CancellationToken cancellationToken)
    {
        _one[0] = new EventData(_ids.Next(), new BalanceChanged(currency, cash, cash, cash, Replay.ProjectionRebuilder.InitialCashReason), _engine.Now, _sessionCorrelation,
            null, "initial_cash:" + _engine.SessionId.Value);
        await _store.AppendAsync(_accountStream, ExpectedVersion.Any, _one, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask EngineStoppedAsync(CancellationToken cancellationToken)
        => await AppendAsync(new EngineStopped(_engine.SessionId, "session ended"), cancellationToken).ConfigureAwait(false);

    public async ValueTask ConnectionChangedAsync(ConnectionStateChanged change, CancellationToken cancellationToken)
    {
        var venue = _engine.VenueName;
        ITradingEvent payload = change.State switch
        {
            Connectivity.ConnectionState.Connected => new VenueConnected(venue, "user"),
            Connectivity.ConnectionState.Disconnected or Connectivity.ConnectionState.Reconnecting => new VenueDisconnected(venue, "user", change.Reason ?? change.State.ToString()),
            _ => new VenueDisconnected(venue, "user", change.Reason ?? "connecting"),
        };
        await AppendAsync(payload, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask PositionChangedAsync(Fill fill, PortfolioFillOutcome outcome, CancellationToken cancellationToken)
    {
        var position = _engine.Portfolio.GetPosition(fill.Symbol, fill.PositionSide);
        var changed = new PendingEvent(_ids.Next(), new PositionChanged(fill.Symbol, fill.PositionSide, outcome.Quantity, position.AveragePrice, position.RealizedPnl),
            fill.Timestamp, _sessionCorrelation, null, _positionKeyPrefix + fill.TradeId.Value);
        var fee = new PendingEvent(_ids.Next(), new FeeCharged(fill.FeeCurrency, fill.Fee, fill.Symbol, fill.ClientOrderId, fill.TradeId),
            fill.Timestamp, _sessionCorrelation, null, _feeKeyPrefix + fill.TradeId.Value);
        if (_memoryStore is not null)
        {
            // Two single appends to a stream written with any version: neither can be refused, and each is idempotent by
            // its own key, so the pair needs no batch.
            cancellationToken.ThrowIfCancellationRequested();
            _memoryStore.AppendOne(_accountStream, ExpectedVersion.Any, changed, ref _accountLog);
            _memoryStore.AppendOne(_accountStream, ExpectedVersion.Any, fee, ref _accountLog);
            return ValueTask.CompletedTask;
        }

        if (_deferredStream is { } orderStream && _deferredTradeId == fill.TradeId)
        {
            return AppendFillWithPositionAsync(orderStream, changed, fee, cancellationToken);
        }

        return AppendPairAsync(changed, fee, cancellationToken);
    }

    private async ValueTask AppendPairAsync(PendingEvent changed, PendingEvent fee, CancellationToken cancellationToken)
    {
        await FlushDeferredAsync(cancellationToken).ConfigureAwait(false);
        _pending[0] = changed;
        _pending[1] = fee;
        await AppendPendingAsync(_accountStream, ExpectedVersion.Any, 2, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The fill, on its order's stream, with the position change and fee it caused, on the account stream: one write.</summary>
    private async ValueTask AppendFillWithPositionAsync(OrderStream orderStream, PendingEvent changed, PendingEvent fee, CancellationToken cancellationToken)
    {
        var fill = _deferredFill;
        _deferredStream = null;
        _deferredFill = default;
        var results = await _multiStore!.AppendManyAsync(
        [
            new StreamAppend(orderStream.Name, orderStream.Version, [ToData(fill)]),
            new StreamAppend(_accountStream, ExpectedVersion.Any, [ToData(changed), ToData(fee)]),
        ], cancellationToken).ConfigureAwait(false);
        orderStream.Version = results[0].StreamVersion;
    }

    private static EventData ToData(in PendingEvent e) => new(e.EventId, e.Payload, e.OccurredAt, e.CorrelationId, e.CausationId, e.DedupKey);

    /// <summary>The account stream's log in the in-memory store, once known.</summary>
    private List<EventEnvelope>? _accountLog;

    public async ValueTask RiskTrippedAsync(RiskTrip trip, RiskPortfolioView view, CancellationToken cancellationToken)
    {
        var quality = _engine.Metrics.Quality;
        var payload = new RiskGuardTripped(trip.Cause, trip.Threshold, trip.Observed, trip.NewState, trip.Message,
            PortfolioFigures.From(view, _engine.Portfolio.Positions.Count, _engine.Orders.OpenOrderCount),
            new ExecutionQualityFigures(quality.RejectRate, quality.PartialFillRate, quality.SlippageP50, quality.SlippageP95, (decimal)quality.AckLatencyP95Ms, 0));
        await AppendAsync(payload, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RiskDeniedAsync(Order order, RiskDecision decision, CancellationToken cancellationToken)
    {
        var payload = new RiskGuardRejected(decision.RuleId ?? "unknown", decision.Code ?? "RISK_DENIED", decision.Threshold, decision.Observed,
            order.ClientOrderId, order.Symbol, decision.Message ?? string.Empty);
        await AppendAsync(payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends the engine state changes made since the last asynchronous point.</summary>
    public async ValueTask FlushStatesAsync(CancellationToken cancellationToken)
    {
        await FlushDeferredAsync(cancellationToken).ConfigureAwait(false);
        if (_pendingStates.Count == 0)
        {
            return;
        }

        var events = new EventData[_pendingStates.Count];
        var now = _engine.Now;
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = new EventData(_ids.Next(), _pendingStates[i], now, _sessionCorrelation);
        }

        _pendingStates.Clear();
        await _store.AppendAsync(_engineStream, ExpectedVersion.Any, events, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask AppendAsync(ITradingEvent payload, CancellationToken cancellationToken)
    {
        await FlushStatesAsync(cancellationToken).ConfigureAwait(false);
        _one[0] = new EventData(_ids.Next(), payload, _engine.Now, _sessionCorrelation);
        await _store.AppendAsync(_engineStream, ExpectedVersion.Any, _one, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends the first <paramref name="count"/> events of the reused pending buffer as <see cref="EventData"/> through the
    /// store's port (the in-memory store takes <see cref="InMemoryEventStore.AppendOne"/> instead).
    /// </summary>
    private ValueTask<AppendResult> AppendPendingAsync(string streamId, long expectedVersion, int count, CancellationToken cancellationToken)
    {
        try
        {
            var batch = count == 1 ? _one : _two;
            for (var i = 0; i < count; i++)
            {
                var e = _pending[i];
                batch[i] = new EventData(e.EventId, e.Payload, e.OccurredAt, e.CorrelationId, e.CausationId, e.DedupKey);
            }

            return _store.AppendAsync(streamId, expectedVersion, batch, cancellationToken);
        }
        finally
        {
            // The payloads belong to the log now; the buffer must not keep the last ones alive.
            _pending.AsSpan(0, count).Clear();
        }
    }

    // One stream name and expected version per order; the name is built once.
    private OrderStream StreamOf(ClientOrderId id)
    {
        if (!_orderStreams.TryGetValue(id, out var stream))
        {
            stream = new OrderStream("order-" + id.Value);
            _orderStreams.Add(id, stream);
        }

        return stream;
    }

    // An order's stream travels with the order (the OMS keeps one order object per client order id). The dictionary holds
    // only the streams continued from the log (start-up recovery), which a restored or re-decided order picks up here.
    private OrderStream AttachStream(Order order)
    {
        if (_orderStreams.Count == 0 || !_orderStreams.TryGetValue(order.ClientOrderId, out var stream))
        {
            stream = new OrderStream("order-" + order.ClientOrderId.Value);
        }

        order.RecorderState = stream;
        return stream;
    }

    private sealed class OrderStream(string name)
    {
        public string Name { get; } = name;

        public long Version { get; set; }

        /// <summary>The stream's log in the in-memory store, once known (see <see cref="InMemoryEventStore.AppendOne"/>).</summary>
        public List<EventEnvelope>? Log;
    }

    private static string? Reason(OrderChange change)
        => change.VenueCode is { } code && change.Reason is { } reason && !reason.StartsWith(code, StringComparison.Ordinal)
            ? $"{code}: {reason}"
            : change.Reason ?? change.VenueCode;
}
