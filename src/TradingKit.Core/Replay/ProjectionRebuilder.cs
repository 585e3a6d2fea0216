using System.Globalization;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Portfolio;
using TradingKit.Stores;

namespace TradingKit.Replay;

/// <summary>
/// Rebuilds the projections (orders, fills, positions, the portfolio and daily summaries) from the event log alone
/// (principle 1: projections are derived and disposable). Order events are fed back through the <see cref="Order"/>
/// methods the OMS used, so every status rule of the live run applies again; fills are applied to a
/// <see cref="PortfolioLedger"/> exactly as the engine applied them.
/// </summary>
/// <remarks>
/// <para>Feed it envelopes in global position order (<see cref="RebuildAsync"/> reads the whole log; <see cref="Apply"/>
/// takes one at a time, for a live projection). An envelope at or below <see cref="LastPosition"/> is skipped, so
/// re-delivery is harmless. One log holds one account: every session's fills add to one portfolio.</para>
/// <para>What the log cannot give back: denied orders' terms, an
/// expiry's reason text, and market prices. The rebuilt portfolio is marked at fill prices
/// (<see cref="ProjectionRebuildOptions.MarkAtFillPrices"/>), so cash, positions, average prices, realised PnL, fees and
/// round trips equal the live ones, while unrealised PnL, equity and drawdown are as of the last fill price.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
public sealed class ProjectionRebuilder
{
    /// <summary>
    /// The <see cref="BalanceChanged.Reason"/> of the record that states a session's starting cash. When it comes before
    /// any fill, the rebuilt portfolio starts with its <see cref="BalanceChanged.Total"/>.
    /// </summary>
    public const string InitialCashReason = "initial_cash";

    /// <summary>The checkpoint name under which <see cref="WriteToAsync"/> stores the position rebuilt up to.</summary>
    public const string ProjectionName = "tradingkit.projections";

    private static readonly StrategyId UnknownStrategy = new("unknown");

    private readonly Dictionary<SessionId, DateTimeOffset> _sessionStarts = [];
    private readonly ProjectionRebuildOptions _options;
    private readonly Dictionary<ClientOrderId, RebuiltOrder> _orders = [];
    private readonly Dictionary<ClientOrderId, DeniedOrder> _denied = [];
    private readonly List<FillView> _fills = [];
    private readonly List<RebuildIssue> _issues = [];
    private readonly Dictionary<string, QuarantineStarted> _quarantines = new(StringComparer.Ordinal);
    private readonly SortedDictionary<DateOnly, DayFigures> _days = [];
    private readonly Dictionary<Symbol, (DateTimeOffset At, long Position)> _positionTouched = [];
    private ChangeSet? _changes;
    private readonly bool _portfolioSupplied;
    private PortfolioLedger? _portfolio;

    // Built on first use from the fills, then kept up to date: a rebuild nobody asks for trade ids of (start-up recovery,
    // the RebuildProjection command) then pays for no second set of every trade id.
    private HashSet<TradeId>? _tradeIds;
    private DateOnly _lastDate;
    private DayFigures? _lastDay;

    /// <summary>Creates a rebuilder.</summary>
    /// <param name="options">Starting cash, currency, account and day boundary; defaults when null.</param>
    /// <param name="portfolio">
    /// A fresh portfolio to rebuild into (the engine passes its own at start-up recovery); when null, one is created
    /// from the log's initial cash record or <paramref name="options"/>.
    /// </param>
    public ProjectionRebuilder(ProjectionRebuildOptions? options = null, PortfolioLedger? portfolio = null)
    {
        _options = options ?? new ProjectionRebuildOptions();
        _portfolio = portfolio;
        _portfolioSupplied = portfolio is not null;
    }

    /// <summary>The global position of the last event applied (0 before any).</summary>
    public long LastPosition { get; private set; }

    /// <summary>How many envelopes were applied (skipped re-deliveries not counted).</summary>
    public long EventsApplied { get; private set; }

