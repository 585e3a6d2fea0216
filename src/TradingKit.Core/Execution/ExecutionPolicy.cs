using TradingKit.Errors;
using TradingKit.Risk;

namespace TradingKit.Execution;

/// <summary>The execution settings (<c>Execution:*</c>).</summary>
public sealed class ExecutionOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Execution";

    /// <summary>How far orders go (<c>Execution:Mode</c>).</summary>
    /// <value>Defaults to <see cref="ExecutionMode.Disabled"/>.</value>
    public ExecutionMode Mode { get; set; } = ExecutionMode.Disabled;

    /// <summary>
    /// Phase-0 paper-only operation (<c>Execution:PhaseZero</c>, seed 001): live mode is refused and, unless
    /// <c>Risk:KillSwitch:InitialState</c> says otherwise, the kill switch starts ON.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool PhaseZero { get; set; }

    /// <summary>
    /// Approval mode (<c>Execution:RequireApproval</c>, seed 001): strategies' intents become proposals; nothing is sent until an
    /// operator approves one (the <c>ApproveProposal</c> command), and then only through the approval gate's signed, single-use token.
    /// </summary>
    /// <value>Defaults to false.</value>
    public bool RequireApproval { get; set; }
}

/// <summary>What the engine does with an order intent under the execution mode.</summary>
public enum SubmitDisposition
{
    /// <summary>Refuse it with <c>EXECUTION_DISABLED</c> (advisory only).</summary>
    Refuse = 0,

    /// <summary>Journal it as if sent; no venue call (dry run).</summary>
    JournalOnly = 1,

    /// <summary>Send it to the venue (paper or live), after every guard agreed.</summary>
    Send = 2,
}

/// <summary>
/// The execution policy: checked once at start (<see cref="Validate"/>: live needs an enabled, configured risk guard,
/// TEST-711) and asked per order intent (<see cref="Disposition"/>).
/// </summary>
public sealed class ExecutionPolicy
{
    /// <summary>Error code: live mode requested in phase-0 paper-only operation.</summary>
    public const string LiveForbiddenInPhaseZero = "EXECUTION_LIVE_FORBIDDEN_PHASE_ZERO";

    private readonly ExecutionOptions _execution;
    private readonly RiskOptions _risk;
    private readonly IRiskGuard _guard;

    /// <summary>Creates the policy.</summary>
    /// <param name="execution">The execution settings.</param>
    /// <param name="risk">The risk settings.</param>
    /// <param name="guard">The risk guard the engine will call.</param>
    public ExecutionPolicy(ExecutionOptions execution, RiskOptions risk, IRiskGuard guard)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(guard);
        _execution = execution;
        _risk = risk;
        _guard = guard;
    }

    /// <summary>The mode.</summary>
    public ExecutionMode Mode => _execution.Mode;

    /// <summary>What happens to order intents in this mode.</summary>
    public SubmitDisposition Disposition => _execution.Mode switch
    {
        ExecutionMode.Disabled => SubmitDisposition.Refuse,
        ExecutionMode.DryRun => SubmitDisposition.JournalOnly,
        _ => SubmitDisposition.Send,
    };

    /// <summary>True when the risk guard is a real, enabled guard (not the permissive default, not disabled).</summary>
    public bool GuardEnabled => _risk.Enabled && _guard is not PermissiveRiskGuard && _guard is not RiskGuard { IsEnabled: false };

    /// <summary>
    /// Checks the policy at start-up. Live mode refuses to start unless the risk guard is enabled and configured
    /// (<see cref="RiskOptions.IsConfiguredForLive"/>), and is refused outright in phase 0.
    /// </summary>
    /// <exception cref="TradingKitException"><c>LIVE_GUARD_NOT_ENABLED</c> or <c>EXECUTION_LIVE_FORBIDDEN_PHASE_ZERO</c>.</exception>
    public void Validate()
    {
        if (_execution.Mode != ExecutionMode.Live)
        {
            return;
        }

        if (_execution.PhaseZero)
        {
            throw new TradingKitException(LiveForbiddenInPhaseZero, "Execution:Mode is live but Execution:PhaseZero is set: phase 0 is paper only.");
        }

        var missing = new List<string>(_risk.MissingForLive());
        if (_guard is PermissiveRiskGuard)
        {
            missing.Insert(0, "the engine's risk guard is the permissive default");
        }
        else if (_guard is RiskGuard { IsEnabled: false })
        {
            missing.Insert(0, "the engine's risk guard is disabled");
        }

        if (missing.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.LiveGuardNotEnabled,
                "Live mode refuses to start without an enabled, configured risk guard: " + string.Join("; ", missing) + ".");
        }
    }

    /// <summary>Throws when the mode refuses order intents.</summary>
    /// <exception cref="TradingKitException"><c>EXECUTION_DISABLED</c> in disabled (advisory-only) mode.</exception>
    public void EnsureCanSubmit()
    {
        if (Disposition == SubmitDisposition.Refuse)
        {
            throw new TradingKitException(ErrorCodes.ExecutionDisabled,
                "Execution is disabled (advisory only). Set Execution:Mode to dry-run, paper or live to act on order intents.");
        }
    }

    /// <summary>The modes, limits and kill switch state, for <c>ops_metadata.json</c>.</summary>
    /// <param name="killSwitch">The kill switch, if any.</param>
    /// <returns>A plain record the journal serialises.</returns>
    public ExecutionOpsMetadata Describe(KillSwitch? killSwitch)
    {
        var current = killSwitch?.Current;
        var guard = _guard as RiskGuard;
        return new ExecutionOpsMetadata(
            _execution.Mode.ToConfigValue(),
            _execution.PhaseZero,
            GuardEnabled,
            GuardEnabled && _risk.IsConfiguredForLive,
            current is null ? "absent" : current.State == KillSwitchState.On ? "on" : "off",
            current?.Reason,
            current?.Actor,
            current?.OccurredAt,
            RiskLimitsDescription.From(_risk),
            guard?.RuleIds ?? [],
            guard?.TripConditionIds ?? []);
    }
}

