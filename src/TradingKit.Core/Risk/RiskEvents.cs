using TradingKit.Domain;

using TradingKit.Orders;

namespace TradingKit.Risk;

/// <summary>
/// <c>RISK_GUARD_TRIPPED</c>: a trip condition was met. Written to the event log and <c>risk_events.jsonl</c> with the
/// portfolio and execution quality at the moment (PIPE-260 §7).
/// </summary>
/// <param name="Cause">The trip condition (for example <c>daily_loss</c>).</param>
/// <param name="Threshold">Its threshold.</param>
/// <param name="Observed">The value that tripped it.</param>
/// <param name="NewState">The trading state entered.</param>
/// <param name="Message">A readable explanation.</param>
/// <param name="OccurredAt">When, on the engine clock.</param>
/// <param name="Portfolio">The portfolio snapshot.</param>
/// <param name="Quality">The execution-quality figures.</param>
/// <param name="StopPlan">The stop plan the engine executes.</param>
public sealed record RiskTripRecord(
    string Cause,
    decimal Threshold,
    decimal Observed,
    TradingState NewState,
    string Message,
    DateTimeOffset OccurredAt,
    RiskPortfolioView Portfolio,
    ExecutionQuality Quality,
    StopPlan StopPlan);

/// <summary>A pre-trade rule denied an order (seed 002's RiskViolationEvent); the order never reached the venue.</summary>
/// <param name="ClientOrderId">The denied order.</param>
/// <param name="Symbol">Its symbol.</param>
/// <param name="Side">Its side.</param>
/// <param name="Quantity">Its quantity.</param>
/// <param name="ReferencePrice">The price it was valued at, if any.</param>
/// <param name="RuleId">The rule that denied it.</param>
/// <param name="Code">The stable denial code.</param>
/// <param name="Threshold">The rule's threshold.</param>
/// <param name="Observed">The value that broke it.</param>
/// <param name="Message">A readable explanation.</param>
/// <param name="OccurredAt">When, on the engine clock.</param>
/// <param name="Portfolio">The portfolio at the check.</param>
public sealed record RiskCheckDenied(
    ClientOrderId ClientOrderId,
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal? ReferencePrice,
    string RuleId,
    string Code,
    decimal Threshold,
    decimal Observed,
    string Message,
    DateTimeOffset OccurredAt,
    RiskPortfolioView Portfolio)
{
    /// <summary>Builds the record from a check and its denial.</summary>
    /// <param name="context">The checked order.</param>
    /// <param name="decision">The denial.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentException">The decision allowed the order.</exception>
    public static RiskCheckDenied From(in PreTradeContext context, RiskDecision decision)
    {
        if (decision.Allowed)
        {
            throw new ArgumentException("An allowed decision is not a denial.", nameof(decision));
        }

        return new(context.Order.ClientOrderId, context.Order.Symbol, context.Order.Side, context.Order.Quantity, context.ReferencePrice,
            decision.RuleId ?? "unknown", decision.Code ?? "UNKNOWN", decision.Threshold, decision.Observed, decision.Message ?? string.Empty,
            context.Now, context.Portfolio);
    }
}

/// <summary>An operator re-armed the guard after a trip (SAFE → RUNNING is an operator command, never automatic).</summary>
/// <param name="PreviousState">The state before the reset.</param>
/// <param name="Actor">Who reset it.</param>
/// <param name="Reason">Why.</param>
/// <param name="OccurredAt">When, on the engine clock.</param>
public sealed record RiskGuardReset(TradingState PreviousState, string Actor, string Reason, DateTimeOffset OccurredAt);