    /// <summary>Every order rebuilt, by client order id.</summary>
    public IReadOnlyDictionary<ClientOrderId, RebuiltOrder> Orders => _orders;

    /// <summary>Orders refused before they left, by client order id.</summary>
    public IReadOnlyDictionary<ClientOrderId, DeniedOrder> DeniedOrders => _denied;

    /// <summary>Every fill applied, in log order.</summary>
    public IReadOnlyList<FillView> Fills => _fills;

    /// <summary>The trade ids of every fill applied.</summary>
    public IReadOnlySet<TradeId> AppliedTradeIds => _tradeIds ??= [.. _fills.Select(static f => f.TradeId)];

    /// <summary>Events that could not be applied as the engine applied them; empty on a sound log.</summary>
    public IReadOnlyList<RebuildIssue> Issues => _issues;

    /// <summary>
    /// When each session in the log first started (its first <see cref="EngineStarted"/>), by session id: a resumed session
    /// reports its span from there, not from the restart.
    /// </summary>
    public IReadOnlyDictionary<SessionId, DateTimeOffset> SessionStarts => _sessionStarts;

    /// <summary>Quarantines started and not completed, by subject.</summary>
    public IReadOnlyDictionary<string, QuarantineStarted> ActiveQuarantines => _quarantines;

    /// <summary>The rebuilt portfolio.</summary>
    public PortfolioLedger Portfolio => _portfolio ??= CreatePortfolio(_options.InitialCash);

    /// <summary>Every netting position ever traded (hedge legs summed per symbol), flat ones included.</summary>
    public IReadOnlyList<PositionView> Positions
    {
        get
        {
            var bySymbol = new SortedDictionary<string, (Symbol Symbol, decimal Quantity, decimal Cost, decimal Realized, decimal Fees)>(StringComparer.Ordinal);
            foreach (var leg in Portfolio.AllPositions)
            {
                bySymbol.TryGetValue(leg.Symbol.Value, out var sum);
                bySymbol[leg.Symbol.Value] = (leg.Symbol, sum.Quantity + leg.Quantity, sum.Cost + leg.CostBasis, sum.Realized + leg.RealizedPnl, sum.Fees + leg.Fees);
            }

            var views = new List<PositionView>(bySymbol.Count);
            foreach (var (_, p) in bySymbol)
            {
                var touched = _positionTouched.GetValueOrDefault(p.Symbol);
                var average = p.Quantity == 0m ? 0m : Math.Abs(p.Cost / p.Quantity);
                views.Add(new PositionView(_options.AccountId, p.Symbol, p.Quantity, average, p.Realized, p.Fees, touched.At, touched.Position));
            }

            return views;
        }
    }

    /// <summary>
    /// One summary per trading day with fills: round trips closed that day (wins, losses, worst loss), realised PnL
    /// before fees and fees booked that day, and the day's largest equity drop as seen at fill prices.
    /// </summary>
    public IReadOnlyList<DailySummaryView> DailySummaries
    {
        get
        {
            var views = new List<DailySummaryView>(_days.Count);
            foreach (var (date, d) in _days)
            {
                views.Add(new DailySummaryView(_options.AccountId, date, d.Trades, d.Wins, d.Losses, d.Realized, d.Fees, d.MaxLoss, d.MaxDrawdown, d.UpdatedAt, d.LastPosition));
            }

            return views;
        }
    }

