using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using TradingKit.Engine;
using TradingKit.MarketData;

namespace TradingKit.Benchmarks.Engine;

/// <summary>
/// Market data through the whole engine (channel hop, paper matching, portfolio mark, risk seam, MA-cross strategy, timer)
/// beside the limit: the same number of items through a bare bounded channel from one task to another.
/// </summary>
[MemoryDiagnoser]
public class EngineMarketDataBenchmarks
{
    private const int Events = 100_000;
    private Bar[] _bars = [];

    /// <summary>Builds the bars once.</summary>
    [GlobalSetup]
    public void Setup() => _bars = EngineFixture.Bars(Events);

    /// <summary>The limit: one bounded channel hop per item, producer and consumer on separate tasks.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public Task<long> RawChannelHop() => EngineFixture.RawChannelHopAsync(_bars);

    /// <summary>Every item through <see cref="TradingEngine.RunAsync"/> with the example strategy.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> EngineWithMaCross()
    {
        var engine = EngineFixture.Create(EngineFixture.MaCross(), _bars[0].OpenTime);
        await engine.RunAsync(new EngineFixture.ArrayFeed(_bars)).ConfigureAwait(false);
        await engine.DisposeAsync().ConfigureAwait(false);
        return engine.MarketEventsProcessed;
    }
}

/// <summary>
/// Order round trips in memory: each bar the strategy flips between long and flat, so every bar is one intent → risk seam →
/// OMS (recorded before the venue call) → paper fill → portfolio, with every event appended to the in-memory store.
/// Runs under both collectors (see <see cref="CollectorsConfig"/>): nearly everything a round trip allocates is kept for the
/// session, so collecting it is a large part of the round trip and the collector a host picks shows in the result.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CollectorsConfig))]
public class EngineRoundTripBenchmarks
{
    private const int Orders = 20_000;
    private Bar[] _bars = [];

    /// <summary>Builds the bars once.</summary>
    [GlobalSetup]
    public void Setup() => _bars = EngineFixture.Bars(Orders);

    /// <summary>The limit: one bounded channel hop per order.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Orders)]
    public Task<long> RawChannelHop() => EngineFixture.RawChannelHopAsync(_bars);

    /// <summary>One order round trip per bar through the whole pipeline.</summary>
    [Benchmark(OperationsPerInvoke = Orders)]
    public async Task<int> OrderRoundTrips()
    {
        var engine = EngineFixture.Create(new EngineFixture.PingPongStrategy(), _bars[0].OpenTime);
        await engine.RunAsync(new EngineFixture.ArrayFeed(_bars)).ConfigureAwait(false);
        await engine.DisposeAsync().ConfigureAwait(false);
        return engine.Orders.FillCount;
    }

    /// <summary>
    /// The same round trips with the OMS and the paper venue keeping only their newest 1,000 finished orders and fills
    /// (<see cref="TradingKit.Oms.OmsOptions.RetainedTerminalOrders"/>, <see cref="TradingKit.Paper.PaperVenueOptions.RetainedFinishedOrders"/>),
    /// the bound a long live session would set (both keep every order by default).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Orders)]
    public async Task<int> OrderRoundTripsKeepingLast1000()
    {
        var engine = EngineFixture.Create(new EngineFixture.PingPongStrategy(), _bars[0].OpenTime, retained: 1_000);
        await engine.RunAsync(new EngineFixture.ArrayFeed(_bars)).ConfigureAwait(false);
        await engine.DisposeAsync().ConfigureAwait(false);
        return engine.Orders.FillCount;
    }
}

/// <summary>
/// Two jobs, otherwise the defaults: the runtime's default workstation collector, and the server collector that throughput
/// hosts run (docs/operations.md, "Hosting: the garbage collector").
/// </summary>
public sealed class CollectorsConfig : ManualConfig
{
    /// <summary>Adds the two jobs.</summary>
    public CollectorsConfig()
    {
        AddJob(Job.Default.WithId("Workstation"));
        AddJob(Job.Default.WithGcServer(true).WithId("Server"));
    }
}
