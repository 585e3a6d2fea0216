namespace TradingKit.Portfolio;

/// <summary>
/// The end-of-period summary (SC-011, PIPE-260 L80) of a session or a trading day. Trade statistics count the round
/// trips closed in the period; money figures are the period's changes; the final figures are the portfolio at the end.
/// </summary>
public sealed record SessionSummary
{
    /// <summary>When the period started.</summary>
    public required DateTimeOffset PeriodStart { get; init; }

    /// <summary>When the period ended.</summary>
    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>The account currency every amount is in.</summary>
    public required string Currency { get; init; }

    /// <summary>Round trips closed in the period.</summary>
    public int Trades { get; init; }

    /// <summary>Round trips with a positive net PnL.</summary>
    public int Wins { get; init; }

    /// <summary>Round trips with a zero or negative net PnL (so wins + losses = trades).</summary>
    public int Losses { get; init; }

    /// <summary><c>Wins / Trades</c> as a fraction (0.25 means 25 %); 0 when there was no trade.</summary>
    public decimal WinRate { get; init; }

    /// <summary><c>TradesNetPnl / Trades</c>; 0 when there was no trade.</summary>
    public decimal AveragePnl { get; init; }

    /// <summary>The worst round trip's net PnL when it lost (a negative number); 0 when no trade lost money.</summary>
    public decimal MaxLoss { get; init; }

    /// <summary>The best round trip's net PnL when it won; 0 when no trade made money.</summary>
    public decimal MaxWin { get; init; }

    /// <summary>The sum of the closed round trips' net PnL.</summary>
    public decimal TradesNetPnl { get; init; }

    /// <summary>Realised PnL before fees booked in the period (including reduces of round trips still open).</summary>
    public decimal RealizedPnl { get; init; }

    /// <summary>Unrealised PnL at the end, at the last prices.</summary>
    public decimal UnrealizedPnl { get; init; }

    /// <summary>All fees charged in the period (fills and other fees).</summary>
    public decimal TotalFees { get; init; }

    /// <summary>Net funding received in the period (negative when paid).</summary>
    public decimal Funding { get; init; }

    /// <summary>Fills applied in the period.</summary>
    public int Fills { get; init; }

    /// <summary>Total slippage against the reference prices, in the account currency; positive is a cost.</summary>
    public decimal TotalSlippage { get; init; }

    /// <summary>Notional-weighted average slippage in basis points; positive is a cost; 0 without samples.</summary>
    public decimal SlippageBps { get; init; }

    /// <summary>The worst single-fill slippage in basis points; 0 without samples.</summary>
    public decimal WorstSlippageBps { get; init; }

    /// <summary>Fills whose slippage was recorded.</summary>
    public int SlippageSamples { get; init; }

    /// <summary>The largest peak-to-trough equity drop in the period (positive amount).</summary>
    public decimal MaxDrawdown { get; init; }

    /// <summary>The largest drop as a percentage of its peak (5 means 5 %).</summary>
    public decimal MaxDrawdownPercent { get; init; }

    /// <summary>Cash at the end.</summary>
    public decimal FinalCash { get; init; }

    /// <summary>Cash plus positions at the last prices, at the end.</summary>
    public decimal FinalEquity { get; init; }

    /// <summary>The signed net quantity of every symbol still held at the end (hedge legs summed), keyed by symbol text.</summary>
    public IReadOnlyDictionary<string, decimal> FinalPositions { get; init; } = new Dictionary<string, decimal>();

    /// <summary>The last price of every symbol seen, keyed by symbol text.</summary>
    public IReadOnlyDictionary<string, decimal> LastPrices { get; init; } = new Dictionary<string, decimal>();
}
