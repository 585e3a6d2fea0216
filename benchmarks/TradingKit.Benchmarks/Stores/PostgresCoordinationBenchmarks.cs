using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Postgres;

namespace TradingKit.Benchmarks.Stores;

/// <summary>Symbol lock acquire + release latency, and command claims by four concurrent claimers.</summary>
[MemoryDiagnoser]
public class PostgresCoordinationBenchmarks
{
    private const int Commands = 400;

    private BenchPostgres _postgres = null!;
    private PostgresSymbolLockService _locks = null!;
    private PostgresCommandStore _commands = null!;
    private int _round;

    [GlobalSetup]
    public async Task Setup()
    {
        _postgres = await BenchPostgres.StartAsync();
        _locks = new PostgresSymbolLockService(_postgres.DataSource);
        _commands = new PostgresCommandStore(_postgres.DataSource, new BenchSerializer());
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        // BenchmarkDotNet reports means over iterations; per-call percentiles need per-call timings, printed here into the run's log.
        var samples = new double[2000];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await _locks.AcquireAsync("P" + (i % 50), "probe", TimeSpan.FromSeconds(30));
            await _locks.ReleaseAsync("P" + (i % 50), "probe");
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        Console.WriteLine($"// LOCK-LATENCY acquire+release over {samples.Length} calls: p50 {samples[samples.Length / 2]:F3} ms, p99 {samples[(int)(samples.Length * 0.99)]:F3} ms, max {samples[^1]:F3} ms");
        await _postgres.DisposeAsync();
    }

    [Benchmark]
    public async Task<bool> LockAcquireAndRelease()
    {
        var symbol = new Symbol("S" + (Interlocked.Increment(ref _round) % 100));
        var acquired = await _locks.AcquireAsync(symbol, "worker-1", TimeSpan.FromSeconds(30));
        return acquired.Acquired && await _locks.ReleaseAsync(symbol, "worker-1");
    }

    /// <summary>The insert half of <see cref="InsertThenClaimWithFourClaimers"/>, so the claim cost is the difference.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Commands)]
    public async Task InsertOnly() => await InsertCommandsAsync();

    [Benchmark(OperationsPerInvoke = Commands)]
    public async Task<int> InsertThenClaimWithFourClaimers()
    {
        await InsertCommandsAsync();
        var claimers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var claimed = 0;
            while (true)
            {
                var got = await _commands.ClaimAsync("claimer-" + c, 10);
                if (got.Count == 0)
                {
                    return claimed;
                }

                claimed += got.Count;
            }
        }));
        return (await Task.WhenAll(claimers)).Sum();
    }

    private async Task InsertCommandsAsync()
    {
        var round = Interlocked.Increment(ref _round);
        await using var command = _postgres.DataSource.CreateCommand("""
            INSERT INTO command_store (command_id, idempotency_key, command_type, payload, actor, issued_at, correlation_id, inserted_at)
            SELECT gen_random_uuid(), $1 || '-' || g, 'BenchCommand', '{"Action":"pause"}', 'bench', now(), gen_random_uuid(), now()
              FROM generate_series(1, $2) g
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = "r" + round });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Commands });
        await command.ExecuteNonQueryAsync();
    }
}
