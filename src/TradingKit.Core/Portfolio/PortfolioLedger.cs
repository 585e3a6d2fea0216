using System.Globalization;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Portfolio;

/// <summary>
/// Cash, positions, PnL, fees, drawdown and round trips of one account, in one currency (L60).
/// </summary>
/// <remarks>
/// <para>
/// Accounting model: spot / cash equity. A fill moves cash by <c>−signed quantity × price − fee</c>; positions are
/// netted per symbol, or per (symbol, leg) when a fill carries <see cref="PositionSide.Long"/> or
/// <see cref="PositionSide.Short"/> (hedge mode). Equity is <c>cash + Σ quantity × last price</c>. Cash may go
/// negative (borrowing is not modelled). A futures or margin model (equity = wallet balance + unrealised PnL) is not
/// provided yet.
/// </para>
/// <para>
/// Not thread-safe: the engine loop owns it. Applying a fill or a mark allocates nothing except when a symbol or leg
/// is seen for the first time or a round trip closes. Fills are not deduplicated here: the OMS applies each trade id once.
/// </para>
/// </remarks>
public sealed class PortfolioLedger
{
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    private readonly Dictionary<Symbol, SymbolBook> _books = [];
    private readonly List<ClosedTrade> _closedTrades = [];
    private readonly TimeSpan? _dayRoll;

    private decimal _marketValue;
    private decimal _costBasis;
    private DrawdownTracker _session;
    private DrawdownTracker _day;
    private DateTimeOffset? _nextDayStart;

    /// <summary>Creates a portfolio with the given starting cash.</summary>
    /// <param name="initialCash">Cash at the start; not negative.</param>
    /// <param name="currency">The account currency.</param>
    /// <exception cref="TradingKitException">Invalid options (<c>INVALID_OPTIONS</c>).</exception>
    public PortfolioLedger(decimal initialCash, string currency = "USD")
        : this(new PortfolioOptions { InitialCash = initialCash, Currency = currency })
    {
    }