    /// <summary>Reads the log from <paramref name="fromPosition"/> to its end and applies every event.</summary>
    /// <param name="store">The event store.</param>
    /// <param name="fromPosition">The first position to read (1 for everything).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>How many events were applied.</returns>
    public async ValueTask<long> RebuildAsync(IEventStore store, long fromPosition = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var before = EventsApplied;
        await foreach (var envelope in store.ReadAllAsync(Math.Max(fromPosition, LastPosition + 1), int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            Apply(envelope);
        }

        return EventsApplied - before;
    }

    /// <summary>Applies one event. Events must come in global position order; one at or below <see cref="LastPosition"/> is skipped.</summary>
    /// <param name="envelope">The stored event.</param>
    public void Apply(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.GlobalPosition <= LastPosition)
        {
            return;
        }

        LastPosition = envelope.GlobalPosition;
        EventsApplied++;
        var at = envelope.OccurredAt;
        switch (envelope.Payload)
        {
            case OrderSubmitted submitted:
                OnSubmitted(envelope, submitted);
                break;
            case OrderDenied denied:
                _denied[denied.ClientOrderId] = new DeniedOrder(denied.ClientOrderId, denied.Symbol, denied.ReasonCode, denied.Message, at, envelope.StreamVersion);
                break;
            case OrderAccepted e:
                if (Find(envelope, e.ClientOrderId) is { } accepted)
                {
                    Change(envelope, accepted, accepted.Order.Acknowledge(e.VenueOrderId, at));
                }

                break;
            case OrderRejected e:
                if (Find(envelope, e.ClientOrderId) is { } rejected)
                {
                    Change(envelope, rejected, rejected.Order.Reject(e.Reason, at));
                }

                break;
            case OrderTriggered e:
                if (Find(envelope, e.ClientOrderId) is { } triggered)
                {
                    Change(envelope, triggered, triggered.Order.Trigger(at));
                }

                break;
            case OrderCancelRequested e:
                if (Find(envelope, e.ClientOrderId) is { } cancelRequested)
                {
                    Change(envelope, cancelRequested, cancelRequested.Order.RequestCancel(at));
                }

                break;
            case OrderCancelRejected e:
                if (Find(envelope, e.ClientOrderId) is { } cancelRejected)
                {
                    Change(envelope, cancelRejected, cancelRejected.Order.RejectCancel(e.Reason, at));
                }

                break;
            case OrderUpdateRequested e:
                if (Find(envelope, e.ClientOrderId) is { } updateRequested)
                {
                    Change(envelope, updateRequested, updateRequested.Order.RequestUpdate(new ModifyRequest(e.ClientOrderId, e.Symbol, e.NewQuantity, e.NewLimitPrice, e.NewStopPrice), at));
                }

                break;
            case OrderUpdated e:
                if (Find(envelope, e.ClientOrderId) is { } updated)
                {
                    Change(envelope, updated, updated.Order.ConfirmUpdate(e.Quantity, e.LimitPrice, e.StopPrice, at));
                }

                break;
            case OrderUpdateRejected e:
                if (Find(envelope, e.ClientOrderId) is { } updateRejected)
                {
                    Change(envelope, updateRejected, updateRejected.Order.RejectUpdate(e.Reason, at));
                }

                break;
            case OrderCancelled e:
                if (Find(envelope, e.ClientOrderId) is { } cancelled)
                {
                    Change(envelope, cancelled, cancelled.Order.Cancel(e.Reason, at));
                }

                break;
            case OrderExpired e:
                if (Find(envelope, e.ClientOrderId) is { } expired)
                {
                    Change(envelope, expired, expired.Order.Expire(null, at));
                }

                break;
            case OrderFilled filled:
                OnFilled(envelope, filled);
                break;
            case BalanceChanged { Reason: InitialCashReason } balance:
                OnInitialCash(envelope, balance.Total);
                break;
            case FundingApplied funding:
                Portfolio.ApplyFunding(funding.Amount, at);
                break;
            case DepositRecorded { Status: TransferStatus.Completed } deposit:
                Portfolio.Deposit(deposit.Amount, at);
                break;
            case WithdrawalRecorded { Status: TransferStatus.Completed } withdrawal:
                Portfolio.Withdraw(withdrawal.Amount, at);
                if (withdrawal.Fee != 0m)
                {
                    Portfolio.ApplyFee(withdrawal.Fee, at);
                }

                break;
            case QuarantineStarted quarantine:
                _quarantines[quarantine.Subject] = quarantine;
                break;
            case QuarantineCompleted completed:
                _quarantines.Remove(completed.Subject);
                break;
            case EngineStarted started:
                _sessionStarts.TryAdd(started.SessionId, at);
                break;
        }
    }

