using Npgsql;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// Proposals and approvals on PostgreSQL (seed 001). A token is used with one conditional <c>UPDATE … WHERE used_at IS NULL AND
/// expires_at &gt; now</c>, so of concurrent callers exactly one succeeds; "now" is the injected clock's time.
/// </summary>
public sealed class PostgresApprovalStore : IApprovalStore
{
    private const string ProposalColumns = "proposal_id, payload::text, status, correlation_id, created_at, decided_by, decided_at, reason";
    private const string ApprovalColumns = "proposal_id, approver, token_hash, approved_at, expires_at, used_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the store.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="timeProvider">The clock expiry is judged on; the system clock when null.</param>
    public PostgresApprovalStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<(Proposal Proposal, bool Created)> CreateProposalAsync(Guid proposalId, string payloadJson, CorrelationId correlationId, CancellationToken cancellationToken = default)
    {
        JsonText.EnsureWellFormed(payloadJson, nameof(payloadJson));
        await using (var insert = Sql.Command(_dataSource, $"""
            INSERT INTO proposals (proposal_id, payload, status, correlation_id, created_at) VALUES ($1, $2::json, 'PENDING', $3, $4)
            ON CONFLICT (proposal_id) DO NOTHING RETURNING {ProposalColumns}
            """, proposalId, payloadJson, correlationId.Value, _timeProvider.GetUtcNow()))
        {
            var created = await Sql.SingleOrDefaultAsync(insert, ReadProposal, cancellationToken).ConfigureAwait(false);
            if (created is not null)
            {
                return (created, true);
            }
        }

        return ((await GetProposalAsync(proposalId, cancellationToken).ConfigureAwait(false))!, false);
    }

