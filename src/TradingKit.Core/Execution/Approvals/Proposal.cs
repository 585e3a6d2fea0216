using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Orders;
using TradingKit.Stores;

namespace TradingKit.Execution.Approvals;

/// <summary>Identifies a proposal (an order intent waiting for human approval).</summary>
/// <param name="Value">The id text (the engine uses the intent's deterministic client order id).</param>
public readonly record struct ProposalId(string Value)
{
    /// <summary>The id text.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "proposal id");

    /// <summary>
    /// The key of this proposal in an <see cref="IApprovalStore"/> (a UUID, as seed 001's <c>proposals</c> table keys them):
    /// a name-based UUID (RFC 9562 version 8) from the SHA-256 of the id text, so the same id always has the same key
    /// and a restarted process finds its proposals again.
    /// </summary>
    public Guid StoreId
    {
        get
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes("tradingkit:proposal:" + IdRules.NotBlank(Value, "proposal id")), hash);
            hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
            hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
            return new Guid(hash[..16], bigEndian: true);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Where a proposal came from, kept with it so it is placed for the same strategy after a restart.</summary>
/// <param name="StrategyId">The proposing strategy.</param>
/// <param name="CorrelationId">Ties the proposal, its approval, the order and its fills together.</param>
/// <param name="DecisionPrice">The price the strategy decided at (for slippage), when known.</param>
public sealed record ProposalContext(StrategyId StrategyId, CorrelationId CorrelationId, decimal? DecisionPrice);

/// <summary>
/// An order intent waiting for approval (seed 001), as the <see cref="ApprovalGate"/> reads it from its store. Its payload
/// hash binds the approval token to exactly this order.
/// </summary>
/// <param name="Id">The proposal id.</param>
/// <param name="Order">The order that would be placed.</param>
/// <param name="Reason">Why the strategy proposes it (its reason codes).</param>
/// <param name="CreatedAt">When it was proposed (the store's clock).</param>
/// <param name="Status">Where it is in the flow.</param>
public sealed record OrderProposal(ProposalId Id, OrderRequest Order, string Reason, DateTimeOffset CreatedAt, ProposalStatus Status)
{
    /// <summary>The SHA-256 (lower-case hex) of the order's canonical form.</summary>
    public string PayloadHash => ComputePayloadHash(Order);

    /// <summary>The proposal's key in the store (<see cref="ProposalId.StoreId"/>).</summary>
    public Guid StoreId => Id.StoreId;

    /// <summary>Where it came from, when the proposer said.</summary>
    public ProposalContext? Context { get; init; }

    /// <summary>Who approved or rejected it, once decided.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>When it was decided.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Why it was rejected, when it was.</summary>
    public string? RejectionReason { get; init; }

    /// <summary>The SHA-256 (lower-case hex) of an order's canonical, culture-independent form.</summary>
    /// <param name="order">The order.</param>
    /// <returns>The hash.</returns>
    public static string ComputePayloadHash(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var canonical = string.Join('|',
            "order-v1",
            order.ClientOrderId.ToString(),
            order.Symbol.Value,
            order.Side.ToString(),
            order.Type.ToString(),
            order.Quantity.ToString(CultureInfo.InvariantCulture),
            order.LimitPrice?.ToString(CultureInfo.InvariantCulture) ?? "-",
            order.StopPrice?.ToString(CultureInfo.InvariantCulture) ?? "-",
            order.TrailingOffset?.ToString(CultureInfo.InvariantCulture) ?? "-",
            order.TimeInForce.ToString(),
            order.ExpireAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "-",
            order.ReduceOnly ? "reduce-only" : "-",
            order.PositionSide.ToString());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>An approval as the gate reports it: only the token's hash, never the token.</summary>
/// <param name="ProposalId">The approved proposal.</param>
/// <param name="TokenHash">SHA-256 (lower-case hex) of the issued token.</param>
/// <param name="PayloadHash">The proposal's payload hash at approval (the token is bound to it).</param>
/// <param name="ApprovedBy">The approver.</param>
/// <param name="ApprovedAt">When (the store's clock).</param>
/// <param name="ExpiresAt">When the token stops being valid.</param>
/// <param name="UsedAt">When the token was used, or null while unused.</param>
public sealed record ApprovalRecord(
    ProposalId ProposalId,
    string TokenHash,
    string PayloadHash,
    string ApprovedBy,
    DateTimeOffset ApprovedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? UsedAt);

/// <summary>What <see cref="ApprovalGate.ApproveAsync"/> returns: the token (give it to whoever places the order; it is not stored) and the record.</summary>
/// <param name="Token">The signed, single-use token.</param>
/// <param name="Record">The stored approval.</param>
public sealed record ApprovalGrant(string Token, ApprovalRecord Record);

/// <summary><c>proposal_created</c>: a strategy's intent became a proposal.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="Symbol">Its symbol.</param>
/// <param name="Side">Its side.</param>
/// <param name="Quantity">Its quantity.</param>
/// <param name="PayloadHash">Its payload hash.</param>
/// <param name="Reason">Why it was proposed.</param>
/// <param name="OccurredAt">When.</param>
public sealed record ProposalCreated(ProposalId ProposalId, Symbol Symbol, OrderSide Side, decimal Quantity, string PayloadHash, string Reason, DateTimeOffset OccurredAt) : IApprovalEvent;

/// <summary><c>approval_granted</c>: a proposal was approved and a token issued.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="ApprovedBy">The approver.</param>
/// <param name="TokenHash">The token's hash.</param>
/// <param name="ExpiresAt">The token's expiry.</param>
/// <param name="OccurredAt">When.</param>
public sealed record ApprovalGranted(ProposalId ProposalId, string ApprovedBy, string TokenHash, DateTimeOffset ExpiresAt, DateTimeOffset OccurredAt) : IApprovalEvent;

/// <summary><c>approval_rejected</c>: a proposal was rejected.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="RejectedBy">Who rejected it.</param>
/// <param name="Reason">Why.</param>
/// <param name="OccurredAt">When.</param>
public sealed record ApprovalRejected(ProposalId ProposalId, string RejectedBy, string Reason, DateTimeOffset OccurredAt) : IApprovalEvent;

/// <summary><c>approval_token_used</c>: a token passed every check and its order was handed to the venue.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="TokenHash">The token's hash.</param>
/// <param name="OccurredAt">When.</param>
public sealed record ApprovalTokenUsed(ProposalId ProposalId, string TokenHash, DateTimeOffset OccurredAt) : IApprovalEvent;

/// <summary><c>approval_refused</c>: the execution gate refused a placement; no venue call was made.</summary>
/// <param name="ProposalId">The proposal asked for.</param>
/// <param name="Code">The refusal code (<see cref="ApprovalCodes"/>).</param>
/// <param name="OccurredAt">When.</param>
public sealed record ApprovalRefused(ProposalId ProposalId, string Code, DateTimeOffset OccurredAt) : IApprovalEvent;

/// <summary>
/// Marker for what the approval gate reports (created, granted, rejected, used, refused). The host maps these onto the
/// event catalogue's proposal events when it stores them.
/// </summary>
public interface IApprovalEvent;
