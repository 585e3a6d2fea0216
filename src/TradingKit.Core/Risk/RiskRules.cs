using TradingKit.Domain;

namespace TradingKit.Risk;

/// <summary>
/// One pre-trade rule of the <see cref="RiskGuard"/>. Rules run on the engine loop (single-threaded) in order; the
/// first denial wins. <see cref="Check"/> must not allocate when it allows: build the denial message only when denying.
/// </summary>
public interface IPreTradeRule
{
    /// <summary>The rule's stable id (for example <c>max_order_notional</c>), written to the journal with every denial.</summary>
    string Id { get; }

    /// <summary>The rule's threshold, for display and the journal.</summary>
    decimal Threshold { get; }

    /// <summary>Checks one order.</summary>
    /// <param name="context">The order and what is known around it.</param>
    /// <returns><see cref="RiskDecision.Allow"/>, or a denial carrying this rule's id, a code, the threshold and the observed value.</returns>
    RiskDecision Check(in PreTradeContext context);

    /// <summary>Told when every rule allowed the order, so stateful rules (rate limits) can count it. Denied orders are never counted.</summary>
    /// <param name="context">The allowed order.</param>
    void OnAllowed(in PreTradeContext context)
    {
    }
}

/// <summary>
/// One trip condition of the <see cref="RiskGuard"/>, evaluated after every fill, on every timer tick and when the
/// engine records a submit outcome, a latency or a slippage sample. A condition trips at most once until
/// <see cref="RiskGuard.Reset"/>.
/// </summary>
public interface ITripCondition
{
    /// <summary>The cause id (for example <c>daily_loss</c>), written to the risk event.</summary>
    string Id { get; }

    /// <summary>The trading state a trip enters.</summary>
    TradingState TripState { get; }

    /// <summary>Evaluates the condition.</summary>
    /// <param name="context">The portfolio and execution quality now.</param>
    /// <returns>Null when all is well; otherwise what tripped (cause, threshold, observed).</returns>
    TripObservation? Evaluate(in TripContext context);
}

/// <summary>What a trip condition saw when it tripped.</summary>
/// <param name="Threshold">The condition's threshold.</param>
/// <param name="Observed">The value that broke it.</param>
/// <param name="Message">A readable explanation.</param>
public readonly record struct TripObservation(decimal Threshold, decimal Observed, string Message);

/// <summary>Why the guard is evaluating its trip conditions.</summary>
public enum TripTrigger
{
    /// <summary>A fill was applied (L70).</summary>
    Fill = 0,

    /// <summary>A timer tick.</summary>
    Timer = 1,

    /// <summary>A submit outcome was recorded.</summary>
    SubmissionOutcome = 2,

    /// <summary>A new latency sample was recorded.</summary>
    Latency = 3,

    /// <summary>A new slippage sample was recorded.</summary>
    Slippage = 4,
}

/// <summary>How one order submission ended, as the engine reports it to <see cref="RiskGuard.RecordSubmitOutcome"/>.</summary>
public enum SubmissionOutcome
{
    /// <summary>The venue accepted the order: both consecutive counters reset.</summary>
    Accepted = 0,

    /// <summary>The venue rejected the order (a permanent answer).</summary>
    Rejected = 1,

    /// <summary>The submission failed: timeout, transport error, retries exhausted or unknown outcome.</summary>
    Failed = 2,
}

/// <summary>The inputs of a trip condition.</summary>
public readonly record struct TripContext
{
    /// <summary>The engine time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Why the conditions are evaluated.</summary>
    public required TripTrigger Trigger { get; init; }

    /// <summary>The portfolio as last seen by the guard.</summary>
    public RiskPortfolioView Portfolio { get; init; }

    /// <summary>The execution-quality figures.</summary>
    public ExecutionQuality Quality { get; init; }
}

/// <summary>Execution-quality figures the guard keeps from what the engine records; carried on every risk event.</summary>
public readonly record struct ExecutionQuality
{
    /// <summary>Submissions recorded.</summary>
    public long Submissions { get; init; }

    /// <summary>Rejected submissions recorded.</summary>
    public long Rejects { get; init; }

    /// <summary>Failed submissions recorded.</summary>
    public long Failures { get; init; }

    /// <summary>Failed submissions since the last accepted one.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Rejected submissions since the last accepted one.</summary>
    public int ConsecutiveRejects { get; init; }

    /// <summary>The newest latency sample.</summary>
    public TimeSpan? LastLatency { get; init; }

    /// <summary>The EWMA of the latency samples before the newest one.</summary>
    public TimeSpan? LatencyEwma { get; init; }

    /// <summary>How many latency samples came before the newest one.</summary>
    public int LatencySamplesBefore { get; init; }

    /// <summary>The newest slippage sample, in basis points (positive = adverse).</summary>
    public decimal? LastSlippageBps { get; init; }

    /// <summary>The worst slippage sample seen, in basis points.</summary>
    public decimal? WorstSlippageBps { get; init; }

    /// <summary>The symbol whose market data is oldest, among those recorded.</summary>
    public Symbol? OldestMarketDataSymbol { get; init; }

    /// <summary>When <see cref="OldestMarketDataSymbol"/> last had data.</summary>
    public DateTimeOffset? OldestMarketDataAt { get; init; }

    /// <summary>Rejects ÷ submissions, or 0 before any submission.</summary>
    public decimal RejectRate => Submissions == 0 ? 0m : (decimal)Rejects / Submissions;
}
