using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Risk;

/// <summary>The portfolio figures the risk guard reads, as of one moment on the engine clock.</summary>
public readonly record struct RiskPortfolioView
{
    /// <summary>Cash (quote currency).</summary>
    public decimal Cash { get; init; }

    /// <summary>Cash plus positions marked at the last price.</summary>
    public decimal Equity { get; init; }

    /// <summary>The highest equity seen this session.</summary>
    public decimal PeakEquity { get; init; }

    /// <summary>Realised PnL since the start of the trading day, after fees.</summary>
    public decimal DailyRealizedPnl { get; init; }

    /// <summary>Unrealised PnL of open positions.</summary>
    public decimal UnrealizedPnl { get; init; }

    /// <summary>Peak-to-current equity drop, as a positive amount.</summary>
    public decimal Drawdown => PeakEquity > Equity ? PeakEquity - Equity : 0m;

    /// <summary>The day's loss as a positive amount (realised + unrealised), or 0 when the day is up.</summary>
    public decimal DailyLoss
    {
        get
        {
            var pnl = DailyRealizedPnl + UnrealizedPnl;
            return pnl < 0m ? -pnl : 0m;
        }
    }
}

/// <summary>Everything a pre-trade check needs about one order, gathered by the engine before the OMS submits it.</summary>
public readonly record struct PreTradeContext
{
    /// <summary>The order about to be sent.</summary>
    public required OrderRequest Order { get; init; }

    /// <summary>The engine time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>The last traded price of the order's symbol, or null when none is known yet.</summary>
    public decimal? LastPrice { get; init; }

    /// <summary>When <see cref="LastPrice"/> was observed.</summary>
    public DateTimeOffset? LastPriceAt { get; init; }

    /// <summary>The current signed position in the order's symbol.</summary>
    public decimal Position { get; init; }

    /// <summary>How many orders are open (all symbols).</summary>
    public int OpenOrders { get; init; }

    /// <summary>The quantity still working in open buy orders of this symbol (not counting this order).</summary>
    public decimal OpenBuyQuantity { get; init; }

    /// <summary>The quantity still working in open sell orders of this symbol (not counting this order), as a positive number.</summary>
    public decimal OpenSellQuantity { get; init; }

    /// <summary>The signed quantity still working in open orders of this symbol: buys minus sells.</summary>
    public decimal OpenOrderQuantity => OpenBuyQuantity - OpenSellQuantity;

    /// <summary>The portfolio.</summary>
    public RiskPortfolioView Portfolio { get; init; }

    /// <summary>
    /// The price used to value the order: its limit price, else its stop price, else <see cref="LastPrice"/>;
    /// null when none is known.
    /// </summary>
    public decimal? ReferencePrice => Order.LimitPrice ?? Order.StopPrice ?? LastPrice;

    /// <summary>The order's quantity signed by its side: positive for buys, negative for sells.</summary>
    public decimal SignedQuantity => Order.Side == OrderSide.Buy ? Order.Quantity : -Order.Quantity;

    /// <summary>
    /// True when the order only reduces the current position, counting the orders on its side already working: two
    /// reducing orders that together would flip the position are not both reducing.
    /// </summary>
    public bool IsReducing =>
        (Position > 0m && Order.Side == OrderSide.Sell && Order.Quantity + OpenSellQuantity <= Position) ||
        (Position < 0m && Order.Side == OrderSide.Buy && Order.Quantity + OpenBuyQuantity <= -Position);
}

/// <summary>A risk guard's answer to a pre-trade check.</summary>
public readonly record struct RiskDecision
{
    /// <summary>True when the order may proceed.</summary>
    public bool Allowed { get; init; }

    /// <summary>The rule that denied it (for example <c>max_order_notional</c>).</summary>
    public string? RuleId { get; init; }

    /// <summary>The stable code of the denial (for example <c>RISK_MAX_ORDER_NOTIONAL</c>).</summary>
    public string? Code { get; init; }

    /// <summary>The rule's threshold.</summary>
    public decimal Threshold { get; init; }

    /// <summary>The value that broke it.</summary>
    public decimal Observed { get; init; }

    /// <summary>A readable explanation.</summary>
    public string? Message { get; init; }

    /// <summary>The allowed decision.</summary>
    public static RiskDecision Allow => new() { Allowed = true };

    /// <summary>A denial.</summary>
    /// <param name="ruleId">The rule.</param>
    /// <param name="code">The stable code.</param>
    /// <param name="threshold">The rule's threshold.</param>
    /// <param name="observed">The value that broke it.</param>
    /// <param name="message">A readable explanation.</param>
    /// <returns>The decision.</returns>
    public static RiskDecision Deny(string ruleId, string code, decimal threshold, decimal observed, string message)
        => new() { Allowed = false, RuleId = ruleId, Code = code, Threshold = threshold, Observed = observed, Message = message };
}

