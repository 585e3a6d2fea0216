namespace TradingKit.Portfolio;

/// <summary>What one fill did to the portfolio, returned by <see cref="PortfolioLedger.ApplyFill"/> without allocating.</summary>
public readonly record struct PortfolioFillResult
{
    /// <summary>The position leg's signed quantity before the fill.</summary>
    public decimal PreviousQuantity { get; init; }

    /// <summary>The position leg's signed quantity after the fill.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Realised PnL (before fees) produced by this fill.</summary>
    public decimal RealizedPnl { get; init; }

    /// <summary>The round trip this fill closed, or null.</summary>
    public ClosedTrade? ClosedTrade { get; init; }

    /// <summary>True when this fill opened a round trip (from flat, or the new side of a flip).</summary>
    public bool OpenedTrade { get; init; }
}
