using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Strategies;

/// <summary>
/// A trading strategy. Strategies never call the venue: they look at the market and the portfolio through
/// <see cref="IStrategyContext"/> and record <see cref="Decision"/>s (with reason codes, also for "no trade");
/// the engine turns decisions into order intents, checks them and submits them.
/// </summary>
/// <remarks>All methods run on the engine loop, one at a time; a strategy needs no locking.</remarks>
public interface IStrategy
{
    /// <summary>The strategy's id; part of every client order id it causes.</summary>
    StrategyId Id { get; }

    /// <summary>Called once before the first market data item.</summary>
    /// <param name="context">The context.</param>
    void OnStart(IStrategyContext context);

    /// <summary>Called for every market data item, after the venue and portfolio have seen it.</summary>
    /// <param name="marketData">The item.</param>
    /// <param name="context">The context; call <see cref="IStrategyContext.Decide"/> to act.</param>
    void OnMarketData(MarketDataEvent marketData, IStrategyContext context);

    /// <summary>Called after one of this strategy's orders filled (partially or fully).</summary>
    /// <param name="fill">The fill.</param>
    /// <param name="context">The context.</param>
    void OnFill(Fill fill, IStrategyContext context);
}

/// <summary>What a strategy can see and do.</summary>
public interface IStrategyContext
{
    /// <summary>The engine time.</summary>
    DateTimeOffset Now { get; }

    /// <summary>The session.</summary>
    SessionId SessionId { get; }

    /// <summary>Cash in the account's currency.</summary>
    decimal Cash { get; }

    /// <summary>Cash plus positions at the last price.</summary>
    decimal Equity { get; }

    /// <summary>The signed position in a symbol (0 when flat).</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The position.</returns>
    decimal GetPosition(Symbol symbol);

    /// <summary>The last price seen for a symbol, or null.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The price.</returns>
    decimal? GetLastPrice(Symbol symbol);

    /// <summary>True when the symbol has an order that is still working.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>Whether an order is open.</returns>
    bool HasOpenOrders(Symbol symbol);

    /// <summary>Records a decision. Buy, sell and close decisions become order intents; hold decisions are journaled only.</summary>
    /// <param name="decision">The decision.</param>
    void Decide(in Decision decision);
}

/// <summary>What a decision asks for.</summary>
public enum DecisionAction
{
    /// <summary>No trade; journaled with its reasons.</summary>
    Hold = 0,

    /// <summary>Buy <see cref="Decision.Quantity"/>.</summary>
    Buy = 1,

    /// <summary>Sell <see cref="Decision.Quantity"/>.</summary>
    Sell = 2,

    /// <summary>Close the whole position in the symbol.</summary>
    Close = 3,
}

/// <summary>
/// One strategy decision (OBS-500): what to do, why, and for an order how.
/// Reason codes are short stable strings (<c>MA_CROSS_UP</c>, <c>WARMUP</c>); prefer static arrays so deciding does not allocate.
/// </summary>
public readonly record struct Decision
{
    /// <summary>The symbol.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>What to do.</summary>
    public required DecisionAction Action { get; init; }

    /// <summary>Why; at least one code.</summary>
    public required IReadOnlyList<string> ReasonCodes { get; init; }

    /// <summary>The quantity for buy and sell (ignored for close and hold).</summary>
    public decimal Quantity { get; init; }

    /// <summary>The order type; market by default.</summary>
    public OrderType OrderType { get; init; }

    /// <summary>The limit price for limit-type orders.</summary>
    public decimal? LimitPrice { get; init; }

    /// <summary>The trigger price for stop-type orders.</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>The time in force; GTC by default.</summary>
    public TimeInForce TimeInForce { get; init; }

    /// <summary>
    /// Distinguishes two intents of the same strategy, symbol, side and time (for example two legs).
    /// Part of the deterministic client order id.
    /// </summary>
    public string? IntentKey { get; init; }

    /// <summary>A hold decision.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="reasonCodes">Why.</param>
    /// <returns>The decision.</returns>
    public static Decision Hold(Symbol symbol, IReadOnlyList<string> reasonCodes) => new() { Symbol = symbol, Action = DecisionAction.Hold, ReasonCodes = reasonCodes };
}
