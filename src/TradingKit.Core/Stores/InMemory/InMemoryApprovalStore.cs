using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Stores.InMemory;

/// <summary>The embedded proposals and approvals store.</summary>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (Proposal Proposal, long Sequence)> _proposals = [];
    private readonly Dictionary<Guid, Approval> _approvals = [];
    private readonly Dictionary<string, Guid> _byTokenHash = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _sequence;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock expiry is judged on; the system clock when null.</param>
    public InMemoryApprovalStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<(Proposal Proposal, bool Created)> CreateProposalAsync(Guid proposalId, string payloadJson, CorrelationId correlationId, CancellationToken cancellationToken = default)
    {
        JsonText.EnsureWellFormed(payloadJson, nameof(payloadJson));
        lock (_gate)
        {
            if (_proposals.TryGetValue(proposalId, out var existing))
            {
                return ValueTask.FromResult((existing.Proposal, false));
            }

            var proposal = new Proposal(proposalId, payloadJson, ProposalStatus.Pending, correlationId, _timeProvider.GetUtcNow(), null, null, null);
            _proposals.Add(proposalId, (proposal, ++_sequence));
            return ValueTask.FromResult((proposal, true));
        }
    }

    /// <inheritdoc />
    public ValueTask<Proposal?> GetProposalAsync(Guid proposalId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_proposals.TryGetValue(proposalId, out var stored) ? stored.Proposal : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Proposal>> ListProposalsAsync(ProposalStatus? status = null, int maxCount = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<Proposal>>([.. _proposals.Values
                .Where(p => status is null || p.Proposal.Status == status)
                .OrderBy(p => p.Sequence)
                .Take(maxCount)
                .Select(p => p.Proposal)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<Approval> ApproveAsync(Guid proposalId, string approver, string tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenHash);
        lock (_gate)
        {
            var (proposal, sequence) = Pending(proposalId);
            if (_byTokenHash.ContainsKey(tokenHash))
            {
                throw new ArgumentException("This token hash is already used by another approval; issue a fresh token.", nameof(tokenHash));
            }

            var now = _timeProvider.GetUtcNow();
            var approval = new Approval(proposalId, approver, tokenHash, now, expiresAt, null);
            _approvals.Add(proposalId, approval);
            _byTokenHash.Add(tokenHash, proposalId);
            _proposals[proposalId] = (proposal with { Status = ProposalStatus.Approved, DecidedBy = approver, DecidedAt = now }, sequence);
            return ValueTask.FromResult(approval);
        }
    }

    /// <inheritdoc />
    public ValueTask<Approval> ReapproveAsync(Guid proposalId, string approver, string tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenHash);
        lock (_gate)
        {
            if (!_proposals.TryGetValue(proposalId, out var stored))
            {
                throw new TradingKitException(StoreErrorCodes.ProposalNotFound, $"Proposal {proposalId} is not stored.");
            }

            if (stored.Proposal.Status != ProposalStatus.Approved || !_approvals.TryGetValue(proposalId, out var old) || old.UsedAt is not null)
            {
                throw new TradingKitException(StoreErrorCodes.ProposalNotPending,
                    $"Proposal {proposalId} is {stored.Proposal.Status.ToString().ToUpperInvariant()}; only an approved proposal whose token was never used can be approved again.");
            }

            if (_byTokenHash.TryGetValue(tokenHash, out var other) && other != proposalId)
            {
                throw new ArgumentException("This token hash is already used by another approval; issue a fresh token.", nameof(tokenHash));
            }

            var now = _timeProvider.GetUtcNow();
            var approval = new Approval(proposalId, approver, tokenHash, now, expiresAt, null);
            _byTokenHash.Remove(old.TokenHash);
            _byTokenHash[tokenHash] = proposalId;
            _approvals[proposalId] = approval;
            _proposals[proposalId] = (stored.Proposal with { DecidedBy = approver, DecidedAt = now }, stored.Sequence);
            return ValueTask.FromResult(approval);
        }
    }

    /// <inheritdoc />
    public ValueTask<Proposal> RejectAsync(Guid proposalId, string decidedBy, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_gate)
        {
            var (proposal, sequence) = Pending(proposalId);
            var rejected = proposal with { Status = ProposalStatus.Rejected, DecidedBy = decidedBy, DecidedAt = _timeProvider.GetUtcNow(), Reason = reason };
            _proposals[proposalId] = (rejected, sequence);
            return ValueTask.FromResult(rejected);
        }
    }

    /// <inheritdoc />
    public ValueTask<Approval?> GetApprovalAsync(Guid proposalId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_approvals.TryGetValue(proposalId, out var approval) ? approval : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<(TokenUseOutcome Outcome, Approval? Approval)> MarkTokenUsedAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenHash);
        lock (_gate)
        {
            if (!_byTokenHash.TryGetValue(tokenHash, out var proposalId))
            {
                return ValueTask.FromResult<(TokenUseOutcome, Approval?)>((TokenUseOutcome.Unknown, null));
            }

            var approval = _approvals[proposalId];
            if (approval.UsedAt is not null)
            {
                return ValueTask.FromResult<(TokenUseOutcome, Approval?)>((TokenUseOutcome.AlreadyUsed, approval));
            }

            var now = _timeProvider.GetUtcNow();
            if (now >= approval.ExpiresAt)
            {
                return ValueTask.FromResult<(TokenUseOutcome, Approval?)>((TokenUseOutcome.Expired, approval));
            }

            var used = approval with { UsedAt = now };
            _approvals[proposalId] = used;
            var (proposal, sequence) = _proposals[proposalId];
            _proposals[proposalId] = (proposal with { Status = ProposalStatus.Executed }, sequence);
            return ValueTask.FromResult<(TokenUseOutcome, Approval?)>((TokenUseOutcome.Used, used));
        }
    }

    private (Proposal Proposal, long Sequence) Pending(Guid proposalId)
    {
        if (!_proposals.TryGetValue(proposalId, out var stored))
        {
            throw new TradingKitException(StoreErrorCodes.ProposalNotFound, $"Proposal {proposalId} is not stored.");
        }

        if (stored.Proposal.Status != ProposalStatus.Pending)
        {
            throw new TradingKitException(StoreErrorCodes.ProposalNotPending,
                $"Proposal {proposalId} is already {stored.Proposal.Status.ToString().ToUpperInvariant()}; only a pending proposal can be decided.");
        }

        return stored;
    }
}
