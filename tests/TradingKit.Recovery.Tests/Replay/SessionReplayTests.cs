using System.Text.Json.Nodes;
using TradingKit.Replay;
using TradingKit.Strategies;

namespace TradingKit.Recovery.Tests.Replay;

public sealed class SessionReplayTests
{
    [Fact]
    public async Task Replay_OfPaperSessionWithFaultsCommandsAndTimers_ReproducesEveryDecisionIntentAndVenueCall()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars());

        // The recording holds what the scenario promises: commands, timers, failed venue calls and reports drained from the venue.
        Assert.True(artifact.SimulatedVenue);
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Input && r.Json.Contains("\"input\":\"command\"", StringComparison.Ordinal));
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Input && r.Json.Contains("\"input\":\"timer\"", StringComparison.Ordinal));
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Call && r.Json.Contains("\"error\":{\"type\":\"broker\"", StringComparison.Ordinal));
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Intent && r.Json.Contains("\"status\":\"denied\"", StringComparison.Ordinal));
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Call && r.Json.Contains("\"op\":\"modify\"", StringComparison.Ordinal));
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Call && r.Json.Contains("\"op\":\"cancel\"", StringComparison.Ordinal));
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Call && r.Json.Contains("\"op\":\"query\"", StringComparison.Ordinal));
        Assert.True(artifact.Count(ReplayRecordKinds.Venue) > 20);
        Assert.True(artifact.Count(ReplayRecordKinds.Intent) > 5);

        var result = await SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory());

        Assert.True(result.Matched, result.FirstMismatch?.Message);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Input), result.InputsReplayed);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Decision), result.DecisionsCompared);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Intent), result.IntentsCompared);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Call), result.VenueCallsReplayed);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Venue), result.VenueEventsReplayed);
        Assert.True(result.SummaryCompared);
    }

    [Fact]
    public async Task Replay_OfLiveStyleSessionWithReportsAsInputs_ReproducesTheSessionAndItsStopDrain()
    {
        var (artifact, engine) = await ReplayScenario.RecordLiveStyleAsync(ReplayScenario.Bars(200));
        await engine.DisposeAsync();

        Assert.False(artifact.SimulatedVenue);
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Input && r.Json.Contains("\"input\":\"venue\"", StringComparison.Ordinal));
        var stop = artifact.Records.Single(r => r.Kind == ReplayRecordKinds.Stop);
        Assert.Contains(artifact.Records, r => r.Kind == ReplayRecordKinds.Venue && r.Sequence > stop.Sequence);

        var result = await SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory());

        Assert.True(result.Matched, result.FirstMismatch?.Message);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Decision), result.DecisionsCompared);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Intent), result.IntentsCompared);
        Assert.Equal(artifact.Count(ReplayRecordKinds.Venue), result.VenueEventsReplayed);
        Assert.True(result.SummaryCompared);
    }

    [Fact]
    public async Task Replay_WithChangedStrategyParameter_ReportsTheFirstDifferingDecisionWithItsIndex()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(120));
        var firstAfterWarmup = artifact.Records.First(r => r.Kind == ReplayRecordKinds.Decision
            && !r.Json.Contains("\"reason_codes\":[\"" + MovingAverageCrossStrategy.Warmup + "\"]", StringComparison.Ordinal));

        // One more bar of warm-up: the recorded engine decided on this bar, the replayed one still warms up.
        var result = await SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory(slowPeriod: 9));

        Assert.False(result.Matched);
        var mismatch = result.FirstMismatch!;
        Assert.Equal(ReplayRecordKinds.Decision, mismatch.ExpectedKind);
        Assert.Equal(firstAfterWarmup.KindIndex, mismatch.KindIndex);
        Assert.Equal(firstAfterWarmup.Sequence, mismatch.Sequence);
        Assert.Equal(firstAfterWarmup.Line, mismatch.Line);
        Assert.Equal("reason_codes[0]", mismatch.Field);
        Assert.Equal(firstAfterWarmup.Json, mismatch.Expected);
        Assert.Contains(MovingAverageCrossStrategy.Warmup, mismatch.Actual, StringComparison.Ordinal);
        Assert.Equal(firstAfterWarmup.KindIndex, result.DecisionsCompared);
    }

    [Fact]
    public async Task Replay_WithEditedVenueFill_ReportsAMismatchAfterTheEditInsteadOfCrashing()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(160));
        var lines = Lines(artifact);
        var edited = artifact.Records.First(r => r.Kind == ReplayRecordKinds.Venue && r.Json.Contains("\"fill\":{", StringComparison.Ordinal));
        var node = JsonNode.Parse(lines[edited.Line - 1])!;
        var fill = node["event"]!["fill"]!;
        fill["price"] = fill["price"]!.GetValue<decimal>() * 1.10m;
        lines[edited.Line - 1] = node.ToJsonString();

        var result = await SessionReplayer.ReplayAsync(ReplayArtifact.Parse(string.Join('\n', lines)), ReplayScenario.ReplayFactory());

        Assert.False(result.Matched);
        Assert.True(result.FirstMismatch!.Sequence > edited.Sequence);
        Assert.NotNull(result.FirstMismatch.Field);
        Assert.NotNull(result.FirstMismatch.Actual);
    }

    [Fact]
    public async Task Replay_WhenEngineMakesAnotherVenueCallThanRecorded_ReportsThatCallAsTheFirstMismatch()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(120));
        var lines = Lines(artifact);
        var submit = artifact.Records.First(r => r.Kind == ReplayRecordKinds.Call && r.Json.Contains("\"op\":\"submit\"", StringComparison.Ordinal));
        var node = JsonNode.Parse(lines[submit.Line - 1])!;
        node["args"]!["qty"] = node["args"]!["qty"]!.GetValue<decimal>() + 1m;
        lines[submit.Line - 1] = node.ToJsonString();

        var result = await SessionReplayer.ReplayAsync(ReplayArtifact.Parse(string.Join('\n', lines)), ReplayScenario.ReplayFactory());

        var mismatch = result.FirstMismatch!;
        Assert.Equal(ReplayRecordKinds.Call, mismatch.ExpectedKind);
        Assert.Equal(submit.Sequence, mismatch.Sequence);
        Assert.Equal(submit.KindIndex, mismatch.KindIndex);
        Assert.Equal("args.qty", mismatch.Field);
        Assert.Equal(submit.KindIndex, result.VenueCallsReplayed);
    }

    [Fact]
    public async Task Replay_WithInputRemoved_IsRefusedWithTheLineWhereTheSequenceBreaks()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(60));
        var lines = Lines(artifact);
        var removed = artifact.Records.Where(r => r.Kind == ReplayRecordKinds.Input).ElementAt(30);
        lines.RemoveAt(removed.Line - 1);

        var error = Assert.Throws<SessionReplayException>(() => ReplayArtifact.Parse(string.Join('\n', lines)));

        Assert.Equal(ReplayErrorCodes.ArtifactMalformed, error.Code);
        Assert.Equal(removed.Line, error.Line);
        Assert.Contains("seq", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_WithInputRemovedAndRenumbered_ReportsAMismatchAtOrAfterTheGap()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(60));
        var lines = Lines(artifact);
        var removed = artifact.Records.Where(r => r.Kind == ReplayRecordKinds.Input).ElementAt(30);
        lines.RemoveAt(removed.Line - 1);
        var renumbered = lines.Select((line, i) =>
        {
            var node = JsonNode.Parse(line)!;
            node["seq"] = i;
            return node.ToJsonString();
        });

        var result = await SessionReplayer.ReplayAsync(ReplayArtifact.Parse(string.Join('\n', renumbered)), ReplayScenario.ReplayFactory());

        Assert.False(result.Matched);
        Assert.True(result.FirstMismatch!.Sequence >= removed.Sequence);
        Assert.True(result.InputsReplayed < artifact.Count(ReplayRecordKinds.Input));
    }

    [Theory]
    [InlineData("{\"seq\":SEQ,\"k\":\"input\"", "not JSON")]
    [InlineData("{\"seq\":SEQ,\"k\":\"input\",\"t\":\"2024-03-01T14:30:00Z\",\"input\":\"market_data\",\"md\":{\"type\":\"bar\",\"symbol\":\"SPX\",\"open_time\":\"2024-03-01T14:30:00Z\",\"ts\":\"2024-03-01T14:31:00Z\",\"open\":\"1\",\"high\":1,\"low\":1,\"close\":1,\"volume\":1}}", "'open'")]
    [InlineData("{\"seq\":SEQ,\"k\":\"teleport\",\"t\":\"2024-03-01T14:30:00Z\"}", "teleport")]
    [InlineData("{\"seq\":SEQ,\"k\":\"call\",\"t\":\"2024-03-01T14:30:00Z\",\"op\":\"submit\",\"args\":{},\"t_end\":\"2024-03-01T14:30:00Z\",\"result\":{\"accepted\":\"yes\"}}", "'accepted'")]
    public async Task Load_OfMalformedLine_FailsWithTypedErrorAndLineNumber(string badLine, string expectedInMessage)
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(30), faults: false);
        var lines = Lines(artifact);
        const int index = 17;
        lines[index] = badLine.Replace("SEQ", index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), "tradingkit-tests", Guid.NewGuid().ToString("N"), ReplayArtifact.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllLinesAsync(path, lines);

        var error = Assert.Throws<SessionReplayException>(() => ReplayArtifact.Load(path));

        Assert.Equal(ReplayErrorCodes.ArtifactMalformed, error.Code);
        Assert.Equal(index + 1, error.Line);
        Assert.Contains("line " + (index + 1), error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public async Task Replay_WhenEngineIsNotBuiltOverTheReplayHook_IsRefusedAsSetupError()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(20), faults: false);

        var error = await Assert.ThrowsAsync<SessionReplayException>(() =>
            SessionReplayer.ReplayAsync(artifact, context => ReplayScenario.NewEngine(context.Broker, context.Clock, hook: null)));

        Assert.Equal(ReplayErrorCodes.SetupInvalid, error.Code);
        Assert.Contains("Hook", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_OfTheSameArtifactTwice_GivesTheSameResult()
    {
        var artifact = await ReplayScenario.RecordSimulatedAsync(ReplayScenario.Bars(80));

        var first = await SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory());
        var second = await SessionReplayer.ReplayAsync(artifact, ReplayScenario.ReplayFactory());

        Assert.True(first.Matched, first.FirstMismatch?.Message);
        Assert.Equal(first, second);
    }

    private static List<string> Lines(ReplayArtifact artifact) => [.. artifact.Records.Select(r => r.Json)];
}
