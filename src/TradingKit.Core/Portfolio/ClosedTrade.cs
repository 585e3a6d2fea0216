using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Portfolio;

/// <summary>The direction of a round trip.</summary>
public enum TradeDirection
{
    /// <summary>Bought first, sold to close.</summary>
    Long = 1,

    /// <summary>Sold first, bought to close.</summary>
    Short = 2,
}

/// <summary>
/// One round trip (OBS-520, <c>trades.jsonl</c>): it opens when a position leaves flat and closes when the position
/// returns to flat or flips through zero. Every quantity that entered also left, so <see cref="Quantity"/> is both the
/// entry and the exit quantity.
/// </summary>
/// <remarks>
/// <see cref="GrossPnl"/> is the sum of the realised PnL of the round trip's reducing fills, which equals
/// <c>(AverageExitPrice − AverageEntryPrice) × Quantity</c> for a long and the negation for a short; the sum over all
/// closed trades plus the open round trips' realised PnL is exactly <see cref="PortfolioLedger.RealizedPnl"/>.
/// </remarks>
public sealed record ClosedTrade
{
    /// <summary>1 for the portfolio's first closed round trip, then 2, 3, ...</summary>
    public required int Sequence { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>The position leg: <see cref="PositionSide.Both"/> in netting mode.</summary>
    public PositionSide PositionSide { get; init; }

    /// <summary>Long or short.</summary>
    public required TradeDirection Direction { get; init; }

    /// <summary>The largest absolute quantity held during the round trip.</summary>
    public required decimal MaxQuantity { get; init; }

    /// <summary>The total quantity that entered (and therefore left) during the round trip.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>When the position left flat (the first entry fill, or the flipping fill).</summary>
    public required DateTimeOffset EntryTime { get; init; }

    /// <summary>The quantity-weighted average price of the entry fills.</summary>
    public required decimal AverageEntryPrice { get; init; }

    /// <summary>When the position returned to flat or flipped.</summary>
    public required DateTimeOffset ExitTime { get; init; }

    /// <summary>The quantity-weighted average price of the exit fills.</summary>
    public required decimal AverageExitPrice { get; init; }

    /// <summary>Fees of the entry fills (for a flipping fill, its share for the opening quantity).</summary>
    public required decimal EntryFees { get; init; }

    /// <summary>Fees of the exit fills (for a flipping fill, its share for the closing quantity).</summary>
    public required decimal ExitFees { get; init; }

    /// <summary>PnL before fees.</summary>
    public required decimal GrossPnl { get; init; }

    /// <summary>How many fills took part (a flipping fill counts in both round trips).</summary>
    public required int FillCount { get; init; }

    /// <summary>True when the round trip was closed by a fill that also opened the next one in the other direction.</summary>
    public bool ClosedByFlip { get; init; }

    /// <summary>Entry plus exit fees.</summary>
    public decimal Fees => EntryFees + ExitFees;

    /// <summary>PnL after fees: <c>GrossPnl − Fees</c>.</summary>
    public decimal NetPnl => GrossPnl - Fees;

    /// <summary><c>long</c> or <c>short</c>, as the journal writes it.</summary>
    public string SideName => Direction == TradeDirection.Long ? "long" : "short";
}
