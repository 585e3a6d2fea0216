using BenchmarkDotNet.Attributes;
using TradingKit.Postgres;
using TradingKit.Stores;

namespace TradingKit.Benchmarks.Stores;

/// <summary>Read-forward throughput of the PostgreSQL event store over 10,000 stored events, with a raw reader as the baseline.</summary>
[MemoryDiagnoser]
public class PostgresReadBenchmarks
{
    private const int Events = 10_000;

    private BenchPostgres _postgres = null!;
    private PostgresEventStore _store = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _postgres = await BenchPostgres.StartAsync();
        _store = new PostgresEventStore(_postgres.DataSource, new BenchSerializer());
        for (var b = 0; b < Events / 500; b++)
        {
            await _store.AppendAsync("order-" + b, ExpectedVersion.NoStream, Enumerable.Range(b * 500, 500).Select(BenchSerializer.Event).ToArray());
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _postgres.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> ReadAllForward()
    {
        var last = 0L;
        await foreach (var e in _store.ReadAllAsync())
        {
            last = e.GlobalPosition;
        }

        return last;
    }

    /// <summary>The limit: the same rows read with a plain reader and no payload deserialisation.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task<long> RawReaderNoDeserialise()
    {
        await using var command = _postgres.DataSource.CreateCommand("SELECT global_position, event_id, stream_id, stream_version, event_type, payload FROM event_store ORDER BY global_position");
        await using var reader = await command.ExecuteReaderAsync();
        var total = 0L;
        while (await reader.ReadAsync())
        {
            total += reader.GetInt64(0) + reader.GetString(5).Length;
        }

        return total;
    }
}
