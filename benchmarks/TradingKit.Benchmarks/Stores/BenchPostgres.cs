using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Postgres;

namespace TradingKit.Benchmarks.Stores;

/// <summary>
/// A PostgreSQL server for the store benchmarks: <c>TRADINGKIT_BENCH_POSTGRES</c> when set, else a throwaway cluster started the same
/// way as the test fixture (initdb + pg_ctl on 127.0.0.1, fsync off, as the postgres OS user when root). Each instance gets a fresh,
/// migrated database.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private string? _clusterDir;
    private string? _pgCtl;
    private bool _asPostgres;

    private BenchPostgres()
    {
    }

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public static async Task<BenchPostgres> StartAsync()
    {
        var bench = new BenchPostgres();
        var admin = Environment.GetEnvironmentVariable("TRADINGKIT_BENCH_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
        {
            admin = bench.StartCluster();
        }

        var database = "tk_bench_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(admin + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        bench.ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        bench.DataSource = PostgresDataSource.Create(bench.ConnectionString);
        await new PostgresMigrator(bench.DataSource).MigrateAsync();
        return bench;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (_clusterDir is not null)
        {
            Run(_pgCtl!, ["-D", Path.Combine(_clusterDir, "data"), "-m", "immediate", "-w", "stop"]);
            Directory.Delete(_clusterDir, recursive: true);
        }
    }

    private string StartCluster()
    {
        var initdb = new[] { "/usr/local/bin/initdb", "/usr/bin/initdb" }.FirstOrDefault(File.Exists)
            ?? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "initdb")).Where(File.Exists).OrderDescending().First();
        _pgCtl = Path.Combine(Path.GetDirectoryName(initdb)!, "pg_ctl");
        _asPostgres = Environment.UserName == "root";
        _clusterDir = Path.Combine(Path.GetTempPath(), "tradingkit-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_clusterDir);
        if (_asPostgres)
        {
            RunRaw("chown", ["postgres:postgres", _clusterDir]);
        }

        var data = Path.Combine(_clusterDir, "data");
        Run(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Run(_pgCtl, ["-D", data, "-l", Path.Combine(_clusterDir, "server.log"), "-w", "-o",
            string.Create(CultureInfo.InvariantCulture, $"-k {_clusterDir} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"), "start"]);
        return string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
    }

    private void Run(string file, string[] arguments)
    {
        if (_asPostgres)
        {
            RunRaw("runuser", ["-u", "postgres", "--", file, .. arguments]);
        }
        else
        {
            RunRaw(file, arguments);
        }
    }

    private void RunRaw(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _clusterDir ?? Path.GetTempPath() };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {stderr.Result}");
        }
    }
}

/// <summary>A small event payload, about the size of an order event.</summary>
public sealed record BenchEvent(string ClientOrderId, string Symbol, decimal Quantity, decimal Price) : ITradingEvent;

/// <summary>A small command payload.</summary>
public sealed record BenchCommand(string Action) : ITradingCommand;

internal sealed class BenchSerializer : IEventPayloadSerializer, ICommandPayloadSerializer
{
    private static readonly Lazy<bool> Registration = new(() =>
    {
        // The in-memory store names payloads through the event catalogue, as an application registers its own events.
        TradingKit.Events.EventCatalog.Register("bench_event", 1,
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<BenchEvent>)JsonSerializerOptions.Default.GetTypeInfo(typeof(BenchEvent)));
        return true;
    });

    /// <summary>Registers <see cref="BenchEvent"/> in the event catalogue once per process.</summary>
    public static void EnsureRegistered() => _ = Registration.Value;

    public string GetTypeName(ITradingEvent payload) => nameof(BenchEvent);

    public int GetSchemaVersion(ITradingEvent payload) => 1;

    public string Serialize(ITradingEvent payload) => JsonSerializer.Serialize((BenchEvent)payload);

    public ITradingEvent Deserialize(string typeName, int schemaVersion, string json) => JsonSerializer.Deserialize<BenchEvent>(json)!;

    public string GetTypeName(ITradingCommand payload) => nameof(BenchCommand);

    public string Serialize(ITradingCommand payload) => JsonSerializer.Serialize((BenchCommand)payload);

    public ITradingCommand Deserialize(string typeName, string json) => JsonSerializer.Deserialize<BenchCommand>(json)!;

    public static EventData Event(int i) =>
        new(Guid.NewGuid(), new BenchEvent("tk-" + i.ToString(CultureInfo.InvariantCulture), "BTCUSDT", 0.01m, 65000.5m),
            new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(i), CorrelationId.New());
}