/// <summary>What the engine tells the risk guard after every fill (L70) and on every timer tick.</summary>
public readonly record struct PostTradeContext
{
    /// <summary>The engine time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>The fill just applied, or null for a timer tick.</summary>
    public Fill? Fill { get; init; }

    /// <summary>The portfolio after the fill.</summary>
    public RiskPortfolioView Portfolio { get; init; }
}

/// <summary>The trading state the risk guard allows.</summary>
public enum TradingState
{
    /// <summary>Orders flow normally.</summary>
    Active = 0,

    /// <summary>Only orders that reduce positions are allowed.</summary>
    Reducing = 1,

    /// <summary>No new orders.</summary>
    Halted = 2,
}

/// <summary>
/// The seam between the engine and the risk guard. The engine calls <see cref="CheckPreTrade"/> before every
/// submit and <see cref="OnPostTrade"/> after every fill and on timer ticks, on the engine loop (single-threaded).
/// </summary>
public interface IRiskGuard
{
    /// <summary>The current trading state.</summary>
    TradingState State { get; }

    /// <summary>Checks one order before it is sent. Must not allocate on the allowed path.</summary>
    /// <param name="context">The order and what is known around it.</param>
    /// <returns>Allowed, or the first rule that denied it.</returns>
    RiskDecision CheckPreTrade(in PreTradeContext context);

    /// <summary>Observes a fill or a timer tick; returns a trip when a trip condition is met.</summary>
    /// <param name="context">The fill and portfolio.</param>
    /// <returns>Null when all is well; otherwise the trip.</returns>
    RiskTrip? OnPostTrade(in PostTradeContext context);

    /// <summary>
    /// Records how one submission ended. The engine calls it once per submission, after the venue answered (or the
    /// retries gave up). Feeds the consecutive-failure and consecutive-reject trips.
    /// </summary>
    /// <param name="outcome">Accepted, rejected or failed.</param>
    /// <param name="at">The engine time.</param>
    /// <returns>A trip when this outcome met a trip condition; otherwise null.</returns>
    RiskTrip? RecordSubmitOutcome(SubmissionOutcome outcome, DateTimeOffset at) => null;

    /// <summary>Records one venue latency sample (submit-to-ack). Feeds the absolute latency and latency-spike trips.</summary>
    /// <param name="latency">The measured latency.</param>
    /// <param name="at">The engine time.</param>
    /// <returns>A trip when this sample met a trip condition; otherwise null.</returns>
    RiskTrip? RecordLatency(TimeSpan latency, DateTimeOffset at) => null;

    /// <summary>Records one fill's slippage in basis points, positive when adverse (<see cref="RiskGuard.SlippageBps"/>).</summary>
    /// <param name="slippageBps">The slippage.</param>
    /// <param name="at">The engine time.</param>
    /// <returns>A trip when this sample met a trip condition; otherwise null.</returns>
    RiskTrip? RecordSlippageBps(decimal slippageBps, DateTimeOffset at) => null;

    /// <summary>Records that market data for <paramref name="symbol"/> arrived. Feeds the stale-market-data trip (checked on timer ticks).</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="at">The data's time on the engine clock.</param>
    void RecordMarketData(Symbol symbol, DateTimeOffset at)
    {
    }
}

/// <summary>A tripped condition: the engine blocks new orders and runs the stop plan.</summary>
/// <param name="Cause">The trip condition (for example <c>daily_loss</c>).</param>
/// <param name="Threshold">Its threshold.</param>
/// <param name="Observed">The value that tripped it.</param>
/// <param name="NewState">The trading state to enter.</param>
/// <param name="Message">A readable explanation.</param>
public sealed record RiskTrip(string Cause, decimal Threshold, decimal Observed, TradingState NewState, string Message)
{
    /// <summary>When it tripped, on the engine clock.</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The portfolio as the guard last saw it.</summary>
    public RiskPortfolioView Portfolio { get; init; }

    /// <summary>The execution-quality figures at the trip.</summary>
    public ExecutionQuality Quality { get; init; }

    /// <summary>What the engine must do now; null from guards that do not describe one (block new orders only).</summary>
    public StopPlan? StopPlan { get; init; }

    /// <summary>The <c>RISK_GUARD_TRIPPED</c> record for the journal and event log.</summary>
    /// <returns>The event.</returns>
    public RiskTripRecord ToEvent()
        => new(Cause, Threshold, Observed, NewState, Message, OccurredAt, Portfolio, Quality, StopPlan ?? StopPlan.BlockOnly());
}

/// <summary>The permissive default: allows every order and never trips. Used until a real guard is configured.</summary>
public sealed class PermissiveRiskGuard : IRiskGuard
{
    /// <summary>The shared instance.</summary>
    public static PermissiveRiskGuard Instance { get; } = new();

    /// <inheritdoc />
    public TradingState State => TradingState.Active;

    /// <inheritdoc />
    public RiskDecision CheckPreTrade(in PreTradeContext context) => RiskDecision.Allow;

    /// <inheritdoc />
    public RiskTrip? OnPostTrade(in PostTradeContext context) => null;
}
