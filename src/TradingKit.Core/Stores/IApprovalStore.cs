using TradingKit.Domain;

namespace TradingKit.Stores;

/// <summary>The states of a proposal.</summary>
public enum ProposalStatus : byte
{
    /// <summary>Waiting for a decision.</summary>
    Pending = 0,

    /// <summary>Approved; its token may be used once before it expires.</summary>
    Approved = 1,

    /// <summary>Rejected. Terminal.</summary>
    Rejected = 2,

    /// <summary>Its approval token was used. Terminal.</summary>
    Executed = 3,
}

/// <summary>A proposed action waiting for a human decision (seed 001's <c>proposals</c>).</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="PayloadJson">What is proposed, as JSON text kept exactly as given.</param>
/// <param name="Status">Its status.</param>
/// <param name="CorrelationId">Ties proposal, approval, order and fills together.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="DecidedBy">Who approved or rejected it.</param>
/// <param name="DecidedAt">When.</param>
/// <param name="Reason">The rejection reason.</param>
public sealed record Proposal(Guid ProposalId, string PayloadJson, ProposalStatus Status, CorrelationId CorrelationId, DateTimeOffset CreatedAt,
    string? DecidedBy, DateTimeOffset? DecidedAt, string? Reason);

/// <summary>An approval of a proposal (seed 001's <c>approvals</c>): only the hash of the single-use token is stored.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="Approver">Who approved.</param>
/// <param name="TokenHash">The hash of the token the executor will present.</param>
/// <param name="ApprovedAt">When.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
/// <param name="UsedAt">When the token was used, once used.</param>
public sealed record Approval(Guid ProposalId, string Approver, string TokenHash, DateTimeOffset ApprovedAt, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);

/// <summary>The outcome of presenting an approval token.</summary>
public enum TokenUseOutcome : byte
{
    /// <summary>Accepted: this call used it.</summary>
    Used = 0,

    /// <summary>Refused: it was already used.</summary>
    AlreadyUsed = 1,

    /// <summary>Refused: it expired.</summary>
    Expired = 2,

    /// <summary>Refused: no approval has this token hash.</summary>
    Unknown = 3,
}

/// <summary>
/// Proposals and their approvals. A token is single-use: of any number of concurrent <see cref="MarkTokenUsedAsync"/> calls exactly
/// one gets <see cref="TokenUseOutcome.Used"/>. Expiry is judged on the store's <see cref="TimeProvider"/>.
/// </summary>
public interface IApprovalStore
{
    /// <summary>Creates a pending proposal, or returns the stored one with the same id.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="payloadJson">What is proposed: well-formed JSON.</param>
    /// <param name="correlationId">The correlation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The proposal and whether this call created it.</returns>
    ValueTask<(Proposal Proposal, bool Created)> CreateProposalAsync(Guid proposalId, string payloadJson, CorrelationId correlationId, CancellationToken cancellationToken = default);

    /// <summary>A proposal, or null.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The proposal.</returns>
    ValueTask<Proposal?> GetProposalAsync(Guid proposalId, CancellationToken cancellationToken = default);

    /// <summary>Proposals, oldest first, optionally only those in one status.</summary>
    /// <param name="status">The status, or null for all.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The proposals.</returns>
    ValueTask<IReadOnlyList<Proposal>> ListProposalsAsync(ProposalStatus? status = null, int maxCount = 100, CancellationToken cancellationToken = default);

    /// <summary>Approves a pending proposal and records the token hash.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="approver">Who.</param>
    /// <param name="tokenHash">The token's hash (never the token).</param>
    /// <param name="expiresAt">When the token stops being accepted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The approval.</returns>
    /// <exception cref="Errors.TradingKitException"><c>PROPOSAL_NOT_FOUND</c> or <c>PROPOSAL_NOT_PENDING</c>.</exception>
    ValueTask<Approval> ApproveAsync(Guid proposalId, string approver, string tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Approves again a proposal that is APPROVED but whose token was never used (its placement was refused, by the kill
    /// switch for one, or its process stopped before using it): the approval gets the new token hash, approver and expiry,
    /// and the old token stops being accepted, atomically.
    /// </summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="approver">Who.</param>
    /// <param name="tokenHash">The new token's hash (never the token).</param>
    /// <param name="expiresAt">When the new token stops being accepted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The approval as it now stands.</returns>
    /// <exception cref="Errors.TradingKitException"><c>PROPOSAL_NOT_FOUND</c>, or <c>PROPOSAL_NOT_PENDING</c> when it is not APPROVED or its token was used.</exception>
    ValueTask<Approval> ReapproveAsync(Guid proposalId, string approver, string tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Rejects a pending proposal.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="decidedBy">Who.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejected proposal.</returns>
    /// <exception cref="Errors.TradingKitException"><c>PROPOSAL_NOT_FOUND</c> or <c>PROPOSAL_NOT_PENDING</c>.</exception>
    ValueTask<Proposal> RejectAsync(Guid proposalId, string decidedBy, string reason, CancellationToken cancellationToken = default);

    /// <summary>The approval of a proposal, or null.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The approval.</returns>
    ValueTask<Approval?> GetApprovalAsync(Guid proposalId, CancellationToken cancellationToken = default);

    /// <summary>Uses an approval token once, atomically; on success the proposal becomes <see cref="ProposalStatus.Executed"/>.</summary>
    /// <param name="tokenHash">The presented token's hash.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome, and the approval when one has this hash.</returns>
    ValueTask<(TokenUseOutcome Outcome, Approval? Approval)> MarkTokenUsedAsync(string tokenHash, CancellationToken cancellationToken = default);
}
