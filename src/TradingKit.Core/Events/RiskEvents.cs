using TradingKit.Domain;
using TradingKit.Risk;

namespace TradingKit.Events;

/// <summary>The pre-trade risk check denied an order; nothing was sent. Type name <c>risk_guard_rejected</c>.</summary>
/// <param name="RuleId">The rule that denied it (for example <c>max_order_notional</c>).</param>
/// <param name="Code">The stable denial code (for example <c>RISK_MAX_ORDER_NOTIONAL</c>).</param>
/// <param name="Threshold">The rule's threshold.</param>
/// <param name="Observed">The value that broke it.</param>
/// <param name="ClientOrderId">The denied order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Message">A readable explanation.</param>
public sealed record RiskGuardRejected(
    string RuleId,
    string Code,
    decimal Threshold,
    decimal Observed,
    ClientOrderId ClientOrderId,
    Symbol Symbol,
    string Message) : ITradingEvent;

/// <summary>
/// A post-trade or continuous trip condition fired (L70): new orders stop and the stop plan runs. Carries the
/// cause, threshold, observed value, portfolio state and execution quality at the moment of the trip (PIPE-260 §7).
/// Type name <c>risk_guard_tripped</c>.
/// </summary>
/// <param name="Cause">The trip condition (for example <c>daily_loss</c>, <c>max_drawdown</c>, <c>latency_spike</c>).</param>
/// <param name="Threshold">Its threshold.</param>
/// <param name="Observed">The value that tripped it.</param>
/// <param name="NewState">The trading state entered.</param>
/// <param name="Message">A readable explanation.</param>
/// <param name="Portfolio">The portfolio at the trip.</param>
/// <param name="ExecutionQuality">Execution quality at the trip.</param>
public sealed record RiskGuardTripped(
    string Cause,
    decimal Threshold,
    decimal Observed,
    TradingState NewState,
    string Message,
    PortfolioFigures Portfolio,
    ExecutionQualityFigures ExecutionQuality) : ITradingEvent;

/// <summary>The portfolio figures recorded with a risk event.</summary>
/// <param name="Cash">Cash (quote currency).</param>
/// <param name="Equity">Cash plus positions marked at the last price.</param>
/// <param name="PeakEquity">The highest equity seen this session.</param>
/// <param name="DailyRealizedPnl">Realised PnL since the start of the trading day, after fees.</param>
/// <param name="UnrealizedPnl">Unrealised PnL of open positions.</param>
/// <param name="OpenPositions">How many positions are open.</param>
/// <param name="OpenOrders">How many orders are open.</param>
public sealed record PortfolioFigures(
    decimal Cash,
    decimal Equity,
    decimal PeakEquity,
    decimal DailyRealizedPnl,
    decimal UnrealizedPnl,
    int OpenPositions,
    int OpenOrders)
{
    /// <summary>Copies the figures of a risk portfolio view.</summary>
    /// <param name="view">The view.</param>
    /// <param name="openPositions">How many positions are open.</param>
    /// <param name="openOrders">How many orders are open.</param>
    /// <returns>The figures.</returns>
    public static PortfolioFigures From(in RiskPortfolioView view, int openPositions, int openOrders)
        => new(view.Cash, view.Equity, view.PeakEquity, view.DailyRealizedPnl, view.UnrealizedPnl, openPositions, openOrders);
}

/// <summary>Execution quality figures recorded with a risk event (PIPE-260 §5.2).</summary>
/// <param name="RejectRate">Rejected orders / submitted orders, 0-1.</param>
/// <param name="PartialFillRate">Partially filled orders / filled orders, 0-1.</param>
/// <param name="SlippageBpsP50">Median slippage in basis points.</param>
/// <param name="SlippageBpsP95">95th percentile slippage in basis points.</param>
/// <param name="LatencyMsP95">95th percentile submit-to-ack latency in milliseconds.</param>
/// <param name="ConsecutiveFailures">Consecutive failed or rejected submissions.</param>
public sealed record ExecutionQualityFigures(
    decimal RejectRate,
    decimal PartialFillRate,
    decimal SlippageBpsP50,
    decimal SlippageBpsP95,
    decimal LatencyMsP95,
    int ConsecutiveFailures);
