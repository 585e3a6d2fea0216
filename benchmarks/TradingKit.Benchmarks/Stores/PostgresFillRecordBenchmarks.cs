using BenchmarkDotNet.Attributes;
using TradingKit.Events;
using TradingKit.Postgres;
using TradingKit.Stores;

namespace TradingKit.Benchmarks.Stores;

/// <summary>
/// What recording one fill costs the engine on PostgreSQL: the fill on its order's stream, then its position change and fee
/// on the account stream, as two appends (two round trips, two commits), or as one <see cref="IMultiStreamEventStore.AppendManyAsync"/>
/// (one round trip, one commit), which the recorder uses since the twelfth session.
/// </summary>
[MemoryDiagnoser]
public class PostgresFillRecordBenchmarks
{
    private BenchPostgres _postgres = null!;
    private PostgresEventStore _store = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _postgres = await BenchPostgres.StartAsync();
        _store = new PostgresEventStore(_postgres.DataSource, new BenchSerializer());
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _postgres.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task<long> TwoAppends()
    {
        var n = Interlocked.Increment(ref _next);
        await _store.AppendAsync("order-" + n, ExpectedVersion.Any, [BenchSerializer.Event(3 * n)]);
        return (await _store.AppendAsync("account-bench", ExpectedVersion.Any, [BenchSerializer.Event((3 * n) + 1), BenchSerializer.Event((3 * n) + 2)])).LastPosition;
    }

    [Benchmark]
    public async Task<long> OneAppendMany()
    {
        var n = Interlocked.Increment(ref _next);
        var results = await _store.AppendManyAsync(
        [
            new StreamAppend("order-" + n, ExpectedVersion.Any, [BenchSerializer.Event(3 * n)]),
            new StreamAppend("account-bench", ExpectedVersion.Any, [BenchSerializer.Event((3 * n) + 1), BenchSerializer.Event((3 * n) + 2)]),
        ]);
        return results[1].LastPosition;
    }
}
