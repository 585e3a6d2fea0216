using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Portfolio;

/// <summary>One position (a symbol in netting mode, or one leg of a symbol in hedge mode) as of the last fill or mark.</summary>
public readonly record struct PositionSnapshot
{
    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>The leg: <see cref="PositionSide.Both"/> for a netting position.</summary>
    public PositionSide Side { get; init; }

    /// <summary>The signed quantity: positive long, negative short, 0 flat.</summary>
    public decimal Quantity { get; init; }

    /// <summary>The average entry price of the open quantity; 0 when flat.</summary>
    public decimal AveragePrice { get; init; }

    /// <summary>The signed cost of the open quantity (quantity × average price, kept exactly); 0 when flat.</summary>
    public decimal CostBasis { get; init; }

    /// <summary>Realised PnL of this position since the session started, before fees.</summary>
    public decimal RealizedPnl { get; init; }

    /// <summary>Fill fees charged on this position since the session started.</summary>
    public decimal Fees { get; init; }

    /// <summary>The last known price of the symbol, or 0 when none is known.</summary>
    public decimal LastPrice { get; init; }

    /// <summary><c>Quantity × LastPrice − CostBasis</c>; 0 when flat.</summary>
    public decimal UnrealizedPnl { get; init; }

    /// <summary>Realised PnL (before fees) of the round trip still open on this position; 0 when flat.</summary>
    public decimal OpenTradeRealizedPnl { get; init; }

    /// <summary>Fees charged so far to the round trip still open on this position; 0 when flat.</summary>
    public decimal OpenTradeFees { get; init; }

    /// <summary>True when the quantity is 0.</summary>
    public bool IsFlat => Quantity == 0m;
}
