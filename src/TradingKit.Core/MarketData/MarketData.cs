using TradingKit.Domain;

namespace TradingKit.MarketData;

/// <summary>One market data item: a bar, a trade or a quote. <see cref="Timestamp"/> is when it became known.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Timestamp">When the item became known (a bar: its close time).</param>
public abstract record MarketDataEvent(Symbol Symbol, DateTimeOffset Timestamp)
{
    /// <summary>The last traded price this item implies (a bar's close, a trade's price, a quote's mid).</summary>
    public abstract decimal LastPrice { get; }
}

/// <summary>An OHLCV bar. <see cref="MarketDataEvent.Timestamp"/> is the bar's close time; <see cref="OpenTime"/> its start.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="OpenTime">When the bar started.</param>
/// <param name="Timestamp">When the bar closed.</param>
/// <param name="Open">First traded price.</param>
/// <param name="High">Highest traded price.</param>
/// <param name="Low">Lowest traded price.</param>
/// <param name="Close">Last traded price.</param>
/// <param name="Volume">Traded quantity.</param>
public sealed record Bar(Symbol Symbol, DateTimeOffset OpenTime, DateTimeOffset Timestamp, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume)
    : MarketDataEvent(Symbol, Timestamp)
{
    /// <inheritdoc />
    public override decimal LastPrice => Close;
}

/// <summary>One trade printed by the market.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Timestamp">When it traded.</param>
/// <param name="Price">The trade price.</param>
/// <param name="Quantity">The traded quantity.</param>
/// <param name="AggressorIsBuyer">True when the buyer took liquidity.</param>
public sealed record TradeTick(Symbol Symbol, DateTimeOffset Timestamp, decimal Price, decimal Quantity, bool AggressorIsBuyer)
    : MarketDataEvent(Symbol, Timestamp)
{
    /// <inheritdoc />
    public override decimal LastPrice => Price;
}

/// <summary>The best bid and ask.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Timestamp">When the quote was published.</param>
/// <param name="BidPrice">Best bid price.</param>
/// <param name="BidSize">Quantity at the best bid.</param>
/// <param name="AskPrice">Best ask price.</param>
/// <param name="AskSize">Quantity at the best ask.</param>
public sealed record QuoteTick(Symbol Symbol, DateTimeOffset Timestamp, decimal BidPrice, decimal BidSize, decimal AskPrice, decimal AskSize)
    : MarketDataEvent(Symbol, Timestamp)
{
    /// <inheritdoc />
    public override decimal LastPrice => (BidPrice + AskPrice) / 2m;
}

/// <summary>A source of market data: live, or replayed from a file or log.</summary>
public interface IMarketDataFeed
{
    /// <summary>Streams market data in time order until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The items, oldest first.</returns>
    IAsyncEnumerable<MarketDataEvent> ReadAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Implemented by simulated venues (the paper venue) that match orders against market data. The engine
/// hands every market data item to it, on the engine loop, before the strategy sees the item, so a
/// simulation is deterministic.
/// </summary>
public interface IMarketDataListener
{
    /// <summary>Observes one market data item.</summary>
    /// <param name="marketData">The item.</param>
    void OnMarketData(MarketDataEvent marketData);
}
