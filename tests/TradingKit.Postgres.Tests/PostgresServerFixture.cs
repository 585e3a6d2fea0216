using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using TradingKit.Postgres;

namespace TradingKit.Postgres.Tests;

/// <summary>The one collection every PostgreSQL test runs in, so they share one server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL";
}

/// <summary>
/// A real PostgreSQL server for the tests: the one in <c>TRADINGKIT_TEST_POSTGRES</c> (a connection string whose user may create
/// databases), or else a throwaway cluster started with <c>initdb</c> and <c>pg_ctl</c> on 127.0.0.1 and a free port, its data in a
/// temporary folder that is deleted afterwards. As root the cluster runs as the <c>postgres</c> OS user, since <c>initdb</c> refuses root.
/// Each test gets its own database cloned from a migrated template.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "TRADINGKIT_TEST_POSTGRES";

    private readonly List<string> _databases = [];
    private string? _clusterDir;
    private string? _pgCtl;
    private bool _asPostgresUser;
    private int _databaseCounter;
    private int _serverVersion;

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    /// <summary>The migrated database new test databases are cloned from.</summary>
    public string TemplateDatabase { get; } = "tk_template_" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        AdminConnectionString = string.IsNullOrWhiteSpace(given) ? await StartClusterAsync() : given;

        await using (var probe = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString))
        {
            await probe.OpenAsync();
            await using var version = new NpgsqlCommand("SELECT current_setting('server_version_num')::int", probe);
            _serverVersion = (int)(await version.ExecuteScalarAsync())!;
        }

        await ExecuteAdminAsync($"CREATE DATABASE {TemplateDatabase}");
        await using (var template = PostgresDataSource.Create(ConnectionStringFor(TemplateDatabase)))
        {
            await new PostgresMigrator(template).MigrateAsync();
        }

        NpgsqlConnection.ClearAllPools();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterDir is null)
        {
            foreach (var database in _databases.Append(TemplateDatabase))
            {
                await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }

            return;
        }

        StopCluster();
    }

    /// <summary>A connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, Pooling = true }.ConnectionString;

    /// <summary>Creates an empty, migrated database for one test.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(bool migrated = true)
    {
        var name = "tk_test_" + Interlocked.Increment(ref _databaseCounter).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..6];
        lock (_databases)
        {
            _databases.Add(name);
        }

        // FILE_COPY (PostgreSQL 15+) clones a small template far faster than the default WAL_LOG strategy.
        var strategy = _serverVersion >= 150000 ? " STRATEGY FILE_COPY" : "";
        await ExecuteAdminAsync(migrated ? $"CREATE DATABASE {name} TEMPLATE {TemplateDatabase}{strategy}" : $"CREATE DATABASE {name}");
        return new TestDatabase(this, name, PostgresDataSource.Create(ConnectionStringFor(name)));
    }

    /// <summary>Drops a test database.</summary>
    public Task DropDatabaseAsync(string name) => ExecuteAdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<string> StartClusterAsync()
    {
        var initdb = FindInitdb();
        _pgCtl = Path.Combine(Path.GetDirectoryName(initdb)!, "pg_ctl");
        _asPostgresUser = Environment.UserName == "root";
        _clusterDir = Path.Combine(Path.GetTempPath(), "tradingkit-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_clusterDir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopCluster();
        if (_asPostgresUser)
        {
            Run("chown", ["postgres:postgres", _clusterDir], asPostgres: false);
        }

        var data = Path.Combine(_clusterDir, "data");
        Run(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"], _asPostgresUser);

        var port = FreePort();
        var serverOptions = string.Create(CultureInfo.InvariantCulture,
            $"-k {_clusterDir} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
        Run(_pgCtl, ["-D", data, "-l", Path.Combine(_clusterDir, "server.log"), "-w", "-t", "60", "-o", serverOptions, "start"], _asPostgresUser);

        var connectionString = string.Create(CultureInfo.InvariantCulture,
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=30;Command Timeout=60");
        await using var probe = new NpgsqlConnection(connectionString + ";Pooling=false");
        await probe.OpenAsync();
        return connectionString;
    }

    private void StopCluster()
    {
        var dir = Interlocked.Exchange(ref _clusterDir, null);
        if (dir is null)
        {
            return;
        }

        try
        {
            Run(_pgCtl!, ["-D", Path.Combine(dir, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string FindInitdb()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "initdb");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // Debian and Ubuntu keep the server binaries off PATH, one folder per major version.
        const string Debian = "/usr/lib/postgresql";
        if (Directory.Exists(Debian))
        {
            var newest = Directory.GetDirectories(Debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return Path.Combine(newest.Dir, "bin", "initdb");
            }
        }

        throw new InvalidOperationException(
            $"PostgreSQL's initdb was not found on PATH or under {Debian}/<version>/bin. Install the server (Debian: apt-get install postgresql) " +
            $"or set {EnvironmentVariable} to a connection string whose user may create databases.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Run(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _clusterDir ?? Path.GetTempPath(),
        };
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} did not finish within two minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
    }
}

/// <summary>One test's database and the data source over it; dropped on dispose.</summary>
public sealed class TestDatabase(PostgresServerFixture server, string name, NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public string Name { get; } = name;

    public NpgsqlDataSource DataSource { get; } = dataSource;

    public string ConnectionString => server.ConnectionStringFor(Name);

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await server.DropDatabaseAsync(Name);
    }
}
