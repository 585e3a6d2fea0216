namespace TradingKit.Orders;

/// <summary>Buy or sell.</summary>
public enum OrderSide
{
    /// <summary>Buy: increases a long or reduces a short.</summary>
    Buy = 1,

    /// <summary>Sell: reduces a long or increases a short.</summary>
    Sell = 2,
}

/// <summary>The kind of order.</summary>
public enum OrderType
{
    /// <summary>Fill now at the best available price.</summary>
    Market = 1,

    /// <summary>Fill at the limit price or better.</summary>
    Limit = 2,

    /// <summary>Becomes a market order when the stop price trades.</summary>
    StopMarket = 3,

    /// <summary>Becomes a limit order when the stop price trades.</summary>
    StopLimit = 4,

    /// <summary>Becomes a market order when the take-profit price trades.</summary>
    TakeProfitMarket = 5,

    /// <summary>Becomes a limit order when the take-profit price trades.</summary>
    TakeProfitLimit = 6,

    /// <summary>A stop that follows the best price by a fixed offset.</summary>
    TrailingStop = 7,
}

/// <summary>How long an order stays working.</summary>
public enum TimeInForce
{
    /// <summary>Good till cancelled.</summary>
    Gtc = 1,

    /// <summary>Immediate or cancel: fill what is possible now, cancel the rest.</summary>
    Ioc = 2,

    /// <summary>Fill or kill: fill the whole quantity now or nothing.</summary>
    Fok = 3,

    /// <summary>Good till date: expires at <see cref="OrderRequest.ExpireAt"/>.</summary>
    Gtd = 4,

    /// <summary>Expires at the end of the trading day.</summary>
    Day = 5,

    /// <summary>Post only (maker only): rejected or cancelled instead of taking liquidity.</summary>
    PostOnly = 6,
}

/// <summary>Which side of a hedged position an order or position belongs to.</summary>
public enum PositionSide
{
    /// <summary>Netting (one-way) mode: one signed position per symbol.</summary>
    Both = 0,

    /// <summary>The long leg of a hedged position.</summary>
    Long = 1,

    /// <summary>The short leg of a hedged position.</summary>
    Short = 2,
}

/// <summary>Whether a fill added or removed liquidity.</summary>
public enum LiquiditySide
{
    /// <summary>Resting order filled: added liquidity.</summary>
    Maker = 1,

    /// <summary>Marketable order filled: removed liquidity.</summary>
    Taker = 2,
}

/// <summary>Helpers for <see cref="OrderSide"/>.</summary>
public static class OrderSideExtensions
{
    /// <summary>+1 for buy, -1 for sell.</summary>
    /// <param name="side">The side.</param>
    /// <returns>The sign applied to a quantity.</returns>
    public static int Sign(this OrderSide side) => side == OrderSide.Buy ? 1 : -1;

    /// <summary>The other side.</summary>
    /// <param name="side">The side.</param>
    /// <returns>Sell for buy, buy for sell.</returns>
    public static OrderSide Opposite(this OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
}
