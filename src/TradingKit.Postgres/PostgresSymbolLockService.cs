using Npgsql;
using TradingKit.Domain;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// Symbol locks on PostgreSQL (seed 002's <c>stock_locks</c>). Exclusivity comes from the primary key on the symbol and
/// <c>INSERT … ON CONFLICT DO UPDATE … WHERE</c>: of any number of concurrent acquirers exactly one writes the row.
/// Expiry is judged on the injected clock's time, passed as a parameter (never the server's <c>now()</c>).
/// </summary>
public sealed class PostgresSymbolLockService : ISymbolLockService
{
    private const string Columns = "symbol, worker_id, locked_at, ttl, heartbeat_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the service.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="timeProvider">The clock TTLs are judged on; the system clock when null.</param>
    public PostgresSymbolLockService(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<LockAcquireResult> AcquireAsync(Symbol symbol, string workerId, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await using var command = Sql.Command(_dataSource, $"""
            WITH previous AS (SELECT {Columns} FROM symbol_locks WHERE symbol = $1),
            taken AS (
                INSERT INTO symbol_locks AS l ({Columns}) VALUES ($1, $2, $3, $4, $3)
                ON CONFLICT (symbol) DO UPDATE
                   SET worker_id = excluded.worker_id,
                       locked_at = CASE WHEN l.worker_id = excluded.worker_id THEN l.locked_at ELSE excluded.locked_at END,
                       ttl = excluded.ttl,
                       heartbeat_at = excluded.heartbeat_at
                 WHERE l.worker_id = excluded.worker_id OR l.heartbeat_at + l.ttl <= excluded.heartbeat_at
                RETURNING {Columns})
            SELECT true, {Columns} FROM taken
            UNION ALL
            SELECT false, {Columns} FROM previous
            """, symbol.Value, workerId, _timeProvider.GetUtcNow(), ttl);
        SymbolLock? mine = null;
        SymbolLock? previous = null;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.GetBoolean(0))
                {
                    mine = Read(reader, 1);
                }
                else
                {
                    previous = Read(reader, 1);
                }
            }
        }

        if (mine is not null)
        {
            return new LockAcquireResult(true, mine, previous is not null && previous.WorkerId != workerId ? previous : null);
        }

        // The statement's snapshot may predate a concurrent winner's row, so ask again for the current holder.
        return new LockAcquireResult(false, await GetAsync(symbol, cancellationToken).ConfigureAwait(false) ?? previous
            ?? throw new InvalidOperationException("A lock was refused but no holder exists; this is a bug."), null);
    }

    /// <inheritdoc />
    public async ValueTask<bool> HeartbeatAsync(Symbol symbol, string workerId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            "UPDATE symbol_locks SET heartbeat_at = $3 WHERE symbol = $1 AND worker_id = $2 AND heartbeat_at + ttl > $3",
            symbol.Value, workerId, _timeProvider.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseAsync(Symbol symbol, string workerId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, "DELETE FROM symbol_locks WHERE symbol = $1 AND worker_id = $2", symbol.Value, workerId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SymbolLock>> ReleaseAllAsync(string workerId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"DELETE FROM symbol_locks WHERE worker_id = $1 RETURNING {Columns}", workerId);
        var released = await Sql.ListAsync(command, r => Read(r, 0), cancellationToken).ConfigureAwait(false);
        released.Sort((a, b) => string.CompareOrdinal(a.Symbol.Value, b.Symbol.Value));
        return released;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SymbolLock>> ReapExpiredAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"DELETE FROM symbol_locks WHERE heartbeat_at + ttl <= $1 RETURNING {Columns}", _timeProvider.GetUtcNow());
        var reaped = await Sql.ListAsync(command, r => Read(r, 0), cancellationToken).ConfigureAwait(false);
        reaped.Sort((a, b) => string.CompareOrdinal(a.Symbol.Value, b.Symbol.Value));
        return reaped;
    }

    /// <inheritdoc />
    public async ValueTask<SymbolLock?> GetAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {Columns} FROM symbol_locks WHERE symbol = $1", symbol.Value);
        return await Sql.SingleOrDefaultAsync(command, r => Read(r, 0), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SymbolLock>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {Columns} FROM symbol_locks ORDER BY symbol COLLATE \"C\"");
        return await Sql.ListAsync(command, r => Read(r, 0), cancellationToken).ConfigureAwait(false);
    }

    private static SymbolLock Read(NpgsqlDataReader reader, int offset) =>
        new(new Symbol(reader.GetString(offset)), reader.GetString(offset + 1), reader.GetTime(offset + 2),
            reader.GetFieldValue<TimeSpan>(offset + 3), reader.GetTime(offset + 4));
}