    /// <summary>Creates a portfolio.</summary>
    /// <param name="options">The starting cash, currency and day boundary.</param>
    /// <exception cref="TradingKitException">Invalid options (<c>INVALID_OPTIONS</c>).</exception>
    public PortfolioLedger(PortfolioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InitialCash < 0m || string.IsNullOrWhiteSpace(options.Currency) ||
            options.DayRollTimeUtc is { } roll && (roll < TimeSpan.Zero || roll >= OneDay))
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, string.Create(CultureInfo.InvariantCulture,
                $"Portfolio options: initial cash must not be negative, currency must be set and the day roll must be in [00:00, 24:00) (got cash {options.InitialCash}, currency '{options.Currency}', day roll {options.DayRollTimeUtc})."));
        }

        InitialCash = options.InitialCash;
        Currency = options.Currency;
        _dayRoll = options.DayRollTimeUtc;
        Cash = options.InitialCash;
        _session.Reset(Cash);
        _day.Reset(Cash);
    }

    /// <summary>The account currency.</summary>
    public string Currency { get; }

    /// <summary>Cash at the start of the session.</summary>
    public decimal InitialCash { get; }

    /// <summary>Cash now.</summary>
    public decimal Cash { get; private set; }

    /// <summary><c>Cash + Σ quantity × last price</c>.</summary>
    public decimal Equity => Cash + _marketValue;

    /// <summary>Σ quantity × last price over all positions.</summary>
    public decimal MarketValue => _marketValue;

    /// <summary>Realised PnL before fees since the session started.</summary>
    public decimal RealizedPnl { get; private set; }

    /// <summary><c>Σ (quantity × last price − cost basis)</c> over open positions.</summary>
    public decimal UnrealizedPnl => _marketValue - _costBasis;

    /// <summary>All fees: <see cref="FillFees"/> plus <see cref="OtherFees"/>.</summary>
    public decimal TotalFees => FillFees + OtherFees;

    /// <summary>Fees charged on fills; these are attributed to round trips.</summary>
    public decimal FillFees { get; private set; }

    /// <summary>Fees charged through <see cref="ApplyFee"/>; not attributed to any round trip.</summary>
    public decimal OtherFees { get; private set; }

    /// <summary>Net funding received (negative when paid) since the session started.</summary>
    public decimal TotalFunding { get; private set; }

    /// <summary>Deposits less withdrawals since the session started.</summary>
    public decimal NetDeposits { get; private set; }

    /// <summary>How many fills were applied.</summary>
    public int FillCount { get; private set; }

    /// <summary>The highest equity seen this session (moved by deposits and withdrawals).</summary>
    public decimal PeakEquity => _session.Peak;

    /// <summary>The current drop from <see cref="PeakEquity"/>, as a positive amount.</summary>
    public decimal Drawdown => _session.Peak > Equity ? _session.Peak - Equity : 0m;

    /// <summary>The largest peak-to-trough equity drop this session, as a positive amount.</summary>
    public decimal MaxDrawdown => _session.MaxDrawdown;

    /// <summary>The largest peak-to-trough drop this session as a percentage of its peak (5 means 5 %).</summary>
    public decimal MaxDrawdownPercent => _session.MaxDrawdownPercent;

    /// <summary>When the current trading day started, or null before the first day boundary is known.</summary>
    public DateTimeOffset? DayStart { get; private set; }

    /// <summary>When the next trading day starts, when a UTC day roll is configured and a time has been seen.</summary>
    public DateTimeOffset? NextDayStart => _nextDayStart;

    /// <summary>Realised PnL of the trading day after fees and funding: <c>realised − fees + funding</c> since the day started.</summary>
    public decimal DailyRealizedPnl { get; private set; }

    /// <summary>The highest equity since the trading day started.</summary>
    public decimal DayPeakEquity => _day.Peak;

    /// <summary>The largest equity drop since the trading day started.</summary>
    public decimal DayMaxDrawdown => _day.MaxDrawdown;

    /// <summary>The largest equity drop since the trading day started, as a percentage of its peak.</summary>
    public decimal DayMaxDrawdownPercent => _day.MaxDrawdownPercent;

    /// <summary>The closed round trips, oldest first.</summary>
    public IReadOnlyList<ClosedTrade> ClosedTrades => _closedTrades;

    /// <summary>The figures the risk guard reads.</summary>
    public RiskPortfolioView RiskView => new()
    {
        Cash = Cash,
        Equity = Equity,
        PeakEquity = _session.Peak,
        DailyRealizedPnl = DailyRealizedPnl,
        UnrealizedPnl = UnrealizedPnl,
    };

    /// <summary>The open positions (every leg with a non-zero quantity). Builds a new list.</summary>
    public IReadOnlyList<PositionSnapshot> Positions => CollectPositions(includeFlat: false);

    /// <summary>Every position or leg ever traded, flat ones included (to read their realised PnL). Builds a new list.</summary>
    public IReadOnlyList<PositionSnapshot> AllPositions => CollectPositions(includeFlat: true);

    /// <summary>The last known price of every symbol. Builds a new dictionary.</summary>
    public IReadOnlyDictionary<Symbol, decimal> LastPrices
    {
        get
        {
            var prices = new Dictionary<Symbol, decimal>(_books.Count);
            foreach (var book in _books.Values)
            {
                if (book.HasPrice)
                {
                    prices[book.Symbol] = book.LastPrice;
                }
            }

            return prices;
        }
    }

    /// <summary>Applies one fill: position, average price, realised PnL, cash, fees, round trips and drawdown.</summary>
    /// <param name="fill">The fill. Its fee is taken to be in <see cref="Currency"/>.</param>
    /// <returns>What the fill did, including the round trip it closed, if any.</returns>
    /// <exception cref="TradingKitException">
    /// A non-positive quantity or price (<c>PORTFOLIO_INVALID_FILL</c>), or a hedge-leg fill that would cross zero
    /// (<c>PORTFOLIO_HEDGE_LEG_CROSSED</c>). Nothing is changed when it throws.
    /// </exception>
    public PortfolioFillResult ApplyFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var signed = Validate(fill);
        _books.TryGetValue(fill.Symbol, out var book);
        var held = book?.Find(fill.PositionSide)?.Quantity ?? 0m;
        if ((fill.PositionSide == PositionSide.Long && held + signed < 0m) ||
            (fill.PositionSide == PositionSide.Short && held + signed > 0m))
        {
            throw new TradingKitException(PortfolioErrorCodes.HedgeLegCrossed, string.Create(CultureInfo.InvariantCulture,
                $"Fill {fill.TradeId}: {fill.Side} {fill.Quantity} {fill.Symbol} would take the {fill.PositionSide} leg from {held} to {held + signed}; a hedge leg cannot cross zero."));
        }

        RollDayIfDue(fill.Timestamp);
        if (book is null)
        {
            book = new SymbolBook(fill.Symbol);
            _books.Add(fill.Symbol, book);
        }

        if (!book.HasPrice)
        {
            // Marks are the price source; a fill only seeds the price of a symbol never marked (so it holds nothing yet).
            book.SetPrice(fill.Price, fill.Timestamp);
        }

        var leg = book.GetOrAdd(fill.PositionSide);
        var previous = leg.Quantity;
        var opened = leg.Apply(signed, fill.Price, fill.Fee, fill.Timestamp, _closedTrades.Count + 1,
            out var realized, out var costChange, out var closed);

        book.NetQuantity += signed;
        _marketValue += signed * book.LastPrice;
        _costBasis += costChange;
        Cash -= (signed * fill.Price) + fill.Fee;
        FillFees += fill.Fee;
        RealizedPnl += realized;
        DailyRealizedPnl += realized - fill.Fee;
        FillCount++;
        if (closed is not null)
        {
            _closedTrades.Add(closed);
        }

        ObserveEquity();
        return new PortfolioFillResult
        {
            PreviousQuantity = previous,
            Quantity = leg.Quantity,
            RealizedPnl = realized,
            ClosedTrade = closed,
            OpenedTrade = opened,
        };
    }

    /// <summary>Sets the last price of a symbol, which revalues its positions (unrealised PnL, equity, drawdown).</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="price">The price; positive.</param>
    /// <param name="at">When it was observed. Marks are applied in the order given, whatever their times.</param>
    /// <exception cref="TradingKitException">A zero or negative price (<c>PORTFOLIO_INVALID_PRICE</c>).</exception>
    public void Mark(Symbol symbol, decimal price, DateTimeOffset at)
    {
        if (price <= 0m)
        {
            throw new TradingKitException(PortfolioErrorCodes.InvalidPrice,
                string.Create(CultureInfo.InvariantCulture, $"Mark price of {symbol} must be positive (got {price})."));
        }

        RollDayIfDue(at);
        if (!_books.TryGetValue(symbol, out var book))
        {
            book = new SymbolBook(symbol);
            _books.Add(symbol, book);
        }

        _marketValue += book.NetQuantity * (price - book.LastPrice);
        book.SetPrice(price, at);
        ObserveEquity();
    }

    /// <summary>Books a funding payment (perpetual futures) or any other trading cash flow that is PnL.</summary>
    /// <param name="amount">Received when positive, paid when negative.</param>
    /// <param name="at">When it was booked.</param>
    public void ApplyFunding(decimal amount, DateTimeOffset at)
    {
        RollDayIfDue(at);
        Cash += amount;
        TotalFunding += amount;
        DailyRealizedPnl += amount;
        ObserveEquity();
    }

    /// <summary>Charges a fee that belongs to no fill (a commission adjustment, a platform fee).</summary>
    /// <param name="amount">The fee; negative for a rebate.</param>
    /// <param name="at">When it was charged.</param>
    public void ApplyFee(decimal amount, DateTimeOffset at)
    {
        RollDayIfDue(at);
        Cash -= amount;
        OtherFees += amount;
        DailyRealizedPnl -= amount;
        ObserveEquity();
    }

    /// <summary>Adds cash. Not PnL: the peak moves with it so drawdown is unchanged.</summary>
    /// <param name="amount">The amount; positive.</param>
    /// <param name="at">When it arrived.</param>
    /// <exception cref="TradingKitException">A zero or negative amount (<c>PORTFOLIO_INVALID_AMOUNT</c>).</exception>
    public void Deposit(decimal amount, DateTimeOffset at) => MoveCash(RequirePositive(amount, "Deposit"), at);

    /// <summary>Removes cash. Not PnL: the peak moves with it so drawdown is unchanged.</summary>
    /// <param name="amount">The amount; positive.</param>
    /// <param name="at">When it left.</param>
    /// <exception cref="TradingKitException">A zero or negative amount (<c>PORTFOLIO_INVALID_AMOUNT</c>).</exception>
    public void Withdraw(decimal amount, DateTimeOffset at) => MoveCash(-RequirePositive(amount, "Withdrawal"), at);

    /// <summary>
    /// Starts a new trading day at <paramref name="at"/>: the daily realised PnL goes to 0 and the day's peak and
    /// drawdown restart from the current equity. Build the finished day's summary before calling this.
    /// </summary>
    /// <param name="at">The day's start.</param>
    public void StartDay(DateTimeOffset at)
    {
        DayStart = at;
        DailyRealizedPnl = 0m;
        _day.Reset(Equity);
        if (_dayRoll is { } roll)
        {
            _nextDayStart = DayStartContaining(at, roll) + OneDay;
        }
    }

    /// <summary>
    /// Starts a new session's drawdown: the session peak and maximum drawdown (<see cref="MaxDrawdown"/>,
    /// <see cref="MaxDrawdownPercent"/>) restart from the current equity. Cash, positions and the trading day are
    /// untouched. Start-up recovery calls it where the session begins in an account's log, so that a session reports
    /// its own drawdown, not the account's since the first session.
    /// </summary>
    public void StartSession() => _session.Reset(Equity);

    /// <summary>Starts rebuilding the session's equity from here (see <see cref="SessionEquityCurve"/>).</summary>
    /// <param name="at">When the session started.</param>
    /// <returns>A curve holding the ledger's cash, positions and prices as they stand.</returns>
    internal SessionEquityCurve StartEquityCurve(DateTimeOffset at)
    {
        var books = new Dictionary<Symbol, SessionEquityCurve.Book>(_books.Count);
        foreach (var (symbol, book) in _books)
        {
            books[symbol] = new SessionEquityCurve.Book(book.NetQuantity, book.LastPrice, book.HasPrice);
        }

        return new SessionEquityCurve(at, books, Cash, _marketValue);
    }

    /// <summary>Puts back the session's peak and maximum drawdown, as a <see cref="SessionEquityCurve"/> rebuilt them.</summary>
    /// <param name="session">The session's drawdown.</param>
    internal void RestoreSessionDrawdown(in DrawdownTracker session) => _session = session;

    /// <summary>
    /// True when a UTC day roll is configured and <paramref name="at"/> is at or past the next boundary. An engine that
    /// writes daily summaries checks this before applying an input, builds the summary, then calls
    /// <see cref="StartDay"/> with <see cref="NextDayStart"/>.
    /// </summary>
    /// <param name="at">The time of the next input.</param>
    /// <returns>Whether a new trading day has begun.</returns>
    public bool IsDayRollDue(DateTimeOffset at) => _nextDayStart is { } next && at >= next;

    /// <summary>The position of a symbol (netting) or of one of its hedge legs; a flat snapshot when never traded.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="side">The leg; <see cref="PositionSide.Both"/> for the netting position.</param>
    /// <returns>The snapshot.</returns>
    public PositionSnapshot GetPosition(Symbol symbol, PositionSide side = PositionSide.Both)
    {
        if (_books.TryGetValue(symbol, out var book) && book.Find(side) is { } leg)
        {
            return leg.Snapshot(book.LastPrice);
        }

        return new PositionSnapshot { Symbol = symbol, Side = side, LastPrice = book?.LastPrice ?? 0m };
    }

    /// <summary>The signed quantity of a symbol summed over its legs (0 when never traded).</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The net quantity.</returns>
    public decimal GetNetQuantity(Symbol symbol) => _books.TryGetValue(symbol, out var book) ? book.NetQuantity : 0m;

    /// <summary>The last known price of a symbol, without allocating.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="price">The price, or 0.</param>
    /// <param name="at">When it was observed, or default.</param>
    /// <returns>True when a price is known.</returns>
    public bool TryGetLastPrice(Symbol symbol, out decimal price, out DateTimeOffset at)
    {
        if (_books.TryGetValue(symbol, out var book) && book.HasPrice)
        {
            price = book.LastPrice;
            at = book.LastPriceAt;
            return true;
        }

        price = 0m;
        at = default;
        return false;
    }

    private static decimal Validate(Fill fill)
    {
        if (fill.Quantity <= 0m || fill.Price <= 0m || fill.Side is not (OrderSide.Buy or OrderSide.Sell) ||
            fill.PositionSide is not (PositionSide.Both or PositionSide.Long or PositionSide.Short))
        {
            throw new TradingKitException(PortfolioErrorCodes.InvalidFill, string.Create(CultureInfo.InvariantCulture,
                $"Fill {fill.TradeId} of {fill.Symbol}: quantity and price must be positive and side and position side defined (got {fill.Side} {fill.Quantity} @ {fill.Price}, position side {fill.PositionSide})."));
        }

        return fill.SignedQuantity;
    }

    private static DateTimeOffset DayStartContaining(DateTimeOffset at, TimeSpan roll)
    {
        var utc = at.ToUniversalTime();
        var start = new DateTimeOffset(utc.Date, TimeSpan.Zero) + roll;
        return start > utc ? start - OneDay : start;
    }

    private static decimal RequirePositive(decimal amount, string what)
    {
        if (amount <= 0m)
        {
            throw new TradingKitException(PortfolioErrorCodes.InvalidAmount,
                string.Create(CultureInfo.InvariantCulture, $"{what} amount must be positive (got {amount})."));
        }

        return amount;
    }

    private void MoveCash(decimal signedAmount, DateTimeOffset at)
    {
        RollDayIfDue(at);
        Cash += signedAmount;
        NetDeposits += signedAmount;
        _session.Shift(signedAmount);
        _day.Shift(signedAmount);
        ObserveEquity();
    }

    private void ObserveEquity()
    {
        var equity = Equity;
        _session.Observe(equity);
        _day.Observe(equity);
    }

    private void RollDayIfDue(DateTimeOffset at)
    {
        if (_dayRoll is not { } roll)
        {
            return;
        }

        if (_nextDayStart is not { } next)
        {
            // The first timed input fixes the day the session is in.
            var start = DayStartContaining(at, roll);
            DayStart = start;
            _nextDayStart = start + OneDay;
            return;
        }

        if (at >= next)
        {
            StartDay(DayStartContaining(at, roll));
        }
    }

    private List<PositionSnapshot> CollectPositions(bool includeFlat)
    {
        var list = new List<PositionSnapshot>();
        foreach (var book in _books.Values)
        {
            Add(list, book, book.Both, includeFlat);
            Add(list, book, book.Long, includeFlat);
            Add(list, book, book.Short, includeFlat);
        }

        return list;

        static void Add(List<PositionSnapshot> list, SymbolBook book, PositionLeg? leg, bool includeFlat)
        {
            if (leg is not null && (includeFlat || leg.Quantity != 0m))
            {
                list.Add(leg.Snapshot(book.LastPrice));
            }
        }
    }
}
