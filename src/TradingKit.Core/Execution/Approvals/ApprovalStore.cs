namespace TradingKit.Execution.Approvals;

/// <summary>
/// Where proposals and approvals are kept. Only token hashes are stored. Status changes and token use are
/// compare-and-set so two concurrent placements cannot both use one token.
/// </summary>
public interface IApprovalStore
{
    /// <summary>Adds a proposal.</summary>
    /// <param name="proposal">The proposal.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when added; false when the id already exists.</returns>
    ValueTask<bool> TryAddProposalAsync(Proposal proposal, CancellationToken cancellationToken = default);

    /// <summary>Reads a proposal.</summary>
    /// <param name="id">The proposal id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The proposal, or null.</returns>
    ValueTask<Proposal?> GetProposalAsync(ProposalId id, CancellationToken cancellationToken = default);

    /// <summary>Moves a proposal from <paramref name="expected"/> to <paramref name="next"/> if it is still in <paramref name="expected"/>.</summary>
    /// <param name="id">The proposal id.</param>
    /// <param name="expected">The status it must be in.</param>
    /// <param name="next">The new status.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when changed.</returns>
    ValueTask<bool> TryUpdateProposalStatusAsync(ProposalId id, ProposalStatus expected, ProposalStatus next, CancellationToken cancellationToken = default);

    /// <summary>Adds an approval record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when stored.</returns>
    ValueTask AddApprovalAsync(ApprovalRecord record, CancellationToken cancellationToken = default);

    /// <summary>Finds the approval issued with a token.</summary>
    /// <param name="tokenHash">The token's hash.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<ApprovalRecord?> GetApprovalByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default);

    /// <summary>Marks a token used if it is still unused.</summary>
    /// <param name="tokenHash">The token's hash.</param>
    /// <param name="usedAt">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when this call marked it; false when it was already used or is unknown.</returns>
    ValueTask<bool> TryMarkTokenUsedAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken = default);
}

/// <summary>The in-memory <see cref="IApprovalStore"/>.</summary>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ProposalId, Proposal> _proposals = [];
    private readonly Dictionary<string, ApprovalRecord> _approvals = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<bool> TryAddProposalAsync(Proposal proposal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        lock (_lock)
        {
            return ValueTask.FromResult(_proposals.TryAdd(proposal.Id, proposal));
        }
    }

    /// <inheritdoc />
    public ValueTask<Proposal?> GetProposalAsync(ProposalId id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_proposals.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateProposalStatusAsync(ProposalId id, ProposalStatus expected, ProposalStatus next, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_proposals.TryGetValue(id, out var proposal) || proposal.Status != expected)
            {
                return ValueTask.FromResult(false);
            }

            _proposals[id] = proposal with { Status = next };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask AddApprovalAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            _approvals.Add(record.TokenHash, record);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ApprovalRecord?> GetApprovalByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_approvals.GetValueOrDefault(tokenHash));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryMarkTokenUsedAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_approvals.TryGetValue(tokenHash, out var record) || record.UsedAt is not null)
            {
                return ValueTask.FromResult(false);
            }

            _approvals[tokenHash] = record with { UsedAt = usedAt };
            return ValueTask.FromResult(true);
        }
    }
}
