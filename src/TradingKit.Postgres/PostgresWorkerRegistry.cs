using Npgsql;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>The workers registry on PostgreSQL (seed 002's <c>workers</c>). Times come from the injected clock.</summary>
public sealed class PostgresWorkerRegistry : IWorkerRegistry
{
    private const string Columns = "worker_id, state, current_symbol, registered_at, heartbeat_at, updated_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the registry.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public PostgresWorkerRegistry(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<WorkerRecord> RegisterAsync(string workerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        await using var command = Sql.Command(_dataSource, $"""
            INSERT INTO workers ({Columns}) VALUES ($1, $2, NULL, $3, $3, $3)
            ON CONFLICT (worker_id) DO UPDATE SET state = excluded.state, current_symbol = NULL,
                registered_at = excluded.registered_at, heartbeat_at = excluded.heartbeat_at, updated_at = excluded.updated_at
            RETURNING {Columns}
            """, workerId, IWorkerRegistry.IdleState, _timeProvider.GetUtcNow());
        return (await Sql.SingleOrDefaultAsync(command, Read, cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public async ValueTask<bool> HeartbeatAsync(string workerId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, "UPDATE workers SET heartbeat_at = $2 WHERE worker_id = $1", workerId, _timeProvider.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<WorkerRecord> SetStateAsync(string workerId, string state, Symbol? currentSymbol, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state);
        await using var command = Sql.Command(_dataSource,
            $"UPDATE workers SET state = $2, current_symbol = $3, updated_at = $4 WHERE worker_id = $1 RETURNING {Columns}",
            workerId, state, currentSymbol?.Value, _timeProvider.GetUtcNow());
        return await Sql.SingleOrDefaultAsync(command, Read, cancellationToken).ConfigureAwait(false)
            ?? throw new TradingKitException(StoreErrorCodes.WorkerNotFound, $"Worker '{workerId}' is not registered.");
    }

    /// <inheritdoc />
    public async ValueTask<WorkerRecord?> GetAsync(string workerId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {Columns} FROM workers WHERE worker_id = $1", workerId);
        return await Sql.SingleOrDefaultAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WorkerRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {Columns} FROM workers ORDER BY worker_id COLLATE \"C\"");
        return await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WorkerRecord>> MarkSilentWorkersExitedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var now = _timeProvider.GetUtcNow();
        await using var command = Sql.Command(_dataSource, $"""
            UPDATE workers SET state = $1, current_symbol = NULL, updated_at = $2
             WHERE state <> $1 AND heartbeat_at <= $3
            RETURNING {Columns}
            """, IWorkerRegistry.ExitState, now, now - timeout);
        var exited = await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
        exited.Sort((a, b) => string.CompareOrdinal(a.WorkerId, b.WorkerId));
        return exited;
    }

    private static WorkerRecord Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? (Symbol?)null : new Symbol(reader.GetString(2)),
            reader.GetTime(3), reader.GetTime(4), reader.GetTime(5));
}
