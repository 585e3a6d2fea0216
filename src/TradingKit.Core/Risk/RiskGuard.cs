using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.Orders;

namespace TradingKit.Risk;

/// <summary>
/// The risk guard: pre-trade rules before every submit, trip conditions after every fill, on timer ticks and on
/// recorded execution-quality samples. Runs on the engine loop and is not thread-safe; only the kill switch it
/// reads is shared with other threads.
/// </summary>
/// <remarks>
/// <para>Rule order (first denial wins): <c>kill_switch</c>, <c>trading_state</c>, <c>trading_hours</c>,
/// <c>instrument</c>, <c>price_band</c>, <c>max_order_notional</c>, <c>capital_limit</c>, <c>max_position</c>,
/// <c>max_open_orders</c>, <c>daily_loss</c>, the additional rules, <c>order_rate</c> last (it counts only orders that
/// every rule allowed).</para>
/// <para>With <see cref="RiskOptions.Enabled"/> false only the kill switch rule remains and nothing trips.</para>
/// </remarks>
public sealed class RiskGuard : IRiskGuard
{
    private readonly RiskOptions _options;
    private readonly IPreTradeRule[] _rules;
    private readonly ITripCondition[] _conditions;
    private readonly bool[] _tripped;
    private readonly Dictionary<Symbol, DateTimeOffset> _marketData = [];
    private RiskPortfolioView _portfolio;
    private long _submissions;
    private long _rejects;
    private long _failures;
    private int _consecutiveFailures;
    private int _consecutiveRejects;
    private TimeSpan? _lastLatency;
    private double _latencyEwmaMs;
    private int _latencySamples;
    private double _latencyEwmaBeforeMs;
    private int _latencySamplesBefore;
    private decimal? _lastSlippageBps;
    private decimal? _worstSlippageBps;

    /// <summary>Creates the guard from validated options.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="killSwitch">The kill switch checked as the first rule, or null when the engine checks it elsewhere.</param>
    /// <param name="instruments">The instruments for the tick/step/minimum-notional rule, or null to skip that rule.</param>
    /// <param name="additionalRules">Your own rules, run after the built-in ones and before the order-rate rule.</param>
    /// <param name="additionalConditions">Your own trip conditions.</param>
    /// <param name="session">The trading session; null builds it from <see cref="RiskOptions.Session"/>.</param>
    /// <exception cref="Errors.TradingKitException"><c>INVALID_OPTIONS</c> listing every problem.</exception>
    public RiskGuard(
        RiskOptions options,
        KillSwitch? killSwitch = null,
        IReadOnlyDictionary<Symbol, Instrument>? instruments = null,
        IEnumerable<IPreTradeRule>? additionalRules = null,
        IEnumerable<ITripCondition>? additionalConditions = null,
        TradingSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateOrThrow();
        _options = options;
        Session = session ?? TradingSession.FromOptions(options.Session);

        var rules = new List<IPreTradeRule>();
        if (killSwitch is not null)
        {
            rules.Add(new KillSwitchRule(killSwitch));
        }

        var conditions = new List<ITripCondition>();
        if (options.Enabled)
        {
            AddBuiltInRules(rules, this, options, instruments, Session, additionalRules);
            AddBuiltInConditions(conditions, options);
            conditions.AddRange(additionalConditions ?? []);
        }

        _rules = [.. rules];

        // HALTING conditions first, so when several are met at once the most severe trips first.
        _conditions = [.. conditions.OrderByDescending(c => c.TripState)];
        _tripped = new bool[_conditions.Length];
    }

    /// <inheritdoc />
    public TradingState State { get; private set; } = TradingState.Active;

    /// <summary>True when <see cref="RiskOptions.Enabled"/> is set and the rules run.</summary>
    public bool IsEnabled => _options.Enabled;

    /// <summary>The options the guard runs with.</summary>
    public RiskOptions Options => _options;

    /// <summary>The trading session, or null when none is configured.</summary>
    public TradingSession? Session { get; }

    /// <summary>The ids of the active pre-trade rules, in evaluation order.</summary>
    public IReadOnlyList<string> RuleIds => [.. _rules.Select(r => r.Id)];

    /// <summary>The ids of the active trip conditions.</summary>
    public IReadOnlyList<string> TripConditionIds => [.. _conditions.Select(c => c.Id)];

