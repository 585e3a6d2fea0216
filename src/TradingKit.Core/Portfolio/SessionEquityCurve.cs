using TradingKit.Domain;
using TradingKit.MarketData;

namespace TradingKit.Portfolio;

/// <summary>
/// The equity a session saw, rebuilt after a restart so that its peak and maximum drawdown are what the uninterrupted
/// session had. The event log holds every change of cash and positions but no marks; the market data the session
/// processed (the strategies' warm-up history) holds the marks. Replaying both in the order the engine applied them
/// observes the same equities as the live session did, with the same arithmetic as <see cref="PortfolioLedger"/>: a
/// change goes before the mark of the first item at or after its time, as the engine applies the fills a venue makes on
/// an item before it marks the item (a fill at an item's time goes before that item's mark only when it is of the
/// item's symbol).
/// </summary>
internal sealed class SessionEquityCurve
{
    private readonly Dictionary<Symbol, Book> _books;
    private readonly List<Step> _steps = [];
    private decimal _cash;
    private decimal _marketValue;
    private DrawdownTracker _tracker;
    private int _next;
    private bool _marked;
    private string? _refused;

    /// <summary>Starts a curve at the session's start, from the ledger as it stood there.</summary>
    /// <param name="from">When the session started (its first <c>engine_started</c>).</param>
    /// <param name="books">Each symbol's net quantity and last price at the start.</param>
    /// <param name="cash">Cash at the start.</param>
    /// <param name="marketValue">The ledger's market value at the start.</param>
    public SessionEquityCurve(DateTimeOffset from, Dictionary<Symbol, Book> books, decimal cash, decimal marketValue)
    {
        From = from;
        _books = books;
        _cash = cash;
        _marketValue = marketValue;
        _tracker.Reset(cash + marketValue);
    }

    /// <summary>When the session started; market data before it is not part of the session.</summary>
    public DateTimeOffset From { get; }

    /// <summary>Adds the next change of cash or positions, in log order, before the replay starts.</summary>
    /// <param name="step">The change.</param>
    public void Add(in Step step) => _steps.Add(step);

    /// <summary>
    /// Replays the session's changes up to one item of the market data it processed, then marks it. Call it for every
    /// item, oldest first, then <see cref="Finish"/>; items before <see cref="From"/> are skipped. Once the replay is
    /// refused (the history does not reach back to the session's first change) it ignores the rest.
    /// </summary>
    /// <param name="item">The next item.</param>
    public void Mark(MarketDataEvent item)
    {
        if (_refused is not null || item.Timestamp < From)
        {
            return;
        }

        if (!_marked && _steps.Count > 0 && _steps[0].At < item.Timestamp)
        {
            _refused = $"the market data shown starts at {item.Timestamp:O}, after the session's first change of cash or positions at {_steps[0].At:O}";
            return;
        }

        _marked = true;
        // A change made at this item's time belongs before its mark when it is a cash movement or a fill of its symbol:
        // a venue fills a symbol's orders on that symbol's market data, so fills of another symbol at the same time came
        // with that symbol's item.
        while (_next < _steps.Count && (_steps[_next].At < item.Timestamp
            || (_steps[_next].At == item.Timestamp && (_steps[_next].Symbol is not { } symbol || symbol == item.Symbol))))
        {
            Apply(_steps[_next++]);
        }

        // PortfolioLedger.Mark, with the same arithmetic.
        var book = _books.GetValueOrDefault(item.Symbol);
        _marketValue += book.Quantity * (item.LastPrice - book.Price);
        _books[item.Symbol] = book with { Price = item.LastPrice, HasPrice = true };
        _tracker.Observe(_cash + _marketValue);
    }

    /// <summary>
    /// Applies the changes made after the last item shown and returns the drawdown the session saw; null, with the reason,
    /// when the replay was refused or does not end where the ledger stands (a change the log holds that the curve cannot
    /// model).
    /// </summary>
    /// <param name="ledger">The ledger as recovery rebuilt it.</param>
    /// <param name="why">Why the curve was refused.</param>
    /// <returns>The session's drawdown, or null.</returns>
    public DrawdownTracker? Finish(PortfolioLedger ledger, out string? why)
    {
        if (_refused is null && !_marked && _steps.Count > 0)
        {
            _refused = "no market data of the session was shown";
        }

        while (_refused is null && _next < _steps.Count)
        {
            Apply(_steps[_next++]);
        }

        if (_refused is null && _cash != ledger.Cash)
        {
            _refused = $"the replay ends with cash {_cash}, the log with {ledger.Cash}";
        }

        foreach (var (symbol, book) in _books)
        {
            if (_refused is null && book.Quantity != ledger.GetNetQuantity(symbol))
            {
                _refused = $"the replay ends with {book.Quantity} {symbol}, the log with {ledger.GetNetQuantity(symbol)}";
            }
        }

        why = _refused;
        return why is null ? _tracker : null;
    }

    private void Apply(in Step step)
    {
        if (step.Symbol is { } symbol)
        {
            // PortfolioLedger.ApplyFill: a fill seeds the price of a symbol never marked, then moves its market value.
            var book = _books.GetValueOrDefault(symbol);
            if (!book.HasPrice)
            {
                book = book with { Price = step.FillPrice, HasPrice = true };
            }

            _marketValue += step.SignedQuantity * book.Price;
            _books[symbol] = book with { Quantity = book.Quantity + step.SignedQuantity };
        }

        _cash += step.CashChange;
        _tracker.Shift(step.PeakShift);
        _tracker.Observe(_cash + _marketValue);
    }

    /// <summary>One symbol's net quantity and last price.</summary>
    /// <param name="Quantity">The net quantity.</param>
    /// <param name="Price">The last price (0 when none).</param>
    /// <param name="HasPrice">Whether a price is known.</param>
    internal readonly record struct Book(decimal Quantity, decimal Price, bool HasPrice);

    /// <summary>One change of cash or positions, as the ledger applied it.</summary>
    /// <param name="At">When the engine applied it (its event's time).</param>
    /// <param name="Symbol">The symbol a fill traded; null for a cash movement.</param>
    /// <param name="SignedQuantity">The fill's signed quantity.</param>
    /// <param name="FillPrice">The fill's price.</param>
    /// <param name="CashChange">How much cash changed.</param>
    /// <param name="PeakShift">How far the peak moved with it (deposits and withdrawals are not gains or losses).</param>
    internal readonly record struct Step(DateTimeOffset At, Symbol? Symbol, decimal SignedQuantity, decimal FillPrice, decimal CashChange, decimal PeakShift);
}
