using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper;

/// <summary>
/// A simulated venue behind the broker port: a deterministic matching engine over bars, trades and quotes, with its own
/// cash and netting positions, slippage, maker/taker fees, partial fills by volume participation, resting limit, stop,
/// take-profit and trailing orders, time in force, report latency and seeded fault injection.
/// </summary>
/// <remarks>
/// <para>The engine hands every market data item to <see cref="OnMarketData"/> on its loop before the strategy sees it.
/// The venue matches the item's symbol's working orders against it and writes the resulting reports to <see cref="Events"/>
/// before returning, so the engine can drain them with <c>TryRead</c>. Orders placed afterwards wait for the next item:
/// nothing fills at a price the simulation has already shown.</para>
/// <para>Time comes only from the injected <see cref="TimeProvider"/> (in a backtest the engine moves it to each item's time).
/// Given the same options (seed included), the same calls and the same items in the same order, the venue produces the same
/// reports, ids and account, byte for byte. See <c>docs/paper-venue.md</c> for the matching rules.</para>
/// <para>Thread-safe: every call takes one lock, so a control plane may query while the engine loop trades.</para>
/// </remarks>
public sealed class PaperVenue : IBrokerAdapter, IMarketDataListener
{
    private const decimal BasisPointsPerUnit = 10_000m;

    private readonly PaperVenueOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<VenueEvent> _events = Channel.CreateUnbounded<VenueEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly Dictionary<Symbol, Instrument> _instruments = [];
    private readonly Dictionary<ClientOrderId, PaperOrder> _orders = [];
    private readonly Dictionary<Symbol, List<PaperOrder>> _book = [];
    private readonly Dictionary<Symbol, PositionState> _positions = [];
    private readonly Dictionary<Symbol, Mark> _marks = [];
    // Every fill from _fillsStart on is kept (RetainedFills drops the oldest by moving the start; the list is compacted
    // now and then). While the fills are in time order, the recent-fills query finds its first one by binary search.
    private readonly List<Fill> _fills = [];
    private int _fillsStart;
    private bool _fillsInTimeOrder = true;

    // Finished orders in the order they finished, linked through the orders themselves; the oldest beyond the retention
    // are forgotten, their ids kept.
    private PaperOrder? _oldestFinished;
    private PaperOrder? _newestFinished;
    private int _finishedCount;
    private readonly HashSet<ClientOrderId> _forgotten = [];
    private readonly PriorityQueue<VenueEvent, (DateTimeOffset Due, long Sequence)> _pending = new();
    private decimal _cash;
    private long _orderSequence;
    private long _arrivalSequence;
    private long _tradeSequence;
    private long _eventSequence;
    private bool _connected = true;
    private bool _announced;
    private int _reconnectCountdown;

    /// <summary>Creates a venue.</summary>
    /// <param name="options">The venue's behaviour; validated here.</param>
    /// <param name="timeProvider">The engine clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c>, listing every problem.</exception>
    public PaperVenue(PaperVenueOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _random = new Random(options.Faults.Seed);
        _cash = options.InitialCash;
        foreach (var instrument in options.Instruments)
        {
            _instruments.Add(instrument.Symbol, instrument);
        }
    }

    /// <inheritdoc />
    public string VenueName => _options.VenueName;

    /// <inheritdoc />
    public ChannelReader<VenueEvent> Events => _events.Reader;

    /// <summary>The stream connection's state: <see cref="ConnectionState.Connected"/> unless an injected disconnect is in progress.</summary>
    public ConnectionState ConnectionState
    {
        get
        {
            lock (_gate)
            {
                return _connected ? ConnectionState.Connected : ConnectionState.Reconnecting;
            }
        }
    }

