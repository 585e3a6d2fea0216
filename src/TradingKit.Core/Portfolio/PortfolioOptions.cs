namespace TradingKit.Portfolio;

/// <summary>How a <see cref="PortfolioLedger"/> starts and where its trading day begins.</summary>
public sealed record PortfolioOptions
{
    /// <summary>Cash at the start of the session, in <see cref="Currency"/>; not negative.</summary>
    /// <value>0 by default.</value>
    public decimal InitialCash { get; init; }

    /// <summary>The account (quote) currency. Prices, fees, funding and cash are all taken to be in this currency.</summary>
    /// <value><c>USD</c> by default.</value>
    public string Currency { get; init; } = "USD";

    /// <summary>
    /// The UTC time of day at which a new trading day starts, or null to start days only through
    /// <see cref="PortfolioLedger.StartDay"/>. When set, the first fill, mark or cash adjustment stamped at or after the
    /// next boundary resets the daily figures before it is applied.
    /// </summary>
    /// <value>Null (days change only by <see cref="PortfolioLedger.StartDay"/>) by default.</value>
    public TimeSpan? DayRollTimeUtc { get; init; }
}
