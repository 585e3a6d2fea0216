using Npgsql;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// Versioned configuration on PostgreSQL (seed 003's <c>config_store</c>). Values are stored in a <c>json</c> column, which keeps the
/// text exactly as written; puts go through <c>tk_put_config</c>, which serialises writers of one key and raises <c>NOTIFY tk_config</c>.
/// </summary>
public sealed class PostgresConfigStore : IConfigStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the store.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public PostgresConfigStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<ConfigEntry> PutAsync(string key, string valueJson, string actor, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        JsonText.EnsureWellFormed(valueJson, nameof(valueJson));
        var now = _timeProvider.GetUtcNow();
        await using var command = Sql.Command(_dataSource, "SELECT conflict, version FROM tk_put_config($1, $2::json, $3, $4, $5)",
            key, valueJson, actor, Sql.Typed(expectedVersion, NpgsqlTypes.NpgsqlDbType.Bigint), now);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var version = reader.GetInt64(1);
            if (reader.GetBoolean(0))
            {
                throw new ConfigVersionConflictException(key, expectedVersion!.Value, version);
            }

            return new ConfigEntry(key, version, valueJson, actor, now);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ConfigEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            "SELECT key, version, value::text, actor, changed_at FROM config_store WHERE key = $1 ORDER BY version DESC LIMIT 1", key);
        return await Sql.SingleOrDefaultAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ConfigEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            "SELECT key, version, value::text, actor, changed_at FROM config_store WHERE key = $1 ORDER BY version", key);
        return await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ConfigEntry>> ListLatestAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, """
            SELECT DISTINCT ON (key COLLATE "C") key, version, value::text, actor, changed_at
              FROM config_store ORDER BY key COLLATE "C", version DESC
            """);
        return await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    private static ConfigEntry Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetTime(4));
}