    /// <inheritdoc />
    public async ValueTask<Proposal?> GetProposalAsync(Guid proposalId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {ProposalColumns} FROM proposals WHERE proposal_id = $1", proposalId);
        return await Sql.SingleOrDefaultAsync(command, ReadProposal, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Proposal>> ListProposalsAsync(ProposalStatus? status = null, int maxCount = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var command = Sql.Command(_dataSource,
            $"SELECT {ProposalColumns} FROM proposals WHERE $1::text IS NULL OR status = $1 ORDER BY sequence LIMIT $2",
            Sql.Typed(status is null ? null : Name(status.Value), NpgsqlTypes.NpgsqlDbType.Text), maxCount);
        return await Sql.ListAsync(command, ReadProposal, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Approval> ApproveAsync(Guid proposalId, string approver, string tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenHash);
        var now = _timeProvider.GetUtcNow();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using (var decide = Sql.Command(connection, transaction,
                    "UPDATE proposals SET status = 'APPROVED', decided_by = $2, decided_at = $3 WHERE proposal_id = $1 AND status = 'PENDING'",
                    proposalId, approver, now))
                {
                    if (await decide.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        throw await NotPendingAsync(connection, transaction, proposalId, cancellationToken).ConfigureAwait(false);
                    }
                }

                await using var insert = Sql.Command(connection, transaction,
                    $"INSERT INTO approvals ({ApprovalColumns}) VALUES ($1, $2, $3, $4, $5, NULL) RETURNING {ApprovalColumns}",
                    proposalId, approver, tokenHash, now, expiresAt);
                Approval approval;
                try
                {
                    approval = (await Sql.SingleOrDefaultAsync(insert, ReadApproval, cancellationToken).ConfigureAwait(false))!;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    throw new ArgumentException("This token hash is already used by another approval; issue a fresh token.", nameof(tokenHash), e);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return approval;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<Approval> ReapproveAsync(Guid proposalId, string approver, string tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenHash);
        var now = _timeProvider.GetUtcNow();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // The proposal row is locked first, so a token use racing this (it updates the same rows) waits or wins.
                await using (var decide = Sql.Command(connection, transaction,
                    "UPDATE proposals SET decided_by = $2, decided_at = $3 WHERE proposal_id = $1 AND status = 'APPROVED'", proposalId, approver, now))
                {
                    if (await decide.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        throw await NotReapprovableAsync(connection, transaction, proposalId, cancellationToken).ConfigureAwait(false);
                    }
                }

                await using var update = Sql.Command(connection, transaction, $"""
                    UPDATE approvals SET approver = $2, token_hash = $3, approved_at = $4, expires_at = $5
                     WHERE proposal_id = $1 AND used_at IS NULL RETURNING {ApprovalColumns}
                    """, proposalId, approver, tokenHash, now, expiresAt);
                Approval? approval;
                try
                {
                    approval = await Sql.SingleOrDefaultAsync(update, ReadApproval, cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    throw new ArgumentException("This token hash is already used by another approval; issue a fresh token.", nameof(tokenHash), e);
                }

                if (approval is null)
                {
                    throw await NotReapprovableAsync(connection, transaction, proposalId, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return approval;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<Proposal> RejectAsync(Guid proposalId, string decidedBy, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = Sql.Command(connection, null, $"""
                UPDATE proposals SET status = 'REJECTED', decided_by = $2, decided_at = $3, reason = $4
                 WHERE proposal_id = $1 AND status = 'PENDING' RETURNING {ProposalColumns}
                """, proposalId, decidedBy, _timeProvider.GetUtcNow(), reason);
            return await Sql.SingleOrDefaultAsync(command, ReadProposal, cancellationToken).ConfigureAwait(false)
                ?? throw await NotPendingAsync(connection, null, proposalId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<Approval?> GetApprovalAsync(Guid proposalId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {ApprovalColumns} FROM approvals WHERE proposal_id = $1", proposalId);
        return await Sql.SingleOrDefaultAsync(command, ReadApproval, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<(TokenUseOutcome Outcome, Approval? Approval)> MarkTokenUsedAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenHash);
        var now = _timeProvider.GetUtcNow();
        await using (var use = Sql.Command(_dataSource, $"""
            WITH used AS (
                UPDATE approvals SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                RETURNING {ApprovalColumns}),
            executed AS (
                UPDATE proposals SET status = 'EXECUTED' WHERE proposal_id IN (SELECT proposal_id FROM used))
            SELECT {ApprovalColumns} FROM used
            """, tokenHash, now))
        {
            var used = await Sql.SingleOrDefaultAsync(use, ReadApproval, cancellationToken).ConfigureAwait(false);
            if (used is not null)
            {
                return (TokenUseOutcome.Used, used);
            }
        }

        await using var select = Sql.Command(_dataSource, $"SELECT {ApprovalColumns} FROM approvals WHERE token_hash = $1", tokenHash);
        var approval = await Sql.SingleOrDefaultAsync(select, ReadApproval, cancellationToken).ConfigureAwait(false);
        return approval switch
        {
            null => (TokenUseOutcome.Unknown, null),
            { UsedAt: not null } => (TokenUseOutcome.AlreadyUsed, approval),
            _ => (TokenUseOutcome.Expired, approval),
        };
    }

    private static string Name(ProposalStatus status) => status.ToString().ToUpperInvariant();

    private static async Task<TradingKitException> NotPendingAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid proposalId, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction, "SELECT status FROM proposals WHERE proposal_id = $1", proposalId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string status
            ? new TradingKitException(StoreErrorCodes.ProposalNotPending, $"Proposal {proposalId} is already {status}; only a pending proposal can be decided.")
            : new TradingKitException(StoreErrorCodes.ProposalNotFound, $"Proposal {proposalId} is not stored.");
    }

    private static async Task<TradingKitException> NotReapprovableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid proposalId,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction, "SELECT status FROM proposals WHERE proposal_id = $1", proposalId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string status
            ? new TradingKitException(StoreErrorCodes.ProposalNotPending,
                $"Proposal {proposalId} is {status}; only an approved proposal whose token was never used can be approved again.")
            : new TradingKitException(StoreErrorCodes.ProposalNotFound, $"Proposal {proposalId} is not stored.");
    }

    private static Proposal ReadProposal(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), Enum.Parse<ProposalStatus>(reader.GetString(2), ignoreCase: true), new CorrelationId(reader.GetGuid(3)),
            reader.GetTime(4), reader.GetNullableString(5), reader.GetNullableTime(6), reader.GetNullableString(7));

    private static Approval ReadApproval(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.GetTime(4), reader.GetNullableTime(5));
}