    /// <summary>
    /// Starts keeping what each later <see cref="Apply"/> changes, for a writer that keeps a projection store current
    /// event by event (<see cref="TakeChanges"/>). Off by default: a full rebuild (start-up recovery, the
    /// <c>RebuildProjection</c> command) keeps nothing extra.
    /// </summary>
    public void TrackChanges() => _changes ??= new ChangeSet(_fills.Count);

    /// <summary>
    /// The projection rows that changed since <see cref="TrackChanges"/> or the last call: orders, fills added,
    /// positions and daily summaries, as <see cref="WriteToAsync"/> would write them; then starts over.
    /// </summary>
    /// <returns>The changed rows, and the log position they are current to.</returns>
    /// <exception cref="InvalidOperationException"><see cref="TrackChanges"/> was not called.</exception>
    public ProjectionChanges TakeChanges()
    {
        var changes = _changes ?? throw new InvalidOperationException("Call TrackChanges before TakeChanges.");
        var orders = new List<OrderView>(changes.Orders.Count);
        foreach (var id in changes.Orders)
        {
            orders.Add(ToOrderView(_orders[id]));
        }

        var fills = _fills.GetRange(changes.FillIndex, _fills.Count - changes.FillIndex);
        var positions = changes.Symbols.Count == 0 ? [] : Positions.Where(p => changes.Symbols.Contains(p.Symbol)).ToList();
        var days = changes.Days.Count == 0 ? [] : DailySummaries.Where(d => changes.Days.Contains(d.Date)).ToList();
        _changes = new ChangeSet(_fills.Count);
        return new ProjectionChanges(orders, fills, positions, days, LastPosition);
    }

    /// <summary>The projection row of a rebuilt order.</summary>
    /// <param name="order">The rebuilt order.</param>
    /// <returns>The row.</returns>
    public static OrderView ToOrderView(RebuiltOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var o = order.Order;
        return new OrderView(o.ClientOrderId, o.Symbol, o.Side, o.Type, o.Quantity, o.LimitPrice, o.Status, o.FilledQuantity,
            o.FilledQuantity > 0m ? o.AverageFillPrice : null, o.VenueOrderId, o.CreatedAt, o.UpdatedAt, order.LastEventPosition);
    }

    /// <summary>
    /// Replaces every row of a projection store with the rebuilt projections (the <c>RebuildProjection</c> command):
    /// resets the store, writes orders, fills, positions and daily summaries, then the checkpoint
    /// <see cref="ProjectionName"/> at <see cref="LastPosition"/>.
    /// </summary>
    /// <param name="store">The projection store.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task that completes when written.</returns>
    public async ValueTask WriteToAsync(IProjectionStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.ResetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var order in _orders.Values)
        {
            await store.UpsertOrderAsync(ToOrderView(order), cancellationToken).ConfigureAwait(false);
        }

        foreach (var fill in _fills)
        {
            await store.AddFillAsync(fill, cancellationToken).ConfigureAwait(false);
        }

        foreach (var position in Positions)
        {
            await store.UpsertPositionAsync(position, cancellationToken).ConfigureAwait(false);
        }

        foreach (var day in DailySummaries)
        {
            await store.UpsertDailySummaryAsync(day, cancellationToken).ConfigureAwait(false);
        }

