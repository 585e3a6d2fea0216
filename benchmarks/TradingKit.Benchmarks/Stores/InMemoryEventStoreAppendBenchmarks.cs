using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Benchmarks.Stores;

/// <summary>In-memory event store appends, as the engine does them on its hot path: 1000 events per invocation in small batches.</summary>
[MemoryDiagnoser]
public class InMemoryEventStoreAppendBenchmarks
{
    private const int EventsPerInvoke = 1000;

    private EventData[][] _batches = [];
    private readonly Lock _gate = new();

    [Params(1, 4, 16)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchSerializer.EnsureRegistered();
        _batches = Enumerable.Range(0, EventsPerInvoke / BatchSize)
            .Select(b => Enumerable.Range(b * BatchSize, BatchSize).Select(BenchSerializer.Event).ToArray())
            .ToArray();
    }

    /// <summary>The limit: a lock and a list add of a freshly built envelope per event, no concurrency or dedup checks.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvoke)]
    public int RawLockedListAdd()
    {
        var log = new List<EventEnvelope>(EventsPerInvoke);
        var position = 0L;
        foreach (var batch in _batches)
        {
            lock (_gate)
            {
                foreach (var e in batch)
                {
                    position++;
                    log.Add(new EventEnvelope(e.EventId, "order-1", position, position, "BenchEvent", 1, e.OccurredAt, e.OccurredAt, e.CorrelationId, null, null, e.Payload));
                }
            }
        }

        return log.Count;
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public async Task<long> InMemoryAppend()
    {
        var store = new InMemoryEventStore(TimeProvider.System);
        var version = 0L;
        for (var i = 0; i < _batches.Length; i++)
        {
            version = (await store.AppendAsync("order-" + (i & 7), ExpectedVersion.Any, _batches[i])).StreamVersion;
        }

        return version;
    }
}
