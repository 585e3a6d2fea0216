using Npgsql;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// The command store on PostgreSQL: inserts are idempotent on the idempotency key, claims use <c>FOR UPDATE SKIP LOCKED</c>
/// so concurrent executors never get the same command, and inserts raise <c>NOTIFY tk_commands</c>.
/// </summary>
public sealed class PostgresCommandStore : ICommandStore
{
    private const string Columns = "sequence, command_id, idempotency_key, command_type, payload, actor, issued_at, correlation_id, status, claimed_by, result";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ICommandPayloadSerializer _serializer;
    private readonly TimeProvider _timeProvider;
    private readonly PostgresStoreOptions _options;

    /// <summary>Creates the store.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="serializer">The payload serializer.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="options">The options; defaults when null.</param>
    public PostgresCommandStore(NpgsqlDataSource dataSource, ICommandPayloadSerializer serializer, TimeProvider? timeProvider = null, PostgresStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(serializer);
        _dataSource = dataSource;
        _serializer = serializer;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _options = options ?? new PostgresStoreOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public async ValueTask<(StoredCommand Command, bool Inserted)> InsertAsync(CommandEnvelope command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(command.IdempotencyKey);
        ArgumentNullException.ThrowIfNull(command.Payload);
        await using (var insert = Sql.Command(_dataSource, $"""
            INSERT INTO command_store (command_id, idempotency_key, command_type, payload, actor, issued_at, correlation_id, inserted_at)
            VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
            ON CONFLICT DO NOTHING
            RETURNING {Columns}
            """,
            command.CommandId, command.IdempotencyKey, _serializer.GetTypeName(command.Payload), _serializer.Serialize(command.Payload),
            command.Actor, command.IssuedAt, command.CorrelationId.Value, _timeProvider.GetUtcNow()))
        {
            var inserted = await Sql.SingleOrDefaultAsync(insert, Read, cancellationToken).ConfigureAwait(false);
            if (inserted is not null)
            {
                return (inserted, true);
            }
        }

        await using var select = Sql.Command(_dataSource,
            $"SELECT {Columns} FROM command_store WHERE idempotency_key = $1 UNION ALL SELECT {Columns} FROM command_store WHERE command_id = $2 LIMIT 1",
            command.IdempotencyKey, command.CommandId);
        var existing = await Sql.SingleOrDefaultAsync(select, Read, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A conflicting command vanished; commands are never deleted, so this is a bug.");
        return (existing, false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StoredCommand>> ListClaimedAsync(string claimerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimerId);
        await using var command = Sql.Command(_dataSource, $"""
            SELECT {Columns} FROM command_store WHERE status = 'SENT' AND claimed_by = $1 ORDER BY sequence
            """, claimerId);
        return await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StoredCommand>> ClaimAsync(string claimerId, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimerId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        await using var command = Sql.Command(_dataSource, $"""
            WITH next AS (
                SELECT sequence FROM command_store WHERE status = 'NEW' ORDER BY sequence LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE command_store c SET status = 'SENT', claimed_by = $1, claimed_at = $3
              FROM next WHERE c.sequence = next.sequence
            RETURNING {string.Join(", ", Columns.Split(", ").Select(c => "c." + c))}
            """, claimerId, maxCount, _timeProvider.GetUtcNow());
        var claimed = await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
        claimed.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return claimed;
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(Guid commandId, bool succeeded, string? result, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, """
            WITH done AS (
                UPDATE command_store SET status = $2, result = $3, completed_at = $4
                 WHERE command_id = $1 AND status = 'SENT' RETURNING 1)
            SELECT (SELECT count(*) FROM done), (SELECT status FROM command_store WHERE command_id = $1)
            """, commandId, succeeded ? "ACK" : "FAILED", result, _timeProvider.GetUtcNow());
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) == 1)
            {
                return;
            }

            if (reader.IsDBNull(1))
            {
                throw new TradingKitException(StoreErrorCodes.CommandNotFound, $"Command {commandId} is not stored.");
            }

            throw CommandStoreErrors.NotClaimed(commandId, ParseStatus(reader.GetString(1)));
        }
    }

    /// <inheritdoc />
    public async ValueTask<StoredCommand?> GetAsync(Guid commandId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {Columns} FROM command_store WHERE command_id = $1", commandId);
        return await Sql.SingleOrDefaultAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WaitForNewCommandsAsync(CancellationToken cancellationToken = default)
    {
        NpgsqlConnection? listener = null;
        try
        {
            if (_options.UseNotifications)
            {
                listener = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var listen = new NpgsqlCommand("LISTEN tk_commands", listener);
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                await using (var exists = Sql.Command(_dataSource, "SELECT EXISTS (SELECT 1 FROM command_store WHERE status = 'NEW')"))
                {
                    if ((bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    {
                        return;
                    }
                }

                if (listener is not null)
                {
                    await listener.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static CommandStatus ParseStatus(string status) => status switch
    {
        "NEW" => CommandStatus.New,
        "SENT" => CommandStatus.Sent,
        "ACK" => CommandStatus.Ack,
        "FAILED" => CommandStatus.Failed,
        _ => throw new InvalidOperationException($"Unknown command status '{status}' in command_store."),
    };

    private StoredCommand Read(NpgsqlDataReader reader)
    {
        var envelope = new CommandEnvelope(
            reader.GetGuid(1),
            reader.GetString(2),
            _serializer.Deserialize(reader.GetString(3), reader.GetString(4)),
            reader.GetString(5),
            reader.GetTime(6),
            new CorrelationId(reader.GetGuid(7)));
        return new StoredCommand(envelope, ParseStatus(reader.GetString(8)), reader.GetNullableString(9), reader.GetNullableString(10), reader.GetInt64(0));
    }
}
