using TradingKit.Domain;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Replay;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Replay;

public sealed class ReplayArtifactFileTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tradingkit-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task RunAsync_WithRecorderInJournalFolder_WritesReplayInputsThatReplayToTheSameSession()
    {
        var bars = ReplayScenario.Bars(180);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var journal = new FileSessionJournal(_root, new SessionId(ReplayScenario.SessionId));
        var recorder = ReplayInputRecorder.ForSessionDirectory(journal.Directory);
        var engine = ReplayScenario.NewEngine(ReplayScenario.NewVenue(clock), clock, recorder, journal: journal);
        var summary = await engine.RunAsync(new ListFeed(bars));
        await engine.DisposeAsync();

        var path = Path.Combine(journal.Directory, ReplayArtifact.FileName);
        var artifact = ReplayArtifact.Load(path);
        var journaledDecisions = File.ReadAllLines(Path.Combine(journal.Directory, "decisions.jsonl")).Count(l => l.Length > 0);

        Assert.True(summary.Fills > 0);
        Assert.Equal(bars.Count, artifact.Count(ReplayRecordKinds.Input));
        Assert.Equal(journaledDecisions, artifact.Count(ReplayRecordKinds.Decision));
        Assert.Equal(summary.OrdersSubmitted + summary.OrdersDenied, artifact.Count(ReplayRecordKinds.Intent));

        var result = await SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory());

        Assert.True(result.Matched, result.FirstMismatch?.Message);
        Assert.Equal(journaledDecisions, result.DecisionsCompared);
        Assert.True(result.SummaryCompared);
    }

    [Fact]
    public async Task Replay_OfSessionRecordedWithoutClockDriving_NeedsTheSameSetting()
    {
        var bars = ReplayScenario.Bars(30);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var recorder = ReplayInputRecorder.InMemory();
        await using (var engine = ReplayScenario.NewEngine(ReplayScenario.NewVenue(clock, faults: false), clock, recorder, driveClock: false))
        {
            await ReplayScenario.DriveAsync(engine, clock, bars);
        }

        var artifact = recorder.ToArtifact();
        var refused = await Assert.ThrowsAsync<SessionReplayException>(() => SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory()));
        var replayed = await SessionReplayer.ReplayAsync(artifact, c => ReplayScenario.NewEngine(c.Broker, c.Clock, c.Hook, driveClock: false));

        Assert.False(artifact.DrivesClock);
        Assert.Equal(ReplayErrorCodes.SetupInvalid, refused.Code);
        Assert.Contains("DriveClockFromMarketData = false", refused.Message, StringComparison.Ordinal);
        Assert.True(replayed.Matched, replayed.FirstMismatch?.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private sealed class ListFeed(IReadOnlyList<Bar> bars) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var bar in bars)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return bar;
            }

            await Task.CompletedTask;
        }
    }
}
