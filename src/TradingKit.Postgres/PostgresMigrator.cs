using System.Globalization;
using System.Reflection;
using Npgsql;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// Applies the SQL migrations shipped inside this package, in version order, each once. Safe when several processes start at
/// once: they queue on a session advisory lock and the later ones find nothing left to do.
/// </summary>
public sealed class PostgresMigrator
{
    private const long MigrationLockKey = 7310000;
    private const string ResourcePrefix = "TradingKit.Postgres.Migrations.";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a migrator.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="timeProvider">The clock for <c>schema_migrations.applied_at</c>; the system clock when null.</param>
    public PostgresMigrator(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The migrations this package ships, in version order.</summary>
    public static IReadOnlyList<(int Version, string Name)> Migrations { get; } = LoadMigrationNames();

    /// <summary>The schema version this package expects.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Applies every migration not yet applied.</summary>
    /// <param name="cancellationToken">Cancels the run (a migration in progress is rolled back).</param>
    /// <returns>The versions this call applied (empty when the schema was up to date).</returns>
    /// <exception cref="TradingKitException">The database has a newer schema than this package (<c>SCHEMA_MIGRATION_FAILED</c>).</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(" + MigrationLockKey.ToString(CultureInfo.InvariantCulture) + ")", cancellationToken).ConfigureAwait(false);
            try
            {
                return await ApplyPendingAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(" + MigrationLockKey.ToString(CultureInfo.InvariantCulture) + ")", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<int>> ApplyPendingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL
            )
            """, cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var select = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
        {
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }
        }

        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > LatestVersion)
        {
            throw new TradingKitException(StoreErrorCodes.SchemaMigrationFailed, string.Create(CultureInfo.InvariantCulture,
                $"The database schema is at version {newest} but this TradingKit.Postgres knows only up to {LatestVersion}; upgrade the package."));
        }

        var done = new List<int>();
        foreach (var (version, name) in Migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                try
                {
                    await ExecuteAsync(connection, transaction, ReadScript(name), cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    throw new TradingKitException(StoreErrorCodes.SchemaMigrationFailed,
                        $"Migration {name} failed: {e.MessageText}. Nothing of it was applied.", e);
                }

                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter { Value = version });
                    record.Parameters.Add(new NpgsqlParameter { Value = name });
                    record.Parameters.Add(new NpgsqlParameter { Value = _timeProvider.GetUtcNow() });
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            done.Add(version);
        }

        return done;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ReadScript(string name)
    {
        using var stream = typeof(PostgresMigrator).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"Migration resource {name} is missing from the package.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<(int Version, string Name)> LoadMigrationNames()
    {
        var names = new List<(int Version, string Name)>();
        foreach (var resource in typeof(PostgresMigrator).Assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture);
            names.Add((version, name));
        }

        names.Sort((a, b) => a.Version.CompareTo(b.Version));
        return names;
    }
}