    /// <summary>The most recent trip, or null since start or the last reset.</summary>
    public RiskTrip? LastTrip { get; private set; }

    /// <summary>The execution-quality figures now.</summary>
    public ExecutionQuality Quality => BuildQuality();

    /// <summary>Adverse slippage of a fill against the expected price, in basis points: positive when the fill is worse.</summary>
    /// <param name="side">The order side.</param>
    /// <param name="expectedPrice">The price the order was valued at when sent (the reference price).</param>
    /// <param name="fillPrice">The fill price.</param>
    /// <returns>The slippage in bps.</returns>
    public static decimal SlippageBps(OrderSide side, decimal expectedPrice, decimal fillPrice)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expectedPrice);
        var diff = side == OrderSide.Buy ? fillPrice - expectedPrice : expectedPrice - fillPrice;
        return diff / expectedPrice * 10_000m;
    }

    /// <inheritdoc />
    public RiskDecision CheckPreTrade(in PreTradeContext context)
    {
        _portfolio = context.Portfolio;
        var rules = _rules;
        for (var i = 0; i < rules.Length; i++)
        {
            var decision = rules[i].Check(in context);
            if (!decision.Allowed)
            {
                return decision;
            }
        }

        for (var i = 0; i < rules.Length; i++)
        {
            rules[i].OnAllowed(in context);
        }

        return RiskDecision.Allow;
    }

    /// <inheritdoc />
    public RiskTrip? OnPostTrade(in PostTradeContext context)
    {
        _portfolio = context.Portfolio;
        return Evaluate(context.Fill is null ? TripTrigger.Timer : TripTrigger.Fill, context.Now);
    }

    /// <inheritdoc />
    public RiskTrip? RecordSubmitOutcome(SubmissionOutcome outcome, DateTimeOffset at)
    {
        _submissions++;
        switch (outcome)
        {
            case SubmissionOutcome.Accepted:
                _consecutiveFailures = 0;
                _consecutiveRejects = 0;
                break;
            case SubmissionOutcome.Rejected:
                _rejects++;
                _consecutiveRejects++;
                break;
            case SubmissionOutcome.Failed:
                _failures++;
                _consecutiveFailures++;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown submit outcome.");
        }

        return Evaluate(TripTrigger.SubmissionOutcome, at);
    }

    /// <inheritdoc />
    public RiskTrip? RecordLatency(TimeSpan latency, DateTimeOffset at)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        _lastLatency = latency;
        _latencyEwmaBeforeMs = _latencyEwmaMs;
        _latencySamplesBefore = _latencySamples;
        var trip = Evaluate(TripTrigger.Latency, at);

        var ms = latency.TotalMilliseconds;
        _latencyEwmaMs = _latencySamples == 0 ? ms : (_options.LatencyEwmaAlpha * ms) + ((1d - _options.LatencyEwmaAlpha) * _latencyEwmaMs);
        _latencySamples++;
        return trip;
    }

    /// <inheritdoc />
    public RiskTrip? RecordSlippageBps(decimal slippageBps, DateTimeOffset at)
    {
        _lastSlippageBps = slippageBps;
        if (_worstSlippageBps is not { } worst || slippageBps > worst)
        {
            _worstSlippageBps = slippageBps;
        }

        return Evaluate(TripTrigger.Slippage, at);
    }

    /// <inheritdoc />
    public void RecordMarketData(Symbol symbol, DateTimeOffset at)
    {
        if (!_marketData.TryGetValue(symbol, out var previous) || at > previous)
        {
            _marketData[symbol] = at;
        }
    }

    /// <summary>Stops watching a symbol's market data (for example after unsubscribing), so it cannot go stale.</summary>
    /// <param name="symbol">The symbol.</param>
    public void ForgetMarketData(Symbol symbol) => _marketData.Remove(symbol);

    /// <summary>
    /// Re-arms the guard after a trip: state ACTIVE, every condition may trip again, consecutive counters and the
    /// newest latency and slippage samples cleared. An operator command, never automatic. A condition that still
    /// holds (a daily loss still above the limit) trips again at the next evaluation.
    /// </summary>
    /// <param name="actor">Who resets it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="at">The engine time.</param>
    /// <returns>The event to journal.</returns>
    public RiskGuardReset Reset(string actor, string reason, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var previous = State;
        State = TradingState.Active;
        Array.Clear(_tripped);
        _consecutiveFailures = 0;
        _consecutiveRejects = 0;
        _lastLatency = null;
        _lastSlippageBps = null;
        LastTrip = null;
        return new RiskGuardReset(previous, actor, reason, at);
    }

    /// <summary>
    /// Puts back what an earlier process of the session counted, so a restart does not start the counters again (start-up
    /// recovery calls it once, before the standing trips are restored): the outcomes of the session's submissions, in log
    /// order (totals for the reject rate; consecutive rejects and failures from <paramref name="consecutiveFrom"/>, the
    /// first outcome after the last operator reset), and the times of the orders it sent (the order-rate window). Nothing
    /// is evaluated: a trip the counters would now cause happens at the next outcome, as it would have without the restart.
    /// </summary>
    /// <param name="outcomes">The session's submission outcomes, oldest first.</param>
    /// <param name="consecutiveFrom">The index of the first outcome after the last reset (0 when none).</param>
    /// <param name="sentAt">When the session's orders were sent, oldest first.</param>
    public void RestoreActivity(IReadOnlyList<SubmissionOutcome> outcomes, int consecutiveFrom, IReadOnlyList<DateTimeOffset> sentAt)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(sentAt);
        ArgumentOutOfRangeException.ThrowIfNegative(consecutiveFrom);
        for (var i = 0; i < outcomes.Count; i++)
        {
            _submissions++;
            var counted = i >= consecutiveFrom;
            switch (outcomes[i])
            {
                case SubmissionOutcome.Accepted when counted:
                    _consecutiveFailures = 0;
                    _consecutiveRejects = 0;
                    break;
                case SubmissionOutcome.Rejected:
                    _rejects++;
                    _consecutiveRejects += counted ? 1 : 0;
                    break;
                case SubmissionOutcome.Failed:
                    _failures++;
                    _consecutiveFailures += counted ? 1 : 0;
                    break;
            }
        }

        foreach (var rule in _rules)
        {
            if (rule is OrderRateRule rate)
            {
                foreach (var at in sentAt)
                {
                    rate.Restore(at);
                }
            }
        }
    }

    /// <summary>
    /// Puts back a trip an earlier process of the session recorded and no operator has reset since (start-up recovery
    /// calls it for each, in log order): the state escalates to the trip's, its condition counts as tripped, and
    /// <see cref="LastTrip"/> is the trip. A restart is never a reset: only <see cref="Reset"/> re-arms the guard. A trip
    /// whose condition is no longer configured still escalates the state.
    /// </summary>
    /// <param name="tripped">The recorded trip.</param>
    /// <param name="occurredAt">When it was recorded.</param>
    /// <returns>The trip as the guard now holds it.</returns>
    public RiskTrip Restore(Events.RiskGuardTripped tripped, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(tripped);
        for (var i = 0; i < _conditions.Length; i++)
        {
            if (string.Equals(_conditions[i].Id, tripped.Cause, StringComparison.Ordinal))
            {
                _tripped[i] = true;
            }
        }

        State = (TradingState)Math.Max((int)State, (int)tripped.NewState);
        LastTrip = new RiskTrip(tripped.Cause, tripped.Threshold, tripped.Observed, State, tripped.Message)
        {
            OccurredAt = occurredAt,
            Portfolio = _portfolio,
            Quality = BuildQuality(),
            StopPlan = StopPlan.For(State, _options),
        };
        return LastTrip;
    }

    private RiskTrip? Evaluate(TripTrigger trigger, DateTimeOffset now)
    {
        if (_conditions.Length == 0)
        {
            return null;
        }

        var context = new TripContext { Now = now, Trigger = trigger, Portfolio = _portfolio, Quality = BuildQuality() };
        for (var i = 0; i < _conditions.Length; i++)
        {
            if (_tripped[i] || _conditions[i].Evaluate(in context) is not { } observed)
            {
                continue;
            }

            _tripped[i] = true;
            var state = (TradingState)Math.Max((int)State, (int)_conditions[i].TripState);
            State = state;
            LastTrip = new RiskTrip(_conditions[i].Id, observed.Threshold, observed.Observed, state, observed.Message)
            {
                OccurredAt = now,
                Portfolio = _portfolio,
                Quality = context.Quality,
                StopPlan = StopPlan.For(state, _options),
            };
            return LastTrip;
        }

        return null;
    }

    private ExecutionQuality BuildQuality()
    {
        Symbol? oldestSymbol = null;
        DateTimeOffset? oldestAt = null;
        foreach (var (symbol, at) in _marketData)
        {
            if (oldestAt is not { } o || at < o)
            {
                oldestAt = at;
                oldestSymbol = symbol;
            }
        }

        return new ExecutionQuality
        {
            Submissions = _submissions,
            Rejects = _rejects,
            Failures = _failures,
            ConsecutiveFailures = _consecutiveFailures,
            ConsecutiveRejects = _consecutiveRejects,
            LastLatency = _lastLatency,
            LatencyEwma = _latencySamplesBefore > 0 ? TimeSpan.FromMilliseconds(_latencyEwmaBeforeMs) : null,
            LatencySamplesBefore = _latencySamplesBefore,
            LastSlippageBps = _lastSlippageBps,
            WorstSlippageBps = _worstSlippageBps,
            OldestMarketDataSymbol = oldestSymbol,
            OldestMarketDataAt = oldestAt,
        };
    }

    private static void AddBuiltInRules(List<IPreTradeRule> rules, IRiskGuard guard, RiskOptions o, IReadOnlyDictionary<Symbol, Instrument>? instruments,
        TradingSession? session, IEnumerable<IPreTradeRule>? additional)
    {
        rules.Add(new TradingStateRule(guard));
        if (session is not null)
        {
            rules.Add(new TradingHoursRule(session));
        }

        if (instruments is not null)
        {
            rules.Add(new InstrumentRule(instruments));
        }

        if (o.PriceBandBps is { } band)
        {
            rules.Add(new PriceBandRule(band));
        }

        if (o.MaxOrderNotional is { } notional)
        {
            rules.Add(new MaxOrderNotionalRule(notional));
        }

        if (o.CapitalLimit is { } capital)
        {
            rules.Add(new CapitalLimitRule(capital));
        }

        if (o.MaxPosition is not null || o.MaxPositionBySymbol.Count > 0)
        {
            rules.Add(new MaxPositionRule(o.MaxPosition, new Dictionary<string, decimal>(o.MaxPositionBySymbol, StringComparer.Ordinal)));
        }

        if (o.MaxOpenOrders is { } open)
        {
            rules.Add(new MaxOpenOrdersRule(open));
        }

        if (o.DailyLossLimit is { } loss)
        {
            rules.Add(new DailyLossRule(loss, o.WorstCaseLossFraction));
        }

        foreach (var rule in additional ?? [])
        {
            ArgumentNullException.ThrowIfNull(rule);
            rules.Add(rule);
        }

        if (o.OrdersPerMinute is { } rate)
        {
            rules.Add(new OrderRateRule(rate));
        }
    }

    private static void AddBuiltInConditions(List<ITripCondition> conditions, RiskOptions o)
    {
        if (o.DailyLossLimit is { } loss)
        {
            conditions.Add(new DailyLossTrip(loss, o.TripStateFor(TripCauses.DailyLoss)));
        }

        if (o.MaxDrawdown is { } drawdown)
        {
            conditions.Add(new DrawdownTrip(drawdown, o.TripStateFor(TripCauses.MaxDrawdown)));
        }

        if (o.ConsecutiveFailureLimit is { } failures)
        {
            conditions.Add(new ConsecutiveFailuresTrip(failures, o.TripStateFor(TripCauses.ConsecutiveFailures)));
        }

        if (o.ConsecutiveRejectLimit is { } rejects)
        {
            conditions.Add(new ConsecutiveRejectsTrip(rejects, o.TripStateFor(TripCauses.ConsecutiveRejects)));
        }

        if (o.MaxSlippageBps is { } slippage)
        {
            conditions.Add(new SlippageSpikeTrip(slippage, o.TripStateFor(TripCauses.SlippageSpike)));
        }

        if (o.LatencyThreshold is { } latency)
        {
            conditions.Add(new LatencyAbsoluteTrip(latency, o.TripStateFor(TripCauses.LatencyAbsolute)));
        }

        if (o.LatencySpikeMultiplier is { } k)
        {
            conditions.Add(new LatencySpikeTrip(k, o.LatencySpikeMinSamples, o.TripStateFor(TripCauses.LatencySpike)));
        }

        if (o.MarketDataMaxAge is { } age)
        {
            conditions.Add(new StaleMarketDataTrip(age, o.TripStateFor(TripCauses.StaleMarketData)));
        }
    }
}
