using Microsoft.Extensions.DependencyInjection;
using TradingKit.Engine;
using TradingKit.Execution;
using TradingKit.MarketData;
using TradingKit.Replay;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Replay;

/// <summary><c>RecordReplayInputs()</c> on the DI builder: a composed host writes the artifact beside its journal, and it replays.</summary>
public sealed class ReplayCompositionTests
{
    [Fact]
    public async Task RecordReplayInputs_WritesTheArtifactBesideTheJournal_AndTheSessionReplaysIdentically()
    {
        var bars = ReplayScenario.Bars(200);
        var root = Path.Combine(Path.GetTempPath(), "tradingkit-replay-di", Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new SimulationTimeProvider(bars[0].OpenTime));
        services.AddTradingKit(Configure)
            .UseInMemoryStores()
            .UsePaperVenue(o => o.Instruments = [ReplayScenario.Instrument])
            .AddStrategy(Strategy())
            .UseFileJournal(root)
            .RecordReplayInputs();
        await using (var provider = services.BuildServiceProvider())
        {
            var engine = provider.GetRequiredService<TradingEngine>();
            var summary = await engine.RunAsync(new ListFeed(bars));
            Assert.True(summary.Fills > 0, "the session must trade for the replay to compare intents");
            await engine.DisposeAsync();
        }

        var path = Path.Combine(root, "sessions", "di-replay", ReplayArtifact.FileName);
        Assert.True(File.Exists(path), $"no artifact at {path}");
        var artifact = ReplayArtifact.Load(path);

        var result = await SessionReplayer.ReplayAsync(artifact, context =>
        {
            var options = new EngineOptions();
            Configure(options);
            return new TradingEngine(options, context.Broker, new InMemoryEventStore(context.Clock), [Strategy()], context.Clock, replayRecorder: context.Hook);
        });

        Assert.True(result.Matched, result.FirstMismatch?.ToString());
        Assert.Equal(bars.Count, result.InputsReplayed);
        Assert.True(result.IntentsCompared > 0);
        Assert.True(result.DecisionsCompared >= bars.Count);
    }

    private static void Configure(EngineOptions o)
    {
        o.SessionId = "di-replay";
        o.InitialCash = 100_000m;
        o.Execution.Mode = ExecutionMode.Paper;
        o.Instruments.Add(ReplayScenario.Instrument);
        o.Oms.RetryBaseDelay = TimeSpan.Zero;
        o.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
    }

    private static MovingAverageCrossStrategy Strategy()
        => new(new MovingAverageCrossOptions { Symbol = ReplayScenario.Spx.Value, FastPeriod = 3, SlowPeriod = 8, EquityFraction = 0.02m });

    private sealed class ListFeed(IReadOnlyList<Bar> bars) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var bar in bars)
            {
                yield return bar;
            }

            await Task.CompletedTask;
        }
    }
}
