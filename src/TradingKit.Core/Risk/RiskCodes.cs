namespace TradingKit.Risk;

/// <summary>
/// The stable codes of risk denials and risk errors. A denied order's <see cref="RiskDecision.Code"/> is one of these
/// (or an instrument code from <see cref="Errors.ErrorCodes"/>); they never change meaning once shipped.
/// </summary>
public static class RiskCodes
{
    /// <summary>The kill switch is on; nothing reaches the venue.</summary>
    public const string KillSwitchActive = Errors.ErrorCodes.KillSwitchActive;

    /// <summary>A kill switch change asked for the state it is already in (seed 000's 409).</summary>
    public const string KillSwitchConflict = "KILL_SWITCH_CONFLICT";

    /// <summary>The guard is HALTED after a trip: no new orders.</summary>
    public const string GuardTripped = Errors.ErrorCodes.RiskGuardTripped;

    /// <summary>The guard is REDUCING after a trip and the order would not reduce a position.</summary>
    public const string ReduceOnly = "RISK_REDUCE_ONLY";

    /// <summary>The order would take the symbol's position above the maximum.</summary>
    public const string MaxPosition = "RISK_MAX_POSITION";

    /// <summary>The order's notional is above the maximum order notional.</summary>
    public const string MaxOrderNotional = "RISK_MAX_ORDER_NOTIONAL";

    /// <summary>Quantity × current price is above the capital limit (seed 002's 한도액, EC-004).</summary>
    public const string CapitalLimit = "RISK_CAPITAL_LIMIT";

    /// <summary>One more open order would exceed the maximum number of open orders.</summary>
    public const string MaxOpenOrders = "RISK_MAX_OPEN_ORDERS";

    /// <summary>The order would exceed the orders-per-minute limit (denied, never queued).</summary>
    public const string OrderRateLimit = "RISK_ORDER_RATE_LIMIT";

    /// <summary>The order's price is further from the last trade than the price band allows (fat finger).</summary>
    public const string PriceBand = "RISK_PRICE_BAND";

    /// <summary>A rule needs a reference price (the last trade) and none is known.</summary>
    public const string PriceUnknown = "RISK_PRICE_UNKNOWN";

    /// <summary>The order's symbol has no instrument definition.</summary>
    public const string UnknownInstrument = "RISK_UNKNOWN_INSTRUMENT";

    /// <summary>The order is outside the trading session.</summary>
    public const string OutsideTradingHours = "RISK_OUTSIDE_TRADING_HOURS";

    /// <summary>The order opens or adds to a position after the no-new-entry cutoff (session close − Δ).</summary>
    public const string NoNewEntryCutoff = "RISK_NO_NEW_ENTRY_CUTOFF";

    /// <summary>The day's loss plus the order's worst-case loss would exceed the daily loss limit (EC-004).</summary>
    public const string DailyLossLimit = "RISK_DAILY_LOSS_LIMIT";
}

/// <summary>The ids of the built-in pre-trade rules, as they appear in <see cref="RiskDecision.RuleId"/> and the journal.</summary>
public static class RiskRuleIds
{
    /// <summary>The kill switch (first rule; denies everything while on).</summary>
    public const string KillSwitch = "kill_switch";

    /// <summary>HALTED denies everything; REDUCING allows only reducing orders.</summary>
    public const string TradingState = "trading_state";

    /// <summary>Trading hours and the no-new-entry cutoff.</summary>
    public const string TradingHours = "trading_hours";

    /// <summary>Tick, step, quantity bounds and minimum notional of the instrument.</summary>
    public const string Instrument = "instrument";

    /// <summary>Price band against the last trade (fat finger).</summary>
    public const string PriceBand = "price_band";

    /// <summary>Maximum order notional.</summary>
    public const string MaxOrderNotional = "max_order_notional";

    /// <summary>Capital limit: quantity × current price.</summary>
    public const string CapitalLimit = "capital_limit";

    /// <summary>Maximum position per symbol.</summary>
    public const string MaxPosition = "max_position";

    /// <summary>Maximum open orders.</summary>
    public const string MaxOpenOrders = "max_open_orders";

    /// <summary>Daily loss plus the order's worst-case loss.</summary>
    public const string DailyLoss = "daily_loss";

    /// <summary>Orders per minute, sliding window on the engine clock.</summary>
    public const string OrderRate = "order_rate";
}

/// <summary>The ids of the built-in trip conditions, as they appear in <see cref="RiskTrip.Cause"/>.</summary>
public static class TripCauses
{
    /// <summary>The day's loss is above the daily loss limit.</summary>
    public const string DailyLoss = "daily_loss";

    /// <summary>Peak-to-current equity drop is above the maximum drawdown.</summary>
    public const string MaxDrawdown = "max_drawdown";

    /// <summary>Too many submit failures in a row.</summary>
    public const string ConsecutiveFailures = "consecutive_failures";

    /// <summary>Too many venue rejects in a row.</summary>
    public const string ConsecutiveRejects = "consecutive_rejects";

    /// <summary>One fill's slippage is above the maximum.</summary>
    public const string SlippageSpike = "slippage_spike";

    /// <summary>A latency sample is above the absolute threshold.</summary>
    public const string LatencyAbsolute = "latency_absolute";

    /// <summary>A latency sample is above k × the EWMA of the earlier samples.</summary>
    public const string LatencySpike = "latency_spike";

    /// <summary>A symbol's market data is older than the maximum age.</summary>
    public const string StaleMarketData = "stale_market_data";

    /// <summary>Every built-in cause.</summary>
    public static IReadOnlyList<string> All { get; } =
        [DailyLoss, MaxDrawdown, ConsecutiveFailures, ConsecutiveRejects, SlippageSpike, LatencyAbsolute, LatencySpike, StaleMarketData];
}
