using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Orders;

namespace TradingKit.Execution.Approvals;

/// <summary>Identifies a proposal (an order intent waiting for human approval).</summary>
/// <param name="Value">The id text.</param>
public readonly record struct ProposalId(string Value)
{
    /// <summary>The id text.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "proposal id");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Where a proposal is in the approval flow.</summary>
public enum ProposalStatus
{
    /// <summary>Waiting for a decision.</summary>
    Pending = 0,

    /// <summary>Approved; a token was issued.</summary>
    Approved = 1,

    /// <summary>Rejected; it will never be placed.</summary>
    Rejected = 2,

    /// <summary>Its token was used and the order handed to the venue.</summary>
    Executed = 3,
}

/// <summary>An order intent waiting for approval (seed 001). Its payload hash binds the approval token to exactly this order.</summary>
/// <param name="Id">The proposal id.</param>
/// <param name="Order">The order that would be placed.</param>
/// <param name="Reason">Why the strategy proposes it (its reason codes).</param>
/// <param name="CreatedAt">When it was proposed.</param>
/// <param name="Status">Where it is in the flow.</param>
public sealed record Proposal(ProposalId Id, OrderRequest Order, string Reason, DateTimeOffset CreatedAt, ProposalStatus Status)
{
    /// <summary>The SHA-256 (lower-case hex) of the order's canonical form.</summary>
    public string PayloadHash { get; } = ComputePayloadHash(Order);

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

/// <summary>An approval as stored: only the token's hash, never the token.</summary>
/// <param name="ProposalId">The approved proposal.</param>
/// <param name="TokenHash">SHA-256 (lower-case hex) of the issued token.</param>
/// <param name="PayloadHash">The proposal's payload hash at approval.</param>
/// <param name="ApprovedBy">The approver.</param>
/// <param name="ApprovedAt">When.</param>
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
