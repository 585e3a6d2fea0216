using Npgsql;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// Control state on PostgreSQL: <c>control_state</c> is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and
/// changes go through <c>tk_change_control_state</c>, which serialises writers and skips no-op changes.
/// </summary>
public sealed class PostgresControlStateStore : IControlStateStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the store.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public PostgresControlStateStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<ControlState> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            "SELECT kill_switch_on, engine_mode, reason, actor, changed_at, sequence FROM control_state ORDER BY sequence DESC LIMIT 1");
        return await Sql.SingleOrDefaultAsync(command, r => Read(r, 0), cancellationToken).ConfigureAwait(false) ?? ControlState.Initial;
    }

    /// <inheritdoc />
    public ValueTask<(ControlState State, bool Changed)> SetKillSwitchAsync(bool on, string reason, string actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(on, null, reason, actor, cancellationToken);

    /// <inheritdoc />
    public ValueTask<(ControlState State, bool Changed)> SetEngineModeAsync(string mode, string reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mode);
        return ChangeAsync(null, mode, reason, actor, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ControlState>> GetHistoryAsync(int maxCount = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var command = Sql.Command(_dataSource,
            "SELECT kill_switch_on, engine_mode, reason, actor, changed_at, sequence FROM control_state ORDER BY sequence DESC LIMIT $1", maxCount);
        return await Sql.ListAsync(command, r => Read(r, 0), cancellationToken).ConfigureAwait(false);
    }

    private static ControlState Read(NpgsqlDataReader reader, int offset) =>
        new(reader.GetBoolean(offset), reader.GetNullableString(offset + 1), reader.GetString(offset + 2), reader.GetString(offset + 3),
            reader.GetInt64(offset + 5) == 0 ? ControlState.Initial.ChangedAt : reader.GetTime(offset + 4), reader.GetInt64(offset + 5));

    private async ValueTask<(ControlState State, bool Changed)> ChangeAsync(bool? on, string? mode, string reason, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var command = Sql.Command(_dataSource,
            "SELECT changed, kill_switch_on, engine_mode, reason, actor, changed_at, sequence FROM tk_change_control_state($1, $2, $3, $4, $5)",
            Sql.Typed(on, NpgsqlTypes.NpgsqlDbType.Boolean), Sql.Typed(mode, NpgsqlTypes.NpgsqlDbType.Text), reason, actor, _timeProvider.GetUtcNow());
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (Read(reader, 1), reader.GetBoolean(0));
        }
    }
}