        await store.SaveCheckpointAsync(ProjectionName, LastPosition, cancellationToken).ConfigureAwait(false);
    }

    private PortfolioLedger CreatePortfolio(decimal initialCash)
        => new(new PortfolioOptions { InitialCash = initialCash, Currency = _options.Currency });

    private void OnInitialCash(EventEnvelope envelope, decimal total)
    {
        if (_portfolio is null)
        {
            _portfolio = CreatePortfolio(total);
            return;
        }

        // A continuing log (a restarted session) may state it again; only a different amount is worth reporting.
        if (_portfolio.InitialCash != total)
        {
            Issue(envelope, RebuildIssueCodes.InitialCashMismatch, string.Create(CultureInfo.InvariantCulture,
                $"initial cash {total} recorded, but the rebuild started with {_portfolio.InitialCash}{(_portfolioSupplied ? " (supplied portfolio)" : string.Empty)}"));
        }
    }

    private void OnSubmitted(EventEnvelope envelope, OrderSubmitted submitted)
    {
        if (_orders.ContainsKey(submitted.ClientOrderId))
        {
            Issue(envelope, RebuildIssueCodes.DuplicateOrder, $"order {submitted.ClientOrderId} submitted twice");
            return;
        }

        var at = envelope.OccurredAt;
        Order order;
        try
        {
            order = new Order(submitted.ToRequest(), at);
        }
        catch (TradingKitException ex)
        {
            Issue(envelope, RebuildIssueCodes.TransitionRefused, $"order {submitted.ClientOrderId} cannot be rebuilt: {ex.Message}");
            return;
        }

        var context = new OrderContext(submitted.StrategyId ?? UnknownStrategy, envelope.CorrelationId, submitted.DecisionPrice, at);
        var rebuilt = new RebuiltOrder(order, context) { SubmittedPosition = envelope.GlobalPosition };
        _orders.Add(submitted.ClientOrderId, rebuilt);
        Change(envelope, rebuilt, order.MarkSubmitted(at));
    }

    private RebuiltOrder? Find(EventEnvelope envelope, ClientOrderId clientOrderId)
    {
        if (_orders.TryGetValue(clientOrderId, out var rebuilt))
        {
            return rebuilt;
        }

        Issue(envelope, RebuildIssueCodes.UnknownOrder, $"event for order {clientOrderId}, whose submission is not in the log");
        return null;
    }

    private void Change(EventEnvelope envelope, RebuiltOrder rebuilt, OrderUpdate u)
    {
        rebuilt.StreamVersion = envelope.StreamVersion;
        rebuilt.LastEventPosition = envelope.GlobalPosition;
        _changes?.Orders.Add(rebuilt.Order.ClientOrderId);
        if (u.Outcome == TransitionOutcome.Refused)
        {
            Issue(envelope, RebuildIssueCodes.TransitionRefused, $"order {rebuilt.Order.ClientOrderId}: {u.From} -> {u.Requested} refused ({u.ErrorCode})");
        }
        else if (u.Outcome == TransitionOutcome.NoOp)
        {
            Issue(envelope, RebuildIssueCodes.TransitionNoOp, $"order {rebuilt.Order.ClientOrderId}: already {u.From}");
        }
    }

    private void OnFilled(EventEnvelope envelope, OrderFilled filled)
    {
        if (Find(envelope, filled.ClientOrderId) is not { } rebuilt)
        {
            return;
        }

        var order = rebuilt.Order;
        rebuilt.StreamVersion = envelope.StreamVersion;
        rebuilt.LastEventPosition = envelope.GlobalPosition;
        _changes?.Orders.Add(order.ClientOrderId);
        var fill = filled.ToFill();
        var outcome = order.ApplyFill(fill);
        if (outcome is FillOutcome.Duplicate or FillOutcome.Refused)
        {
            Issue(envelope, RebuildIssueCodes.FillRefused, $"fill {fill.TradeId} of order {fill.ClientOrderId}: {outcome} in status {order.Status}");
            return;
        }

        _tradeIds?.Add(fill.TradeId);
        _fills.Add(new FillView(fill.TradeId, fill.ClientOrderId, fill.Symbol, fill.Side, fill.Quantity, fill.Price, fill.Fee, fill.FeeCurrency,
            fill.Liquidity, fill.Timestamp, envelope.GlobalPosition));
        ApplyToPortfolio(envelope, fill);
    }

    private void ApplyToPortfolio(EventEnvelope envelope, Fill fill)
    {
        var portfolio = Portfolio;
        if (_options.MarkAtFillPrices)
        {
            portfolio.Mark(fill.Symbol, fill.Price, fill.Timestamp);
        }

        var date = DateOnly.FromDateTime((fill.Timestamp.UtcDateTime - _options.DayRollTimeUtc).Date);
        var day = _lastDay;
        if (day is null || date != _lastDate)
        {
            // Fills come in log order, so most belong to the day of the one before: the sorted map is searched only on a change of day.
            if (!_days.TryGetValue(date, out day))
            {
                day = new DayFigures(portfolio.Equity);
                _days.Add(date, day);
            }

            _lastDate = date;
            _lastDay = day;
        }

        PortfolioFillResult result;
        try
        {
            result = portfolio.ApplyFill(fill);
        }
        catch (TradingKitException ex)
        {
            Issue(envelope, RebuildIssueCodes.PortfolioRefused, ex.Message);
            return;
        }

        _positionTouched[fill.Symbol] = (fill.Timestamp, envelope.GlobalPosition);
        if (_changes is { } changes)
        {
            changes.Symbols.Add(fill.Symbol);
            changes.Days.Add(date);
        }
        day.Realized += result.RealizedPnl;
        day.Fees += fill.Fee;
        day.UpdatedAt = fill.Timestamp > day.UpdatedAt ? fill.Timestamp : day.UpdatedAt;
        day.LastPosition = envelope.GlobalPosition;
        if (result.ClosedTrade is { } closed)
        {
            var net = closed.NetPnl;
            day.Trades++;
            if (net > 0m)
            {
                day.Wins++;
            }
            else
            {
                day.Losses++;
                day.MaxLoss = Math.Min(day.MaxLoss, net);
            }
        }

        day.Observe(portfolio.Equity);
    }

    private void Issue(EventEnvelope envelope, string code, string message)
        => _issues.Add(new RebuildIssue(envelope.GlobalPosition, envelope.EventType, code, message));

    private sealed class DayFigures(decimal openingEquity)
    {
        private decimal _peak = openingEquity;

        public int Trades { get; set; }

        public int Wins { get; set; }

        public int Losses { get; set; }

        public decimal Realized { get; set; }

        public decimal Fees { get; set; }

        public decimal MaxLoss { get; set; }

        public decimal MaxDrawdown { get; private set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public long LastPosition { get; set; }

        public void Observe(decimal equity)
        {
            _peak = Math.Max(_peak, equity);
            MaxDrawdown = Math.Max(MaxDrawdown, _peak - equity);
        }
    }

    private sealed class ChangeSet(int fillIndex)
    {
        public int FillIndex { get; } = fillIndex;

        public HashSet<ClientOrderId> Orders { get; } = [];

        public HashSet<Symbol> Symbols { get; } = [];

        public HashSet<DateOnly> Days { get; } = [];
    }
}

/// <summary>The projection rows a <see cref="ProjectionRebuilder"/> changed since it last said (<see cref="ProjectionRebuilder.TakeChanges"/>).</summary>
/// <param name="Orders">Orders changed.</param>
/// <param name="Fills">Fills added.</param>
/// <param name="Positions">Positions changed.</param>
/// <param name="DailySummaries">Daily summaries changed.</param>
/// <param name="Position">The log position the rows are current to.</param>
public sealed record ProjectionChanges(IReadOnlyList<OrderView> Orders, IReadOnlyList<FillView> Fills, IReadOnlyList<PositionView> Positions,
    IReadOnlyList<DailySummaryView> DailySummaries, long Position)
{
    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => Orders.Count == 0 && Fills.Count == 0 && Positions.Count == 0 && DailySummaries.Count == 0;
}
