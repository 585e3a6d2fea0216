using System.Globalization;
using TradingKit.Errors;
using TradingKit.Orders;

namespace TradingKit.Portfolio;

/// <summary>Which drawdown a <see cref="SessionSummaryBuilder"/> reports.</summary>
public enum SummaryPeriod
{
    /// <summary>The portfolio's session drawdown (since it was created).</summary>
    Session = 0,

    /// <summary>The portfolio's trading-day drawdown (since its last <see cref="PortfolioLedger.StartDay"/> or day roll).</summary>
    TradingDay = 1,
}

/// <summary>
/// Accumulates one period (a session or a trading day) of a <see cref="PortfolioLedger"/> into a <see cref="SessionSummary"/>.
/// It reads the portfolio's closed round trips and totals relative to where they stood at <see cref="Reset"/>, and
/// accumulates the slippage the engine reports per fill.
/// </summary>
/// <remarks>
/// Single-threaded, owned by the engine loop beside the portfolio. For daily summaries: before a day roll, call
/// <see cref="Build"/>, then <see cref="PortfolioLedger.StartDay"/>, then <see cref="Reset"/>.
/// </remarks>
public sealed class SessionSummaryBuilder
{
    private readonly PortfolioLedger _portfolio;
    private readonly SummaryPeriod _period;

    private DateTimeOffset _start;
    private int _tradeIndex;
    private decimal _realizedAtStart;
    private decimal _feesAtStart;
    private decimal _fundingAtStart;
    private int _fillsAtStart;

    private decimal _slippage;
    private decimal _referenceNotional;
    private decimal _worstBps;
    private int _samples;

    /// <summary>Starts a period of <paramref name="portfolio"/> at <paramref name="periodStart"/>.</summary>
    /// <param name="portfolio">The portfolio to summarise.</param>
    /// <param name="periodStart">When the period starts.</param>
    /// <param name="period">Which drawdown to report.</param>
    public SessionSummaryBuilder(PortfolioLedger portfolio, DateTimeOffset periodStart, SummaryPeriod period = SummaryPeriod.Session)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        _portfolio = portfolio;
        _period = period;
        Reset(periodStart);
    }

    /// <summary>Starts a new period: round trips, fees, PnL and slippage from now on.</summary>
    /// <param name="periodStart">When the new period starts.</param>
    public void Reset(DateTimeOffset periodStart)
    {
        _start = periodStart;
        _tradeIndex = _portfolio.ClosedTrades.Count;
        _realizedAtStart = _portfolio.RealizedPnl;
        _feesAtStart = _portfolio.TotalFees;
        _fundingAtStart = _portfolio.TotalFunding;
        _fillsAtStart = _portfolio.FillCount;
        _slippage = 0m;
        _referenceNotional = 0m;
        _worstBps = 0m;
        _samples = 0;
    }

    /// <summary>
    /// Records one fill's slippage against the price the decision was made at (or the arrival price). Does not allocate.
    /// </summary>
    /// <param name="fill">The fill.</param>
    /// <param name="referencePrice">The decision or reference price; positive.</param>
    /// <returns>This fill's slippage, for metrics.</returns>
    /// <exception cref="TradingKitException">A non-positive reference price or fill quantity (<c>PORTFOLIO_INVALID_PRICE</c>).</exception>
    public SlippageSample RecordSlippage(Fill fill, decimal referencePrice)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (referencePrice <= 0m || fill.Quantity <= 0m)
        {
            throw new TradingKitException(PortfolioErrorCodes.InvalidPrice,
                string.Create(CultureInfo.InvariantCulture,
                    $"Slippage of fill {fill.TradeId}: the reference price and quantity must be positive (got {referencePrice} and {fill.Quantity})."));
        }

        var difference = fill.Side == OrderSide.Buy ? fill.Price - referencePrice : referencePrice - fill.Price;
        var amount = difference * fill.Quantity;
        var notional = referencePrice * fill.Quantity;
        var bps = difference * 10_000m / referencePrice;
        _slippage += amount;
        _referenceNotional += notional;
        if (_samples == 0 || bps > _worstBps)
        {
            _worstBps = bps;
        }

        _samples++;
        return new SlippageSample(amount, bps);
    }

    /// <summary>Builds the summary of the period so far, with the portfolio's current figures as the final ones.</summary>
    /// <param name="periodEnd">When the period ends.</param>
    /// <returns>The summary.</returns>
    public SessionSummary Build(DateTimeOffset periodEnd)
    {
        var trades = _portfolio.ClosedTrades;
        int count = 0, wins = 0, losses = 0;
        decimal net = 0m, worst = 0m, best = 0m;
        for (var i = _tradeIndex; i < trades.Count; i++)
        {
            var pnl = trades[i].NetPnl;
            count++;
            net += pnl;
            if (pnl > 0m)
            {
                wins++;
                best = Math.Max(best, pnl);
            }
            else
            {
                losses++;
                worst = Math.Min(worst, pnl);
            }
        }

        var positions = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var position in _portfolio.Positions)
        {
            var key = position.Symbol.Value;
            positions[key] = positions.GetValueOrDefault(key) + position.Quantity;
        }

        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (symbol, price) in _portfolio.LastPrices)
        {
            prices[symbol.Value] = price;
        }

        var day = _period == SummaryPeriod.TradingDay;
        return new SessionSummary
        {
            PeriodStart = _start,
            PeriodEnd = periodEnd,
            Currency = _portfolio.Currency,
            Trades = count,
            Wins = wins,
            Losses = losses,
            WinRate = count == 0 ? 0m : (decimal)wins / count,
            AveragePnl = count == 0 ? 0m : net / count,
            MaxLoss = worst,
            MaxWin = best,
            TradesNetPnl = net,
            RealizedPnl = _portfolio.RealizedPnl - _realizedAtStart,
            UnrealizedPnl = _portfolio.UnrealizedPnl,
            TotalFees = _portfolio.TotalFees - _feesAtStart,
            Funding = _portfolio.TotalFunding - _fundingAtStart,
            Fills = _portfolio.FillCount - _fillsAtStart,
            TotalSlippage = _slippage,
            SlippageBps = _referenceNotional == 0m ? 0m : _slippage * 10_000m / _referenceNotional,
            WorstSlippageBps = _worstBps,
            SlippageSamples = _samples,
            MaxDrawdown = day ? _portfolio.DayMaxDrawdown : _portfolio.MaxDrawdown,
            MaxDrawdownPercent = day ? _portfolio.DayMaxDrawdownPercent : _portfolio.MaxDrawdownPercent,
            FinalCash = _portfolio.Cash,
            FinalEquity = _portfolio.Equity,
            FinalPositions = positions,
            LastPrices = prices,
        };
    }
}