    /// <summary>
    /// Matches the item's symbol's working orders against it, expires orders whose time is up, and publishes every report
    /// due by now, before returning. Call it on the engine loop, with the clock at the item's time.
    /// </summary>
    /// <param name="marketData">A bar, trade or quote.</param>
    public void OnMarketData(MarketDataEvent marketData)
    {
        ArgumentNullException.ThrowIfNull(marketData);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            StepConnection(now);
            if (_book.TryGetValue(marketData.Symbol, out var working) && working.Count > 0)
            {
                Match(marketData, working, now);
            }

            UpdateMark(marketData);
            ExpireDue(now);
            Release(now);
        }
    }

    /// <summary>Expires orders whose GTD/DAY time has come and publishes every report due by <paramref name="now"/> (latency elapsed).</summary>
    /// <param name="now">The engine time; usually the clock's current time.</param>
    public void AdvanceTo(DateTimeOffset now)
    {
        lock (_gate)
        {
            ExpireDue(now);
            Release(now);
        }
    }

    /// <summary>Same as <see cref="AdvanceTo"/> at the clock's current time.</summary>
    public void Flush() => AdvanceTo(_time.GetUtcNow());

    /// <inheritdoc />
    /// <remarks>The paper venue needs no connection: calls work before this. The first call publishes a <see cref="ConnectionStateChanged"/>
    /// (<see cref="ConnectionState.Connected"/>); during an injected disconnect it reconnects at once.</remarks>
    public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        lock (_gate)
        {
            if (!_connected || !_announced)
            {
                _connected = true;
                _announced = true;
                _reconnectCountdown = 0;
                _events.Writer.TryWrite(new ConnectionStateChanged(_time.GetUtcNow(), ConnectionState.Connected, "connected"));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SubmitResult>(cancellationToken);
        }

        try
        {
            lock (_gate)
            {
                return ValueTask.FromResult(Submit(request));
            }
        }
        catch (BrokerException ex)
        {
            return ValueTask.FromException<SubmitResult>(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SubmitResult>(cancellationToken);
        }

        try
        {
            lock (_gate)
            {
                return ValueTask.FromResult(Cancel(symbol, clientOrderId));
            }
        }
        catch (BrokerException ex)
        {
            return ValueTask.FromException<SubmitResult>(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SubmitResult>(cancellationToken);
        }

        try
        {
            lock (_gate)
            {
                return ValueTask.FromResult(Modify(request));
            }
        }
        catch (BrokerException ex)
        {
            return ValueTask.FromException<SubmitResult>(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<VenueOrderState?>(cancellationToken);
        }

        lock (_gate)
        {
            if (!_connected)
            {
                return ValueTask.FromException<VenueOrderState?>(DisconnectedError("query order"));
            }

            return ValueTask.FromResult(
                !clientOrderId.IsEmpty && _orders.TryGetValue(clientOrderId, out var order) && order.Symbol == symbol ? order.ToState() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<VenueOrderState>>(cancellationToken);
        }

        lock (_gate)
        {
            if (!_connected)
            {
                return ValueTask.FromException<IReadOnlyList<VenueOrderState>>(DisconnectedError("list open orders"));
            }

            var open = new List<PaperOrder>();
            foreach (var (bookSymbol, working) in _book)
            {
                if (symbol is null || bookSymbol == symbol.Value)
                {
                    open.AddRange(working);
                }
            }

            open.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            var states = new VenueOrderState[open.Count];
            for (var i = 0; i < states.Length; i++)
            {
                states[i] = open[i].ToState();
            }

            return ValueTask.FromResult<IReadOnlyList<VenueOrderState>>(states);
        }
    }

    /// <inheritdoc />
    /// <remarks>Unrealised PnL is marked at the last price seen for the symbol.</remarks>
    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<VenuePosition>>(cancellationToken);
        }

        lock (_gate)
        {
            if (!_connected)
            {
                return ValueTask.FromException<IReadOnlyList<VenuePosition>>(DisconnectedError("list positions"));
            }

            var positions = new List<VenuePosition>(_positions.Count);
            foreach (var (symbol, position) in _positions)
            {
                if (position.Quantity != 0m)
                {
                    decimal? unrealized = _marks.TryGetValue(symbol, out var mark) ? (mark.Last - position.AveragePrice) * position.Quantity : null;
                    positions.Add(new VenuePosition(symbol, position.Quantity, position.AveragePrice, PositionSide.Both, unrealized));
                }
            }

            positions.Sort(static (a, b) => string.CompareOrdinal(a.Symbol.Value, b.Symbol.Value));
            return ValueTask.FromResult<IReadOnlyList<VenuePosition>>(positions);
        }
    }

    /// <inheritdoc />
    /// <remarks>One balance in <see cref="PaperVenueOptions.Currency"/>. The venue keeps no margin or order reservation, so available equals total.</remarks>
    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<Balance>>(cancellationToken);
        }

        lock (_gate)
        {
            if (!_connected)
            {
                return ValueTask.FromException<IReadOnlyList<Balance>>(DisconnectedError("list balances"));
            }

            return ValueTask.FromResult<IReadOnlyList<Balance>>([new Balance(_options.Currency, _cash, _cash)]);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Every fill among the newest <see cref="PaperVenueOptions.RetainedFills"/> is here, including those whose report was
    /// dropped by fault injection or lost during a disconnect.
    /// </remarks>
    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<Fill>>(cancellationToken);
        }

        lock (_gate)
        {
            if (!_connected)
            {
                return ValueTask.FromException<IReadOnlyList<Fill>>(DisconnectedError("list fills"));
            }

            var fills = new List<Fill>();
            var first = _fillsStart;
            if (_fillsInTimeOrder)
            {
                var last = _fills.Count;
                while (first < last)
                {
                    var middle = first + ((last - first) / 2);
                    if (_fills[middle].Timestamp < since)
                    {
                        first = middle + 1;
                    }
                    else
                    {
                        last = middle;
                    }
                }
            }

            for (var i = first; i < _fills.Count; i++)
            {
                var fill = _fills[i];
                if (fill.Timestamp >= since && (symbol is null || fill.Symbol == symbol.Value))
                {
                    fills.Add(fill);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<Fill>>(fills);
        }
    }

    private static decimal Min(decimal a, decimal? b) => b is { } v && v < a ? v : a;

    private static BrokerException DisconnectedError(string what)
        => new(BrokerErrorKind.Transient, $"Paper venue: cannot {what}, the connection is down (injected disconnect); retry after it reconnects.", PaperRejectCodes.Disconnected);

    private static ExecutionReport Report(PaperOrder order, ExecutionKind kind, DateTimeOffset at, string? reason = null, Fill? fill = null) => new(at)
    {
        Kind = kind,
        ClientOrderId = order.ClientOrderId,
        VenueOrderId = order.VenueOrderId,
        Symbol = order.Symbol,
        Side = order.Side,
        Status = order.Status,
        OrderQuantity = order.Quantity,
        CumulativeQuantity = order.Filled,
        Fill = fill,
        Reason = reason,
    };

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private SubmitResult Submit(OrderRequest request)
    {
        var now = _time.GetUtcNow();
        if (!_connected)
        {
            throw DisconnectedError("submit");
        }

        if (Roll(_options.Faults.TransientTimeoutRate))
        {
            throw new BrokerException(BrokerErrorKind.Transient,
                $"Paper venue: submit of {request.ClientOrderId} timed out before reaching the venue (injected); nothing was placed.", PaperRejectCodes.Timeout);
        }

        if (request.ClientOrderId.IsEmpty)
        {
            return SubmitResult.Refused(ErrorCodes.OmsIdempotencyMissing, "Every order needs a client order id.");
        }

        if (_orders.TryGetValue(request.ClientOrderId, out var existing))
        {
            // Like Binance's duplicate-id refusal: nothing new is created and no report is pushed, so the existing order is untouched.
            return SubmitResult.Refused(PaperRejectCodes.DuplicateClientOrderId,
                    $"Client order id {request.ClientOrderId} is already used by order {existing.VenueOrderId} ({existing.Status}).")
                with { VenueOrderId = existing.VenueOrderId };
        }

        if (_forgotten.Count > 0 && _forgotten.Contains(request.ClientOrderId))
        {
            return SubmitResult.Refused(PaperRejectCodes.DuplicateClientOrderId,
                $"Client order id {request.ClientOrderId} was used by an order that finished and is no longer kept.");
        }

        var refusal = Check(request, now);
        if (refusal is null && Roll(_options.Faults.RejectRate))
        {
            refusal = (PaperRejectCodes.InjectedReject, "Paper venue: order rejected by fault injection.");
        }

        var venueOrderId = new VenueOrderId(string.Create(CultureInfo.InvariantCulture, $"PO-{++_orderSequence}"));
        DateTimeOffset? expireAt = request.TimeInForce switch
        {
            TimeInForce.Gtd => request.ExpireAt,
            TimeInForce.Day => NextDayEnd(now),
            _ => null,
        };
        var order = new PaperOrder(request, venueOrderId, ++_arrivalSequence, now, expireAt);
        _orders.Add(request.ClientOrderId, order);
        if (refusal is { } r)
        {
            Finish(order, OrderStatus.Rejected, now);
            Enqueue(Report(order, ExecutionKind.Rejected, now, r.Code + ": " + r.Reason), now + _options.AckLatency);
            Release(now);
            return SubmitResult.Refused(r.Code, r.Reason);
        }

        order.MarketableAtEntry = request.Type == OrderType.Limit && WouldTake(request.Symbol, request.Side, request.LimitPrice!.Value);
        if (request.Type == OrderType.TrailingStop)
        {
            order.TrailingActive = request.StopPrice is null;
            if (order.TrailingActive && _marks.TryGetValue(request.Symbol, out var mark))
            {
                StartTrailing(order, mark.Last);
            }
        }

        if (!_book.TryGetValue(request.Symbol, out var working))
        {
            working = [];
            _book.Add(request.Symbol, working);
        }

        working.Add(order);
        if (!Roll(_options.Faults.DropAckRate))
        {
            Enqueue(Report(order, ExecutionKind.Accepted, now), now + _options.AckLatency);
        }

        var unknownOutcome = Roll(_options.Faults.UnknownOutcomeRate);
        Release(now);
        if (unknownOutcome)
        {
            throw new BrokerException(BrokerErrorKind.UnknownOutcome,
                $"Paper venue: submit of {request.ClientOrderId} timed out after reaching the venue (injected); query the order before any resend.",
                PaperRejectCodes.Timeout);
        }

        return SubmitResult.Ok(venueOrderId);
    }

    private (string Code, string Reason)? Check(OrderRequest request, DateTimeOffset now)
    {
        try
        {
            request.Validate();
        }
        catch (TradingKitException ex)
        {
            return (ex.Code, ex.Message);
        }

        if (_instruments.Count > 0)
        {
            if (!_instruments.TryGetValue(request.Symbol, out var instrument))
            {
                return (PaperRejectCodes.UnknownSymbol, $"Symbol {request.Symbol} is not traded at this venue.");
            }

            // Tick rules apply to the prices the order carries; a market order's notional is judged at the last price,
            // which the market (not the order) chose and which need not sit on the tick grid.
            var orderPrice = request.LimitPrice ?? request.StopPrice;
            if (instrument.Check(request.Quantity, orderPrice) is { } violation)
            {
                return (violation.Code, $"{request.Symbol}: {violation.Message}.");
            }

            if (orderPrice is null && _marks.TryGetValue(request.Symbol, out var mark) && mark.Last * request.Quantity < instrument.MinNotional)
            {
                return (ErrorCodes.NotionalBelowMinimum,
                    Text($"{request.Symbol}: notional {mark.Last * request.Quantity} at the last price is below the minimum {instrument.MinNotional}."));
            }
        }

        if (request.TimeInForce == TimeInForce.Gtd && request.ExpireAt <= now)
        {
            return (PaperRejectCodes.ExpiryInPast, Text($"GTD expiry {request.ExpireAt:O} is not after now ({now:O})."));
        }

        if (request.ReduceOnly)
        {
            var position = PositionOf(request.Symbol);
            if (position == 0m || Math.Sign(position) == request.Side.Sign())
            {
                return (PaperRejectCodes.ReduceOnlyRejected,
                    Text($"Reduce-only {request.Side} of {request.Quantity} would increase the position ({position})."));
            }
        }

        if (request.TimeInForce == TimeInForce.PostOnly && WouldTake(request.Symbol, request.Side, request.LimitPrice!.Value))
        {
            return (PaperRejectCodes.PostOnlyWouldTake, Text($"Post-only {request.Side} at {request.LimitPrice} would take liquidity."));
        }

        return null;
    }

    private SubmitResult Cancel(Symbol symbol, ClientOrderId clientOrderId)
    {
        var now = _time.GetUtcNow();
        if (!_connected)
        {
            throw DisconnectedError("cancel");
        }

        if (clientOrderId.IsEmpty || !_orders.TryGetValue(clientOrderId, out var order) || order.Symbol != symbol)
        {
            return SubmitResult.Refused(PaperRejectCodes.UnknownOrder, $"Unknown order {clientOrderId} for {symbol}.");
        }

        if (!order.IsWorking)
        {
            var reason = $"Order {clientOrderId} is {order.Status}; nothing to cancel.";
            Enqueue(Report(order, ExecutionKind.CancelRejected, now, PaperRejectCodes.OrderNotOpen + ": " + reason), now + _options.AckLatency);
            Release(now);
            return SubmitResult.Refused(PaperRejectCodes.OrderNotOpen, reason) with { VenueOrderId = order.VenueOrderId };
        }

        Finish(order, OrderStatus.Cancelled, now);
        _book[symbol].Remove(order);
        Enqueue(Report(order, ExecutionKind.Cancelled, now, "cancelled by request"), now + _options.AckLatency);
        Release(now);
        return SubmitResult.Ok(order.VenueOrderId);
    }

    private SubmitResult Modify(ModifyRequest request)
    {
        var now = _time.GetUtcNow();
        if (!_connected)
        {
            throw DisconnectedError("modify");
        }

        if (request.ClientOrderId.IsEmpty || !_orders.TryGetValue(request.ClientOrderId, out var order) || order.Symbol != request.Symbol)
        {
            return SubmitResult.Refused(PaperRejectCodes.UnknownOrder, $"Unknown order {request.ClientOrderId} for {request.Symbol}.");
        }

        var refusal = CheckModify(order, request);
        if (refusal is { } r)
        {
            Enqueue(Report(order, ExecutionKind.UpdateRejected, now, r.Code + ": " + r.Reason), now + _options.AckLatency);
            Release(now);
            return SubmitResult.Refused(r.Code, r.Reason) with { VenueOrderId = order.VenueOrderId };
        }

        var requeue = (request.NewLimitPrice is { } l && l != order.LimitPrice) || (request.NewStopPrice is { } s && s != order.StopPrice)
            || request.NewQuantity > order.Quantity;
        order.Quantity = request.NewQuantity ?? order.Quantity;
        order.LimitPrice = request.NewLimitPrice ?? order.LimitPrice;
        order.StopPrice = request.NewStopPrice ?? order.StopPrice;
        order.UpdatedAt = now;
        if (requeue)
        {
            // A new price (or a larger size) loses queue priority and counts as a new arrival for maker/taker.
            order.Sequence = ++_arrivalSequence;
            order.Evaluated = false;
            order.MarketableAtEntry = order.Type == OrderType.Limit && WouldTake(order.Symbol, order.Side, order.LimitPrice!.Value);
            var working = _book[order.Symbol];
            working.Remove(order);
            working.Add(order);
        }

        Enqueue(Report(order, ExecutionKind.Updated, now), now + _options.AckLatency);
        Release(now);
        return SubmitResult.Ok(order.VenueOrderId);
    }

    private (string Code, string Reason)? CheckModify(PaperOrder order, ModifyRequest request)
    {
        if (!order.IsWorking)
        {
            return (PaperRejectCodes.OrderNotOpen, $"Order {order.ClientOrderId} is {order.Status}; it cannot be modified.");
        }

        if (request.NewQuantity is null && request.NewLimitPrice is null && request.NewStopPrice is null)
        {
            return (PaperRejectCodes.InvalidModify, "The modify changes nothing.");
        }

        if (request.NewQuantity is { } quantity && quantity <= order.Filled)
        {
            return (PaperRejectCodes.InvalidModify, Text($"New quantity {quantity} must be above the filled quantity {order.Filled}."));
        }

        var hasLimit = order.Type is OrderType.Limit or OrderType.StopLimit or OrderType.TakeProfitLimit;
        if (request.NewLimitPrice is { } limit && (!hasLimit || limit <= 0m))
        {
            return (PaperRejectCodes.InvalidModify, Text($"A {order.Type} order cannot take limit price {limit}."));
        }

        var hasTrigger = order.Type is OrderType.StopMarket or OrderType.StopLimit or OrderType.TakeProfitMarket or OrderType.TakeProfitLimit;
        if (request.NewStopPrice is { } stop && (!hasTrigger || order.IsTriggered || stop <= 0m))
        {
            return (PaperRejectCodes.InvalidModify, Text($"A {order.Type} order ({order.Status}) cannot take trigger price {stop}."));
        }

        if (_instruments.TryGetValue(order.Symbol, out var instrument)
            && instrument.Check(request.NewQuantity ?? order.Quantity, request.NewLimitPrice ?? order.LimitPrice ?? request.NewStopPrice ?? order.StopPrice) is { } violation)
        {
            return (violation.Code, $"{order.Symbol}: {violation.Message}.");
        }

        if (order.Request.TimeInForce == TimeInForce.PostOnly && request.NewLimitPrice is { } newLimit && WouldTake(order.Symbol, order.Side, newLimit))
        {
            return (PaperRejectCodes.PostOnlyWouldTake, Text($"Post-only {order.Side} at {newLimit} would take liquidity."));
        }

        return null;
    }

    private void Match(MarketDataEvent item, List<PaperOrder> working, DateTimeOffset now)
    {
        var rate = _options.ParticipationRate;
        decimal? buyBudget = null;
        decimal? sellBudget = null;
        if (rate is { } r)
        {
            (buyBudget, sellBudget) = item switch
            {
                Bar bar => (bar.Volume * r, bar.Volume * r),
                TradeTick trade => (trade.Quantity * r, trade.Quantity * r),
                QuoteTick quote => (quote.AskSize * r, quote.BidSize * r),
                _ => (0m, 0m),
            };
        }

        var itemStart = item is Bar b ? b.OpenTime : item.Timestamp;
        var touch = _options.LimitFillsOnTouch || item is QuoteTick;
        var finished = false;

        // Orders are visited in arrival order, so earlier orders take the item's liquidity first.
        for (var i = 0; i < working.Count; i++)
        {
            var order = working[i];
            if (!order.IsWorking || order.ExpireAt <= itemStart)
            {
                continue;
            }

            if (order.Side == OrderSide.Buy)
            {
                MatchOrder(order, item, touch, ref buyBudget, now);
            }
            else
            {
                MatchOrder(order, item, touch, ref sellBudget, now);
            }

            order.Evaluated = true;
            if (order.IsWorking && order.Request.TimeInForce is TimeInForce.Ioc or TimeInForce.Fok)
            {
                Finish(order, OrderStatus.Expired, now);
                Enqueue(Report(order, ExecutionKind.Expired, now, $"{order.Request.TimeInForce} remainder expired"), now + _options.FillLatency);
            }

            finished |= !order.IsWorking;
        }

        if (finished)
        {
            working.RemoveAll(static o => !o.IsWorking);
        }
    }

    private void MatchOrder(PaperOrder order, MarketDataEvent item, bool touch, ref decimal? budget, DateTimeOffset now)
    {
        var buy = order.Side == OrderSide.Buy;
        var (open, high, low) = Range(item, buy);
        decimal basis;
        bool marketStyle;
        var liquidity = LiquiditySide.Taker;
        if (order.IsConditional && !order.IsTriggered)
        {
            if ((order.Type == OrderType.TrailingStop ? Trail(order, open, high, low) : Trigger(order, open, high, low)) is not { } trigger)
            {
                return;
            }

            order.IsTriggered = true;
            order.Status = OrderStatus.Triggered;
            order.UpdatedAt = now;
            Enqueue(Report(order, ExecutionKind.Triggered, now, Text($"trigger {order.StopPrice} traded at {trigger}")), now + _options.FillLatency);
            marketStyle = order.FillsAsMarket;

            // A triggered limit fills in the same item only if its limit is marketable at the trigger; otherwise it rests from the next item.
            if (!marketStyle && (buy ? order.LimitPrice < trigger : order.LimitPrice > trigger))
            {
                return;
            }

            basis = trigger;
        }
        else if (order.FillsAsMarket)
        {
            basis = open;
            marketStyle = true;
        }
        else
        {
            var limit = order.LimitPrice!.Value;
            if (buy ? open < limit || (touch && open == limit) : open > limit || (touch && open == limit))
            {
                // The market opened through the limit: price improvement at the open.
                basis = open;
            }
            else if (buy ? low < limit || (touch && low == limit) : high > limit || (touch && high == limit))
            {
                basis = limit;
            }
            else
            {
                return;
            }

            marketStyle = false;
            liquidity = order.MarketableAtEntry && !order.Evaluated ? LiquiditySide.Taker : LiquiditySide.Maker;
        }

        var quantity = Min(order.Leaves, budget);
        if (order.Request.ReduceOnly)
        {
            var position = PositionOf(order.Symbol);
            var reducible = buy ? Math.Max(0m, -position) : Math.Max(0m, position);
            if (reducible == 0m)
            {
                Finish(order, OrderStatus.Expired, now);
                Enqueue(Report(order, ExecutionKind.Expired, now, PaperRejectCodes.ReduceOnlyRejected + ": no position left to reduce"), now + _options.FillLatency);
                return;
            }

            quantity = Math.Min(quantity, reducible);
        }

        if (_instruments.TryGetValue(order.Symbol, out var instrument))
        {
            quantity = instrument.RoundQuantity(quantity);
        }

        if (quantity <= 0m || (order.Request.TimeInForce == TimeInForce.Fok && quantity < order.Leaves))
        {
            return;
        }

        var price = marketStyle ? Slip(order.Symbol, basis, buy, high, low) : basis;
        budget -= quantity;
        ApplyFill(order, quantity, price, liquidity, now);
        if (order.Request.ReduceOnly && order.IsWorking && PositionOf(order.Symbol) == 0m)
        {
            Finish(order, OrderStatus.Expired, now);
            Enqueue(Report(order, ExecutionKind.Expired, now, PaperRejectCodes.ReduceOnlyRejected + ": position closed, remainder expired"), now + _options.FillLatency);
        }
    }

    private void ApplyFill(PaperOrder order, decimal quantity, decimal price, LiquiditySide liquidity, DateTimeOffset now)
    {
        var feeBps = liquidity == LiquiditySide.Maker ? _options.MakerFeeBps : _options.TakerFeeBps;
        var fee = price * quantity * feeBps / BasisPointsPerUnit;
        var fill = new Fill
        {
            TradeId = new TradeId(string.Create(CultureInfo.InvariantCulture, $"P-{++_tradeSequence}")),
            ClientOrderId = order.ClientOrderId,
            VenueOrderId = order.VenueOrderId,
            Symbol = order.Symbol,
            Side = order.Side,
            Quantity = quantity,
            Price = price,
            Fee = fee,
            FeeCurrency = _options.Currency,
            Liquidity = liquidity,
            Timestamp = now,
        };
        if (_fills.Count > _fillsStart && fill.Timestamp < _fills[^1].Timestamp)
        {
            _fillsInTimeOrder = false;
        }

        _fills.Add(fill);
        if (_fills.Count - _fillsStart > _options.RetainedFills)
        {
            _fillsStart++;
            if (_fillsStart >= 1024 && _fillsStart * 2 >= _fills.Count)
            {
                _fills.RemoveRange(0, _fillsStart);
                _fillsStart = 0;
            }
        }

        order.AddFill(quantity, price, now);
        if (order.Status == OrderStatus.Filled)
        {
            Finish(order, OrderStatus.Filled, now);
        }

        _cash -= (fill.SignedQuantity * price) + fee;
        if (!_positions.TryGetValue(order.Symbol, out var position))
        {
            position = new PositionState();
            _positions.Add(order.Symbol, position);
        }

        position.Apply(fill.SignedQuantity, price);
        if (!Roll(_options.Faults.DropFillReportRate))
        {
            Enqueue(Report(order, ExecutionKind.Trade, now, fill: fill), now + _options.FillLatency);
        }
    }

    // Leaves the order in its book list: the caller removes it, because the matching loop may be iterating that list.
    private void Finish(PaperOrder order, OrderStatus status, DateTimeOffset now)
    {
        order.Status = status;
        order.UpdatedAt = now;
        if (order.Finished)
        {
            return;
        }

        if (_options.RetainedFinishedOrders is not { } retained)
        {
            return;
        }

        order.Finished = true;
        if (_newestFinished is null)
        {
            _oldestFinished = order;
        }
        else
        {
            _newestFinished.NextFinished = order;
        }

        _newestFinished = order;
        _finishedCount++;
        while (_finishedCount > retained)
        {
            var oldest = _oldestFinished!;
            _oldestFinished = oldest.NextFinished;
            oldest.NextFinished = null;
            _finishedCount--;
            _orders.Remove(oldest.ClientOrderId);
            _forgotten.Add(oldest.ClientOrderId);
        }
    }

    private static decimal? Trigger(PaperOrder order, decimal open, decimal high, decimal low)
    {
        var trigger = order.StopPrice!.Value;

        // Stops trigger as the price moves against the position they protect; take-profits as it moves in favour.
        var triggersOnRise = order.Type is OrderType.StopMarket or OrderType.StopLimit ? order.Side == OrderSide.Buy : order.Side == OrderSide.Sell;
        if (triggersOnRise)
        {
            return open >= trigger ? open : high >= trigger ? trigger : null;
        }

        return open <= trigger ? open : low <= trigger ? trigger : null;
    }

    private static decimal? Trail(PaperOrder order, decimal open, decimal high, decimal low)
    {
        var sell = order.Side == OrderSide.Sell;
        if (!order.TrailingActive)
        {
            var activation = order.StopPrice!.Value;
            if (sell ? high >= activation : low <= activation)
            {
                // The path inside an item is unknown, so tracking starts at its extreme and can trigger from the next item.
                order.TrailingActive = true;
                StartTrailing(order, sell ? high : low);
            }

            return null;
        }

        if (order.TrailingBest is null)
        {
            StartTrailing(order, open);
        }

        var stop = order.StopPrice!.Value;
        if (sell ? open <= stop : open >= stop)
        {
            return open;
        }

        if (sell ? low <= stop : high >= stop)
        {
            return stop;
        }

        StartTrailing(order, sell ? Math.Max(order.TrailingBest!.Value, high) : Math.Min(order.TrailingBest!.Value, low));
        return null;
    }

    private static void StartTrailing(PaperOrder order, decimal best)
    {
        var offset = order.Request.TrailingOffset!.Value;
        order.TrailingBest = best;
        order.StopPrice = order.Side == OrderSide.Sell ? best - offset : best + offset;
    }

    private decimal Slip(Symbol symbol, decimal basis, bool buy, decimal high, decimal low)
    {
        var factor = _options.SlippageBps / BasisPointsPerUnit;
        var price = buy ? basis * (1m + factor) : basis * (1m - factor);
        if (_instruments.TryGetValue(symbol, out var instrument))
        {
            price = instrument.RoundPrice(price, buy ? MidpointRounding.ToPositiveInfinity : MidpointRounding.ToNegativeInfinity);
        }

        // Never outside what the market traded.
        return Math.Clamp(price, low, high);
    }

    private static (decimal Open, decimal High, decimal Low) Range(MarketDataEvent item, bool buy) => item switch
    {
        Bar bar => (bar.Open, bar.High, bar.Low),
        TradeTick trade => (trade.Price, trade.Price, trade.Price),
        QuoteTick quote when buy => (quote.AskPrice, quote.AskPrice, quote.AskPrice),
        QuoteTick quote => (quote.BidPrice, quote.BidPrice, quote.BidPrice),
        _ => (item.LastPrice, item.LastPrice, item.LastPrice),
    };

    private bool WouldTake(Symbol symbol, OrderSide side, decimal limit)
    {
        if (!_marks.TryGetValue(symbol, out var mark))
        {
            return false;
        }

        // Against a quote the touch is executable; against a last trade price only a better price is sure to cross.
        return side == OrderSide.Buy
            ? (mark.IsQuote ? limit >= mark.Ask : limit > mark.Last)
            : (mark.IsQuote ? limit <= mark.Bid : limit < mark.Last);
    }

    private void UpdateMark(MarketDataEvent item)
        => _marks[item.Symbol] = item is QuoteTick q
            ? new Mark(item.LastPrice, q.BidPrice, q.AskPrice, true)
            : new Mark(item.LastPrice, item.LastPrice, item.LastPrice, false);

    private decimal PositionOf(Symbol symbol) => _positions.TryGetValue(symbol, out var position) ? position.Quantity : 0m;

    private DateTimeOffset NextDayEnd(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var end = new DateTimeOffset(utc.Date, TimeSpan.Zero) + _options.DayEndUtc;
        return end > utc ? end : end.AddDays(1);
    }

    private void ExpireDue(DateTimeOffset now)
    {
        foreach (var working in _book.Values)
        {
            for (var i = working.Count - 1; i >= 0; i--)
            {
                var order = working[i];
                if (order.ExpireAt <= now && order.IsWorking)
                {
                    var reason = order.Request.TimeInForce == TimeInForce.Day ? "DAY order expired at the end of the day" : "GTD expiry reached";
                    Finish(order, OrderStatus.Expired, now);
                    working.RemoveAt(i);
                    Enqueue(Report(order, ExecutionKind.Expired, now, reason), now + _options.FillLatency);
                }
            }
        }
    }

    private void StepConnection(DateTimeOffset now)
    {
        if (!_connected)
        {
            if (--_reconnectCountdown <= 0)
            {
                _connected = true;
                _events.Writer.TryWrite(new ConnectionStateChanged(now, ConnectionState.Connected, "reconnected"));
            }

            return;
        }

        if (Roll(_options.Faults.DisconnectRate))
        {
            _connected = false;
            _reconnectCountdown = _options.Faults.ReconnectAfterEvents;
            _events.Writer.TryWrite(new ConnectionStateChanged(now, ConnectionState.Reconnecting, "connection dropped (injected)"));
        }
    }

    private void Enqueue(VenueEvent venueEvent, DateTimeOffset due) => _pending.Enqueue(venueEvent, (due, ++_eventSequence));

    private void Release(DateTimeOffset now)
    {
        while (_pending.TryPeek(out var venueEvent, out var key) && key.Due <= now)
        {
            _pending.Dequeue();

            // Stream messages due while the connection is down are lost, as on a real socket; queries still show the truth.
            if (_connected)
            {
                _events.Writer.TryWrite(venueEvent);
            }
        }
    }

    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Simulation faults must be reproducible from a seed; nothing here is security-sensitive.")]
    private bool Roll(double rate) => rate > 0 && _random.NextDouble() < rate;

    private readonly record struct Mark(decimal Last, decimal Bid, decimal Ask, bool IsQuote);

    /// <summary>A netting position: signed quantity and average entry price.</summary>
    private sealed class PositionState
    {
        public decimal Quantity { get; private set; }

        public decimal AveragePrice { get; private set; }

        public void Apply(decimal signedQuantity, decimal price)
        {
            var next = Quantity + signedQuantity;
            if (Quantity == 0m || Math.Sign(Quantity) == Math.Sign(signedQuantity))
            {
                AveragePrice = ((AveragePrice * Math.Abs(Quantity)) + (price * Math.Abs(signedQuantity))) / Math.Abs(next);
            }
            else if (next == 0m)
            {
                AveragePrice = 0m;
            }
            else if (Math.Sign(next) != Math.Sign(Quantity))
            {
                // Flipped through flat: the remainder opened at this price.
                AveragePrice = price;
            }

            Quantity = next;
        }
    }
}
