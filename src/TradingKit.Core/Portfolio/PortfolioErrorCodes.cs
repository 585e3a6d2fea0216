namespace TradingKit.Portfolio;

/// <summary>The stable error codes the portfolio raises.</summary>
public static class PortfolioErrorCodes
{
    /// <summary>A fill with a non-positive quantity or price, or an undefined side.</summary>
    public const string InvalidFill = "PORTFOLIO_INVALID_FILL";

    /// <summary>A mark price that is zero or negative.</summary>
    public const string InvalidPrice = "PORTFOLIO_INVALID_PRICE";

    /// <summary>A deposit or withdrawal amount that is zero or negative.</summary>
    public const string InvalidAmount = "PORTFOLIO_INVALID_AMOUNT";

    /// <summary>
    /// A hedge-mode fill that would take the long leg below zero or the short leg above zero. A venue in hedge mode
    /// never reports such a fill, so it means the fill was routed to the wrong leg.
    /// </summary>
    public const string HedgeLegCrossed = "PORTFOLIO_HEDGE_LEG_CROSSED";
}