/// <summary>The execution part of <c>ops_metadata.json</c>.</summary>
/// <param name="Mode">The execution mode (<c>disabled</c>, <c>dry-run</c>, <c>paper</c>, <c>live</c>).</param>
/// <param name="PhaseZero">Phase-0 paper-only operation.</param>
/// <param name="RiskGuardEnabled">Whether a real risk guard runs.</param>
/// <param name="RiskGuardConfiguredForLive">Whether the limits live mode needs are set.</param>
/// <param name="KillSwitch"><c>on</c>, <c>off</c> or <c>absent</c>.</param>
/// <param name="KillSwitchReason">The reason of the current kill switch state.</param>
/// <param name="KillSwitchActor">Who set it.</param>
/// <param name="KillSwitchSince">Since when.</param>
/// <param name="Limits">The configured limits.</param>
/// <param name="PreTradeRules">The active pre-trade rule ids, in order.</param>
/// <param name="TripConditions">The active trip condition ids.</param>
public sealed record ExecutionOpsMetadata(
    string Mode,
    bool PhaseZero,
    bool RiskGuardEnabled,
    bool RiskGuardConfiguredForLive,
    string KillSwitch,
    string? KillSwitchReason,
    string? KillSwitchActor,
    DateTimeOffset? KillSwitchSince,
    RiskLimitsDescription Limits,
    IReadOnlyList<string> PreTradeRules,
    IReadOnlyList<string> TripConditions);

/// <summary>The configured risk limits, as plain values for the journal (null = disabled).</summary>
/// <param name="DailyLossLimit"><c>Risk:DailyLossLimit</c>.</param>
/// <param name="MaxDrawdown"><c>Risk:MaxDrawdown</c>.</param>
/// <param name="MaxOrderNotional"><c>Risk:MaxOrderNotional</c>.</param>
/// <param name="CapitalLimit"><c>Risk:CapitalLimit</c>.</param>
/// <param name="MaxPosition"><c>Risk:MaxPosition</c>.</param>
/// <param name="MaxOpenOrders"><c>Risk:MaxOpenOrders</c>.</param>
/// <param name="OrdersPerMinute"><c>Risk:OrdersPerMinute</c>.</param>
/// <param name="PriceBandBps"><c>Risk:PriceBandBps</c>.</param>
/// <param name="WorstCaseLossFraction"><c>Risk:WorstCaseLossFraction</c>.</param>
/// <param name="ConsecutiveFailureLimit"><c>Risk:ConsecutiveFailureLimit</c>.</param>
/// <param name="ConsecutiveRejectLimit"><c>Risk:ConsecutiveRejectLimit</c>.</param>
/// <param name="MaxSlippageBps"><c>Risk:MaxSlippageBps</c>.</param>
/// <param name="LatencyThresholdMs"><c>Risk:LatencyThreshold</c> in milliseconds.</param>
/// <param name="LatencySpikeMultiplier"><c>Risk:LatencySpikeMultiplier</c>.</param>
/// <param name="LatencySpikeMinSamples"><c>Risk:LatencySpikeMinSamples</c>.</param>
/// <param name="MarketDataMaxAgeMs"><c>Risk:MarketDataMaxAge</c> in milliseconds.</param>
/// <param name="SessionTimeZone"><c>Risk:Session:TimeZone</c>.</param>
public sealed record RiskLimitsDescription(
    decimal? DailyLossLimit,
    decimal? MaxDrawdown,
    decimal? MaxOrderNotional,
    decimal? CapitalLimit,
    decimal? MaxPosition,
    int? MaxOpenOrders,
    int? OrdersPerMinute,
    decimal? PriceBandBps,
    decimal WorstCaseLossFraction,
    int? ConsecutiveFailureLimit,
    int? ConsecutiveRejectLimit,
    decimal? MaxSlippageBps,
    double? LatencyThresholdMs,
    double? LatencySpikeMultiplier,
    int LatencySpikeMinSamples,
    double? MarketDataMaxAgeMs,
    string? SessionTimeZone)
{
    /// <summary>Copies the limits from options.</summary>
    /// <param name="o">The risk options.</param>
    /// <returns>The description.</returns>
    public static RiskLimitsDescription From(RiskOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.DailyLossLimit, o.MaxDrawdown, o.MaxOrderNotional, o.CapitalLimit, o.MaxPosition, o.MaxOpenOrders, o.OrdersPerMinute,
            o.PriceBandBps, o.WorstCaseLossFraction, o.ConsecutiveFailureLimit, o.ConsecutiveRejectLimit, o.MaxSlippageBps,
            o.LatencyThreshold?.TotalMilliseconds, o.LatencySpikeMultiplier, o.LatencySpikeMinSamples, o.MarketDataMaxAge?.TotalMilliseconds,
            o.Session?.TimeZone);
    }
}
