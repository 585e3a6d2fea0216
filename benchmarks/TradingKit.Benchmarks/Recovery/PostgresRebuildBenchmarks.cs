using BenchmarkDotNet.Attributes;
using TradingKit.Benchmarks.Stores;
using TradingKit.Postgres;
using TradingKit.Replay;
using TradingKit.Stores;

namespace TradingKit.Benchmarks.Recovery;

/// <summary>
/// Rebuilding the projections from 1,000,000 events in PostgreSQL (target ≥ 200,000 events/s), beside reading the same log
/// through the store and a raw reader that deserialises nothing. The log is the engine-recorded one of
/// <see cref="RebuildBenchmarks"/>, loaded once with binary COPY in global position order (payloads as the catalogue's JSON,
/// exactly what <see cref="PostgresEventStore.AppendAsync"/> would store), then vacuumed and analysed.
/// </summary>
[MemoryDiagnoser]
public class PostgresRebuildBenchmarks
{
    private const int Events = RebuildBenchmarks.Events;

    private BenchPostgres _postgres = null!;
    private PostgresEventStore _store = null!;

    /// <summary>Starts a throwaway cluster, records the log in memory, and copies it in.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _postgres = await BenchPostgres.StartAsync();
        var serializer = new CatalogEventPayloadSerializer();
        _store = new PostgresEventStore(_postgres.DataSource, serializer);
        var log = await RecoveryFixture.BuildLogAsync(Events);
        await RecoveryFixture.CopyIntoAsync(_postgres.DataSource, log, serializer);
        var last = await _store.GetLastPositionAsync();
        if (last != Events)
        {
            throw new InvalidOperationException($"loaded {last} events, expected {Events}");
        }

        await RecoveryFixture.CheckedRebuildAsync(_store, Events);
    }

    /// <summary>Stops the cluster.</summary>
    [GlobalCleanup]
    public async Task Cleanup() => await _postgres.DisposeAsync();

    /// <summary>The limit: the rows of one query, read with a plain reader and no payload deserialisation.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task<long> RawReaderNoDeserialise()
    {
        await using var command = _postgres.DataSource.CreateCommand(
            "SELECT global_position, event_id, stream_id, stream_version, event_type, payload FROM event_store ORDER BY global_position");
        await using var reader = await command.ExecuteReaderAsync();
        var total = 0L;
        while (await reader.ReadAsync())
        {
            total += reader.GetInt64(0) + reader.GetString(5).Length;
        }

        return total;
    }

    /// <summary>Every event read through <see cref="PostgresEventStore.ReadAllAsync"/> (pages, envelopes, catalogue payloads).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> ReadAll()
    {
        var last = 0L;
        await foreach (var e in _store.ReadAllAsync())
        {
            last = e.GlobalPosition;
        }

        return last;
    }

    /// <summary>A fresh <see cref="ProjectionRebuilder"/> over the whole log in PostgreSQL.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> Rebuild()
    {
        var rebuilder = new ProjectionRebuilder();
        return await rebuilder.RebuildAsync(_store);
    }
}
