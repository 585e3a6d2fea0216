using System.Collections.Immutable;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Events;

/// <summary>
/// A strategy decision (L20, OBS-500), including "no trade": why it bought, or why it did not. Type name
/// <c>decision_recorded</c>.
/// </summary>
public sealed record DecisionRecorded : ITradingEvent
{
    private readonly ImmutableArray<string> _reasonCodes = [];

    /// <summary>The deciding strategy.</summary>
    public required StrategyId StrategyId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>What it decided: <c>buy</c>, <c>sell</c>, <c>close</c> or <c>hold</c> (no trade).</summary>
    public required string Action { get; init; }

    /// <summary>The reasons, as stable codes (for example <c>BREAKOUT_20D</c>, <c>SPREAD_TOO_WIDE</c>).</summary>
    public required ImmutableArray<string> ReasonCodes
    {
        get => _reasonCodes;
        init => _reasonCodes = value.IsDefault ? [] : value;
    }

    /// <summary>The bar or tick time the decision was made on; an input of the client order id.</summary>
    public required DateTimeOffset DecisionTime { get; init; }

    /// <summary>The intended quantity, when the decision trades.</summary>
    public required decimal? Quantity { get; init; }

    /// <summary>The reference price the decision saw.</summary>
    public required decimal? ReferencePrice { get; init; }

    /// <summary>The intent key the order intent will carry, when the decision trades.</summary>
    public required string? IntentKey { get; init; }
}

/// <summary>The end-of-period summary (L80, OBS-520). Type name <c>session_summary_recorded</c>.</summary>
public sealed record SessionSummaryRecorded : ITradingEvent
{
    /// <summary>The session summarised.</summary>
    public required SessionId SessionId { get; init; }

    /// <summary>The trading day summarised.</summary>
    public required DateOnly TradingDay { get; init; }

    /// <summary>Completed round-trip trades.</summary>
    public required int TradeCount { get; init; }

    /// <summary>Trades with a positive realised PnL.</summary>
    public required int WinCount { get; init; }

    /// <summary>Realised PnL after fees.</summary>
    public required decimal RealizedPnl { get; init; }

    /// <summary>Fees paid.</summary>
    public required decimal Fees { get; init; }

    /// <summary>The worst single trade's PnL (negative for a loss).</summary>
    public required decimal MaxLoss { get; init; }

    /// <summary>The largest peak-to-trough equity drop, as a positive amount.</summary>
    public required decimal MaxDrawdown { get; init; }

    /// <summary>Median slippage in basis points.</summary>
    public required decimal SlippageBpsP50 { get; init; }
}

/// <summary>A trade proposal awaits human approval (seed 001). Type name <c>proposal_created</c>.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="StrategyId">The proposing strategy.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">The proposed quantity.</param>
/// <param name="LimitPrice">The proposed limit price; null for a market order.</param>
/// <param name="ConfigHash">The hash of the parameters that produced it, for reproducibility.</param>
public sealed record ProposalCreated(string ProposalId, StrategyId StrategyId, Symbol Symbol, OrderSide Side, decimal Quantity, decimal? LimitPrice, string ConfigHash) : ITradingEvent;

/// <summary>An operator approved a proposal; it may execute once before it expires (seed 001). Type name <c>proposal_approved</c>.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="Actor">Who approved it.</param>
/// <param name="ExpiresAt">When the approval lapses.</param>
public sealed record ProposalApproved(string ProposalId, string Actor, DateTimeOffset ExpiresAt) : ITradingEvent;

/// <summary>An operator rejected a proposal (seed 001). Type name <c>proposal_rejected</c>.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="Actor">Who rejected it.</param>
/// <param name="Reason">Why.</param>
public sealed record ProposalRejected(string ProposalId, string Actor, string Reason) : ITradingEvent;
