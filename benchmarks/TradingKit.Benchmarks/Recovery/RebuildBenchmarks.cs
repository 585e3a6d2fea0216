using BenchmarkDotNet.Attributes;
using TradingKit.Replay;
using TradingKit.Stores.InMemory;

namespace TradingKit.Benchmarks.Recovery;

/// <summary>
/// Rebuilding the projections from 1,000,000 events in the in-memory store (target ≥ 2,000,000 events/s), beside the raw
/// read of the same log. The log is recorded by the real engine (see <see cref="RecoveryFixture.BuildLogAsync"/>), so it
/// holds the engine's mix of order, account and engine events and replays without an issue.
/// </summary>
[MemoryDiagnoser]
public class RebuildBenchmarks
{
    internal const int Events = 1_000_000;

    private InMemoryEventStore _store = null!;

    /// <summary>Records the log once, and checks it replays cleanly.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _store = await RecoveryFixture.BuildLogAsync(Events);
        var rebuilder = await RecoveryFixture.CheckedRebuildAsync(_store, Events);
        Console.WriteLine($"// log: {await RecoveryFixture.DescribeAsync(_store)}");
        Console.WriteLine($"// rebuilt: {rebuilder.Orders.Count} orders, {rebuilder.Fills.Count} fills, {rebuilder.DeniedOrders.Count} denied, {rebuilder.DailySummaries.Count} days");
    }

    /// <summary>The limit: every event read from the store and nothing done with it.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task<long> ReadOnly()
    {
        var last = 0L;
        await foreach (var e in _store.ReadAllAsync())
        {
            last = e.GlobalPosition;
        }

        return last;
    }

    /// <summary>A fresh <see cref="ProjectionRebuilder"/> over the whole log: orders, fills, portfolio, daily summaries.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> Rebuild()
    {
        var rebuilder = new ProjectionRebuilder();
        return await rebuilder.RebuildAsync(_store);
    }
}
