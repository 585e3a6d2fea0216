using System.Globalization;
using Microsoft.Extensions.Options;
using TradingKit.Errors;

namespace TradingKit.Risk;

/// <summary>
/// The risk guard's configuration, bound from the <c>Risk</c> configuration section
/// (<c>Risk:Enabled</c>, <c>Risk:DailyLossLimit</c>, <c>Risk:KillSwitch:InitialState</c>, ...). A null limit disables
/// its rule or trip; an empty configuration value binds to null. See <c>docs/risk.md</c> for every key.
/// </summary>
public sealed class RiskOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Risk";

    /// <summary>Whether the risk guard runs (<c>Risk:Enabled</c>). Live mode refuses to start without it.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The kill switch settings (<c>Risk:KillSwitch:*</c>).</summary>
    public KillSwitchOptions KillSwitch { get; set; } = new();

    /// <summary>
    /// The daily loss limit in quote currency (<c>Risk:DailyLossLimit</c>): pre-trade, the day's loss plus the order's
    /// worst-case loss must not exceed it (EC-004); post-trade, a day's loss above it trips the guard.
    /// </summary>
    /// <value>Defaults to null (disabled). Required for live mode.</value>
    public decimal? DailyLossLimit { get; set; }

    /// <summary>The maximum peak-to-current equity drop, in quote currency (<c>Risk:MaxDrawdown</c>); above it the guard trips.</summary>
    /// <value>Defaults to null (disabled).</value>
    public decimal? MaxDrawdown { get; set; }

    /// <summary>The largest notional (quantity × order price) of one order (<c>Risk:MaxOrderNotional</c>).</summary>
    /// <value>Defaults to null (disabled). Live mode needs this or <see cref="CapitalLimit"/>.</value>
    public decimal? MaxOrderNotional { get; set; }

    /// <summary>
    /// The capital limit (seed 002's 한도액, <c>Risk:CapitalLimit</c>): an order that opens or adds to a position must
    /// have quantity × current price at most this.
    /// </summary>
    /// <value>Defaults to null (disabled).</value>
    public decimal? CapitalLimit { get; set; }

    /// <summary>The largest absolute position per symbol, in quantity units (<c>Risk:MaxPosition</c>).</summary>
    /// <value>Defaults to null (disabled). Required for live mode.</value>
    public decimal? MaxPosition { get; set; }

    /// <summary>Per-symbol overrides of <see cref="MaxPosition"/> (<c>Risk:MaxPositionBySymbol:BTCUSDT</c>).</summary>
    public Dictionary<string, decimal> MaxPositionBySymbol { get; } = new(StringComparer.Ordinal);

    /// <summary>The most orders open at once, all symbols (<c>Risk:MaxOpenOrders</c>).</summary>
    /// <value>Defaults to 50.</value>
    public int? MaxOpenOrders { get; set; } = 50;

    /// <summary>The most orders the guard lets through in any 60-second window of the engine clock (<c>Risk:OrdersPerMinute</c>). Excess orders are denied, never queued.</summary>
    /// <value>Defaults to 60.</value>
    public int? OrdersPerMinute { get; set; } = 60;

    /// <summary>How far, in basis points of the last trade, an order's price may be (<c>Risk:PriceBandBps</c>; fat-finger guard).</summary>
    /// <value>Defaults to 500 (5 %).</value>
    public decimal? PriceBandBps { get; set; } = 500m;

    /// <summary>
    /// The fraction of an order's notional counted as its worst-case loss in the pre-trade daily loss rule
    /// (<c>Risk:WorstCaseLossFraction</c>). 1 counts the full notional, the most a long can lose; a strategy that
    /// always places a stop at −x % can set x / 100.
    /// </summary>
    /// <value>Defaults to 1.</value>
    public decimal WorstCaseLossFraction { get; set; } = 1m;

    /// <summary>Submit failures in a row that trip the guard (<c>Risk:ConsecutiveFailureLimit</c>).</summary>
    /// <value>Defaults to 3 (seed 000).</value>
    public int? ConsecutiveFailureLimit { get; set; } = 3;

    /// <summary>Venue rejects in a row that trip the guard (<c>Risk:ConsecutiveRejectLimit</c>).</summary>
    /// <value>Defaults to 5.</value>
    public int? ConsecutiveRejectLimit { get; set; } = 5;

    /// <summary>The adverse slippage of one fill, in basis points, above which the guard trips (<c>Risk:MaxSlippageBps</c>).</summary>
    /// <value>Defaults to null (disabled).</value>
    public decimal? MaxSlippageBps { get; set; }

    /// <summary>A latency sample above this trips the guard (<c>Risk:LatencyThreshold</c>).</summary>
    /// <value>Defaults to 30 seconds (seed 000).</value>
    public TimeSpan? LatencyThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A latency sample above this multiple of the EWMA of earlier samples trips the guard (<c>Risk:LatencySpikeMultiplier</c>).</summary>
    /// <value>Defaults to 3 (seed 000).</value>
    public double? LatencySpikeMultiplier { get; set; } = 3d;

    /// <summary>Samples needed before the spike rule applies (<c>Risk:LatencySpikeMinSamples</c>).</summary>
    /// <value>Defaults to 5 (seed 000).</value>
    public int LatencySpikeMinSamples { get; set; } = 5;

    /// <summary>The weight of the newest sample in the latency EWMA (<c>Risk:LatencyEwmaAlpha</c>), in (0, 1].</summary>
    /// <value>Defaults to 0.2.</value>
    public double LatencyEwmaAlpha { get; set; } = 0.2d;

    /// <summary>A symbol whose last market data is older than this trips the guard on the timer (<c>Risk:MarketDataMaxAge</c>).</summary>
    /// <value>Defaults to null (disabled).</value>
    public TimeSpan? MarketDataMaxAge { get; set; }

    /// <summary>The trading session: hours, time zone and cutoffs (<c>Risk:Session:*</c>). Without a time zone there are no trading-hours rules.</summary>
    public TradingSessionOptions Session { get; set; } = new();

    /// <summary>
    /// Overrides of the trading state each trip condition enters, by cause id (<c>Risk:TripStates:slippage_spike=Halted</c>).
    /// Built-in defaults: <c>slippage_spike</c> and <c>stale_market_data</c> enter REDUCING, every other cause HALTED.
    /// </summary>
    public Dictionary<string, TradingState> TripStates { get; } = new(StringComparer.Ordinal);

    /// <summary>What the engine does when the guard trips (<c>Risk:StopPlan:*</c>).</summary>
    public StopPlanOptions StopPlan { get; set; } = new();

    /// <summary>How forced liquidation closes positions (<c>Risk:ForcedLiquidation:*</c>); when it starts is <see cref="TradingSessionOptions.ForcedLiquidationBeforeClose"/>.</summary>
    public ForcedLiquidationOptions ForcedLiquidation { get; set; } = new();

    /// <summary>
    /// True when the guard is enabled and the limits live trading needs are set: <see cref="DailyLossLimit"/>,
    /// <see cref="MaxPosition"/> and one of <see cref="MaxOrderNotional"/> or <see cref="CapitalLimit"/>.
    /// </summary>
    public bool IsConfiguredForLive => Enabled && DailyLossLimit is not null && MaxPosition is not null && (MaxOrderNotional is not null || CapitalLimit is not null);

    /// <summary>Lists what is missing for <see cref="IsConfiguredForLive"/>.</summary>
    /// <returns>One line per missing setting; empty when configured.</returns>
    public IReadOnlyList<string> MissingForLive()
    {
        var missing = new List<string>();
        if (!Enabled)
        {
            missing.Add("Risk:Enabled must be true");
        }

        if (DailyLossLimit is null)
        {
            missing.Add("Risk:DailyLossLimit is not set");
        }

        if (MaxPosition is null)
        {
            missing.Add("Risk:MaxPosition is not set");
        }

        if (MaxOrderNotional is null && CapitalLimit is null)
        {
            missing.Add("Risk:MaxOrderNotional or Risk:CapitalLimit is not set");
        }

        return missing;
    }

    /// <summary>Checks every setting.</summary>
    /// <returns>Every problem found; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Positive(errors, "Risk:DailyLossLimit", DailyLossLimit);
        Positive(errors, "Risk:MaxDrawdown", MaxDrawdown);
        Positive(errors, "Risk:MaxOrderNotional", MaxOrderNotional);
        Positive(errors, "Risk:CapitalLimit", CapitalLimit);
        Positive(errors, "Risk:MaxPosition", MaxPosition);
        Positive(errors, "Risk:PriceBandBps", PriceBandBps);
        Positive(errors, "Risk:MaxSlippageBps", MaxSlippageBps);
        foreach (var (symbol, limit) in MaxPositionBySymbol)
        {
            Positive(errors, "Risk:MaxPositionBySymbol:" + symbol, limit);
        }

        PositiveInt(errors, "Risk:MaxOpenOrders", MaxOpenOrders);
        PositiveInt(errors, "Risk:OrdersPerMinute", OrdersPerMinute);
        PositiveInt(errors, "Risk:ConsecutiveFailureLimit", ConsecutiveFailureLimit);
        PositiveInt(errors, "Risk:ConsecutiveRejectLimit", ConsecutiveRejectLimit);
        PositiveInt(errors, "Risk:LatencySpikeMinSamples", LatencySpikeMinSamples);
        if (WorstCaseLossFraction is <= 0m or > 1m)
        {
            errors.Add(Invariant($"Risk:WorstCaseLossFraction must be in (0, 1], got {WorstCaseLossFraction}."));
        }

        if (LatencyThreshold is { } latency && latency <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"Risk:LatencyThreshold must be positive, got {latency}."));
        }

        if (LatencySpikeMultiplier is { } k && !(k > 1d))
        {
            errors.Add(Invariant($"Risk:LatencySpikeMultiplier must be above 1, got {k}."));
        }

        if (!(LatencyEwmaAlpha > 0d && LatencyEwmaAlpha <= 1d))
        {
            errors.Add(Invariant($"Risk:LatencyEwmaAlpha must be in (0, 1], got {LatencyEwmaAlpha}."));
        }

        if (MarketDataMaxAge is { } age && age <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"Risk:MarketDataMaxAge must be positive, got {age}."));
        }

        foreach (var (cause, state) in TripStates)
        {
            if (!TripCauses.All.Contains(cause))
            {
                errors.Add($"Risk:TripStates:{cause}: unknown trip cause; known: {string.Join(", ", TripCauses.All)}.");
            }
            else if (state == TradingState.Active)
            {
                errors.Add($"Risk:TripStates:{cause} must be Halted or Reducing.");
            }
        }

        Session?.Validate(errors);
        StopPlan?.Validate(errors);
        ForcedLiquidation?.Validate(errors);
        return errors;
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem.</summary>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c> listing every problem.</exception>
    public void ValidateOrThrow()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Invalid risk options: " + string.Join(" ", errors));
        }
    }

    /// <summary>The trading state a trip of <paramref name="cause"/> enters: the override in <see cref="TripStates"/> or the built-in default.</summary>
    /// <param name="cause">A trip cause id.</param>
    /// <returns>HALTED or REDUCING.</returns>
    public TradingState TripStateFor(string cause)
        => TripStates.TryGetValue(cause, out var state) ? state
            : cause is TripCauses.SlippageSpike or TripCauses.StaleMarketData ? TradingState.Reducing : TradingState.Halted;

    private static void Positive(List<string> errors, string key, decimal? value)
    {
        if (value is <= 0m)
        {
            errors.Add(Invariant($"{key} must be positive, got {value}."));
        }
    }

    private static void PositiveInt(List<string> errors, string key, int? value)
    {
        if (value is <= 0)
        {
            errors.Add(Invariant($"{key} must be positive, got {value}."));
        }
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The kill switch as configured (<c>Risk:KillSwitch:*</c>).</summary>
public sealed class KillSwitchOptions
{
    /// <summary>
    /// The state when the history is empty (<c>Risk:KillSwitch:InitialState</c>, <c>on</c> or <c>off</c>). When unset,
    /// the kill switch starts ON in phase-0 paper-only mode (<c>Execution:PhaseZero</c>, seed 001) and OFF otherwise.
    /// The latest history record always wins over this.
    /// </summary>
    /// <value>Defaults to null (decided by phase 0).</value>
    public KillSwitchState? InitialState { get; set; }

    /// <summary>Whether a trip that HALTS the guard turns the kill switch on (<c>Risk:KillSwitch:OnTrip</c>).</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool OnTrip { get; set; } = true;

    /// <summary>The state to start in when the history is empty.</summary>
    /// <param name="phaseZero">True in phase-0 paper-only mode.</param>
    /// <returns>The configured state, else ON in phase 0, else OFF.</returns>
    public KillSwitchState ResolveInitialState(bool phaseZero) => InitialState ?? (phaseZero ? KillSwitchState.On : KillSwitchState.Off);
}

/// <summary>What the engine does on a trip (<c>Risk:StopPlan:*</c>, PIPE-260 §7). New orders are always blocked at once.</summary>
public sealed class StopPlanOptions
{
    /// <summary>Whether the engine cancels every open order on a trip (<c>Risk:StopPlan:CancelOpenOrders</c>).</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool CancelOpenOrders { get; set; } = true;

    /// <summary>What happens to positions on a REDUCING trip (<c>Risk:StopPlan:Positions</c>); a HALTED trip always holds them.</summary>
    /// <value>Defaults to <see cref="StopPlanPositionAction.Hold"/>.</value>
    public StopPlanPositionAction Positions { get; set; } = StopPlanPositionAction.Hold;

    /// <summary>For <see cref="StopPlanPositionAction.Reduce"/>, the fraction of each position to close (<c>Risk:StopPlan:ReduceFraction</c>), in (0, 1].</summary>
    /// <value>Defaults to 0.5.</value>
    public decimal ReduceFraction { get; set; } = 0.5m;

    internal void Validate(List<string> errors)
    {
        if (ReduceFraction is <= 0m or > 1m)
        {
            errors.Add(RiskOptions.Invariant($"Risk:StopPlan:ReduceFraction must be in (0, 1], got {ReduceFraction}."));
        }
    }
}

/// <summary>How forced liquidation closes positions (<c>Risk:ForcedLiquidation:*</c>, SC-008, EC-003).</summary>
public sealed class ForcedLiquidationOptions
{
    /// <summary>Retries of a close order that filled partly or not at all (<c>Risk:ForcedLiquidation:MaxRetries</c>).</summary>
    /// <value>Defaults to 3 (EC-003).</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Whether close orders are market orders (<c>Risk:ForcedLiquidation:UseMarketOrders</c>); otherwise marketable IOC limit orders.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool UseMarketOrders { get; set; } = true;

    /// <summary>For limit close orders, how far through the last price the limit is set, in bps (<c>Risk:ForcedLiquidation:MarketableLimitOffsetBps</c>).</summary>
    /// <value>Defaults to 50.</value>
    public decimal MarketableLimitOffsetBps { get; set; } = 50m;

    /// <summary>
    /// Symbols whose liquidity measure (for example average daily volume, as passed to the planner) is below this are
    /// illiquid and closed first and earlier (<c>Risk:ForcedLiquidation:IlliquidBelow</c>). Null: none is illiquid, all are
    /// still closed least liquid first.
    /// </summary>
    /// <value>Defaults to null.</value>
    public decimal? IlliquidBelow { get; set; }

    internal void Validate(List<string> errors)
    {
        if (MaxRetries < 0)
        {
            errors.Add(RiskOptions.Invariant($"Risk:ForcedLiquidation:MaxRetries must not be negative, got {MaxRetries}."));
        }

        if (MarketableLimitOffsetBps is < 0m or >= 10_000m)
        {
            errors.Add(RiskOptions.Invariant($"Risk:ForcedLiquidation:MarketableLimitOffsetBps must be in [0, 10000), got {MarketableLimitOffsetBps}."));
        }
    }
}

/// <summary>The trading session in its own time zone (<c>Risk:Session:*</c>).</summary>
public sealed class TradingSessionOptions
{
    /// <summary>The session's time zone id, IANA or Windows (<c>Risk:Session:TimeZone</c>, for example <c>Asia/Seoul</c>). Null disables session rules.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The local opening time (<c>Risk:Session:Open</c>, for example <c>09:00:00</c>).</summary>
    public TimeSpan? Open { get; set; }

    /// <summary>The local closing time (<c>Risk:Session:Close</c>, for example <c>15:30:00</c>); after <see cref="Open"/> on the same day.</summary>
    public TimeSpan? Close { get; set; }

    /// <summary>The trading days (<c>Risk:Session:TradingDays:0=Monday</c>, ...).</summary>
    /// <value>Defaults to null, meaning Monday to Friday.</value>
    public DayOfWeek[]? TradingDays { get; set; }

    /// <summary>
    /// Δ for the no-new-entry cutoff (<c>Risk:Session:NoNewEntriesBeforeClose</c>): from close − Δ only orders that
    /// reduce a position are allowed.
    /// </summary>
    /// <value>Defaults to 15 minutes (seed 002: 10 to 15 minutes before close).</value>
    public TimeSpan NoNewEntriesBeforeClose { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Δ for forced liquidation (<c>Risk:Session:ForcedLiquidationBeforeClose</c>, SC-008): from close − Δ every position
    /// is closed. Null disables forced liquidation.
    /// </summary>
    /// <value>Defaults to null.</value>
    public TimeSpan? ForcedLiquidationBeforeClose { get; set; }

    /// <summary>How much earlier than the forced-liquidation cutoff illiquid symbols are closed (<c>Risk:Session:IlliquidLeadTime</c>).</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan IlliquidLeadTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when a time zone is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(TimeZone);

    internal void Validate(List<string> errors)
    {
        if (!IsConfigured)
        {
            return;
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(TimeZone!);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"Risk:Session:TimeZone '{TimeZone}' is not a known time zone id.");
        }

        if (Open is not { } open || Close is not { } close)
        {
            errors.Add("Risk:Session:Open and Risk:Session:Close are required when Risk:Session:TimeZone is set.");
            return;
        }

        if (open < TimeSpan.Zero || close > TimeSpan.FromDays(1) || open >= close)
        {
            errors.Add(RiskOptions.Invariant($"Risk:Session: need 00:00 <= Open < Close <= 24:00 on one day, got {open} - {close}."));
        }

        var length = close - open;
        if (NoNewEntriesBeforeClose < TimeSpan.Zero || NoNewEntriesBeforeClose > length)
        {
            errors.Add(RiskOptions.Invariant($"Risk:Session:NoNewEntriesBeforeClose must be between 0 and the session length, got {NoNewEntriesBeforeClose}."));
        }

        if (ForcedLiquidationBeforeClose is { } liquidation && (liquidation <= TimeSpan.Zero || liquidation > length))
        {
            errors.Add(RiskOptions.Invariant($"Risk:Session:ForcedLiquidationBeforeClose must be positive and within the session, got {liquidation}."));
        }

        if (IlliquidLeadTime < TimeSpan.Zero)
        {
            errors.Add(RiskOptions.Invariant($"Risk:Session:IlliquidLeadTime must not be negative, got {IlliquidLeadTime}."));
        }
    }
}

/// <summary>Validates <see cref="RiskOptions"/> at start-up when registered with <c>AddOptionsWithValidateOnStart</c>.</summary>
public sealed class RiskOptionsValidator : IValidateOptions<RiskOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RiskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
