using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper.Durability;

namespace TradingKit.Paper.Tests.Durability;

public sealed class DurablePaperVenueTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-paper-durable", Guid.NewGuid().ToString("N"));

    public DurablePaperVenueTests() => Directory.CreateDirectory(_dir);

    private string StatePath => Path.Combine(_dir, "venue.jsonl");

    private static IEnumerable<ClientOrderId> AllIds => Enumerable.Range(1, 400).Select(i => new ClientOrderId("s-" + i.ToString(CultureInfo.InvariantCulture)));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Reopen_AfterAbruptStop_AnswersEveryQueryAsTheVenueDidBefore()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        var venue = Open(clock);
        await new ScriptedSession(7).RunAsync(venue, venue, clock, steps: 120);
        var before = await VenueSnapshot.TakeAsync(venue, AllIds);

        // The store keeps no buffer: every input reached the OS before the venue answered, so closing the handle here is
        // what a killed process leaves behind.
        venue.Dispose();
        using var reopened = Open(new FakeTimeProvider(clock.GetUtcNow()));

        Assert.Equal(before, await VenueSnapshot.TakeAsync(reopened, AllIds));
        Assert.Contains("fill ", before, StringComparison.Ordinal);
        Assert.Contains("query s-1 VenueOrderState", before, StringComparison.Ordinal);
        Assert.True(reopened.InputsReplayed > 120);
        Assert.Empty(VenueSnapshot.Drain(reopened));
    }

    [Theory]
    [InlineData(3, 40)]
    [InlineData(11, 75)]
    [InlineData(29, 133)]
    public async Task ReopenedVenue_AndAnUninterruptedTwin_AnswerTheSameFurtherInputsIdentically(int seed, int crashAfterSteps)
    {
        // The twin is a plain in-memory venue: durability must not change a single answer, report or id.
        var twinClock = new FakeTimeProvider(ScriptedSession.Start);
        var twin = new PaperVenue(Options(), twinClock);
        var twinScript = new ScriptedSession(seed);
        await twinScript.RunAsync(twin, twin, twinClock, crashAfterSteps);
        VenueSnapshot.Drain(twin);

        var clock = new FakeTimeProvider(ScriptedSession.Start);
        var script = new ScriptedSession(seed);
        using (var first = Open(clock))
        {
            await script.RunAsync(first, first, clock, crashAfterSteps);
        }

        var resumedClock = new FakeTimeProvider(clock.GetUtcNow());
        using var resumed = Open(resumedClock);

        var twinAnswers = await twinScript.RunAsync(twin, twin, twinClock, 80);
        var answers = await script.RunAsync(resumed, resumed, resumedClock, 80);

        Assert.Equal(twinAnswers, answers);
        Assert.Equal(VenueSnapshot.Drain(twin), VenueSnapshot.Drain(resumed));
        Assert.Equal(await VenueSnapshot.TakeAsync(twin, AllIds), await VenueSnapshot.TakeAsync(resumed, AllIds));
        Assert.Contains(twinAnswers, a => a.StartsWith("error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PendingReports_WaitingForLatency_ArePublishedAfterReopen_WhenDue()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        var order = new OrderRequest { ClientOrderId = new ClientOrderId("late"), Symbol = ScriptedSession.Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 2m };
        using (var venue = Open(clock, o => o.FillLatency = TimeSpan.FromHours(1)))
        {
            await venue.SubmitAsync(order);
            clock.Advance(TimeSpan.FromDays(1));
            venue.OnMarketData(new Bar(ScriptedSession.Spx, ScriptedSession.Start, clock.GetUtcNow(), 100m, 101m, 99m, 100m, 1_000m));
            Assert.DoesNotContain(VenueSnapshot.Drain(venue), e => e.Contains("Kind = Trade", StringComparison.Ordinal));
        }

        var later = new FakeTimeProvider(clock.GetUtcNow() + TimeSpan.FromHours(2));
        using var reopened = Open(later, o => o.FillLatency = TimeSpan.FromHours(1));
        Assert.Empty(VenueSnapshot.Drain(reopened));

        reopened.AdvanceTo(later.GetUtcNow());

        var trade = Assert.Single(VenueSnapshot.Drain(reopened), e => e.Contains("Kind = Trade", StringComparison.Ordinal));
        Assert.Contains("ClientOrderId = late", trade, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarketDataAlreadyPlayed_IsNotPlayedAgain_SoAResumedFeedCannotFillTwice()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        var bar = new Bar(ScriptedSession.Spx, ScriptedSession.Start, ScriptedSession.Start.AddDays(1), 100m, 101m, 99m, 100m, 1_000m);
        using (var venue = Open(clock))
        {
            await venue.SubmitAsync(new OrderRequest { ClientOrderId = new ClientOrderId("a"), Symbol = ScriptedSession.Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m });
            clock.SetUtcNow(bar.Timestamp);
            venue.OnMarketData(bar);
        }

        using var reopened = Open(new FakeTimeProvider(bar.Timestamp));
        await reopened.SubmitAsync(new OrderRequest { ClientOrderId = new ClientOrderId("b"), Symbol = ScriptedSession.Spx, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m });
        reopened.OnMarketData(bar);
        reopened.OnMarketData(bar with { Timestamp = bar.Timestamp.AddDays(-1), OpenTime = bar.OpenTime.AddDays(-1) });

        Assert.Single(await reopened.GetRecentFillsAsync(null, DateTimeOffset.MinValue));
        Assert.Equal(bar, reopened.LastPlayed(ScriptedSession.Spx));
        Assert.Equal(bar.Timestamp, reopened.LastMarketDataTime);
        Assert.Single(await reopened.GetOpenOrdersAsync());
    }

    [Fact]
    public async Task TornLastRecord_IsDropped_AndNewInputsFollowTheLastCompleteOne()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        using (var venue = Open(clock))
        {
            await new ScriptedSession(5).RunAsync(venue, venue, clock, steps: 30);
        }

        var complete = await File.ReadAllLinesAsync(StatePath);
        await File.AppendAllTextAsync(StatePath, "{\"seq\":" + complete.Length.ToString(CultureInfo.InvariantCulture) + ",\"at\":\"2024-0");
        string expected;
        using (var reopened = Open(new FakeTimeProvider(clock.GetUtcNow())))
        {
            Assert.Equal(complete.Length - 1, reopened.InputsReplayed);
            await reopened.SubmitAsync(new OrderRequest { ClientOrderId = new ClientOrderId("after"), Symbol = ScriptedSession.Spx, Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m, LimitPrice = 1m });
            expected = await VenueSnapshot.TakeAsync(reopened, [.. AllIds, new ClientOrderId("after")]);
        }

        var lines = await File.ReadAllLinesAsync(StatePath);
        Assert.Equal(complete.Length + 1, lines.Length);
        Assert.Contains("\"clientOrderId\":\"after\"", lines[^1], StringComparison.Ordinal);
        using var again = Open(new FakeTimeProvider(clock.GetUtcNow()));
        Assert.Equal(complete.Length, again.InputsReplayed);
        Assert.Equal(expected, await VenueSnapshot.TakeAsync(again, [.. AllIds, new ClientOrderId("after")]));
    }

    [Fact]
    public async Task CorruptMiddleRecord_IsATypedErrorNamingTheLine()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        using (var venue = Open(clock))
        {
            await new ScriptedSession(5).RunAsync(venue, venue, clock, steps: 10);
        }

        var lines = await File.ReadAllLinesAsync(StatePath);
        lines[4] = lines[4].Replace("\"at\":\"", "\"at\":\"x", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(StatePath, lines);

        var ex = Assert.Throws<PaperVenueStoreException>(() => Open(clock));

        Assert.Equal(PaperVenueStoreErrorCodes.Corrupt, ex.Code);
        Assert.Contains("line 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingMiddleRecord_IsCorruption_NotSkipped()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        using (var venue = Open(clock))
        {
            await new ScriptedSession(5).RunAsync(venue, venue, clock, steps: 10);
        }

        var lines = (await File.ReadAllLinesAsync(StatePath)).ToList();
        lines.RemoveAt(3);
        await File.WriteAllLinesAsync(StatePath, lines);

        var ex = Assert.Throws<PaperVenueStoreException>(() => Open(clock));

        Assert.Equal(PaperVenueStoreErrorCodes.Corrupt, ex.Code);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherOptionsOrLabels_AreRefused_BecauseReplayWouldMakeAnotherVenue()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        Open(clock, labels: new Dictionary<string, string> { ["data"] = "a.csv" }).Dispose();

        var seed = Assert.Throws<PaperVenueStoreException>(() => Open(clock, o => o.Faults.Seed = 43, new Dictionary<string, string> { ["data"] = "a.csv" }));
        var data = Assert.Throws<PaperVenueStoreException>(() => Open(clock, labels: new Dictionary<string, string> { ["data"] = "b.csv" }));

        Assert.Equal(PaperVenueStoreErrorCodes.Mismatch, seed.Code);
        Assert.Contains("fingerprint", seed.Message, StringComparison.Ordinal);
        Assert.Equal(PaperVenueStoreErrorCodes.Mismatch, data.Code);
        Assert.Contains("data is 'a.csv' in the store, 'b.csv' now", data.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondVenueOnTheSameFile_IsRefused_WhileTheFirstHoldsIt()
    {
        var clock = new FakeTimeProvider(ScriptedSession.Start);
        using var first = Open(clock);

        var ex = Assert.Throws<PaperVenueStoreException>(() => Open(clock));

        Assert.Equal(PaperVenueStoreErrorCodes.InUse, ex.Code);
    }

    [Fact]
    public async Task EveryInputKind_RoundTripsThroughTheFile()
    {
        var at = ScriptedSession.Start.AddHours(3).ToOffset(TimeSpan.FromHours(9));
        PaperVenueInput[] inputs =
        [
            new PaperConnectInput(1, at),
            new PaperSubmitInput(2, at, new OrderRequest
            {
                ClientOrderId = new ClientOrderId("x"), Symbol = ScriptedSession.Spx, Side = OrderSide.Sell, Type = OrderType.StopLimit, Quantity = 1.25m,
                LimitPrice = 99.5m, StopPrice = 100.125m, TrailingOffset = 0.3m, TimeInForce = TimeInForce.Gtd, ExpireAt = at.AddDays(2), ReduceOnly = true,
                PositionSide = PositionSide.Short,
            }),
            new PaperCancelInput(3, at, ScriptedSession.Spx, new ClientOrderId("x")),
            new PaperModifyInput(4, at, new ModifyRequest(new ClientOrderId("x"), ScriptedSession.Spx, 2m, null, 101m)),
            new PaperMarketDataInput(5, at, new Bar(ScriptedSession.Spx, at.AddDays(-1), at, 1m, 2m, 0.5m, 1.5m, 10.000001m)),
            new PaperMarketDataInput(6, at, new TradeTick(ScriptedSession.Spx, at, 1.5m, 3m, true)),
            new PaperMarketDataInput(7, at, new QuoteTick(ScriptedSession.Spx, at, 1.4m, 5m, 1.6m, 7m)),
            new PaperAdvanceInput(8, at),
        ];
        var identity = PaperVenueIdentity.Of(Options());
        using (var store = new FilePaperVenueStore(StatePath))
        {
            Assert.Empty(store.Open(identity));
            foreach (var input in inputs)
            {
                store.Append(input);
            }
        }

        using var reread = new FilePaperVenueStore(StatePath);
        var read = reread.Open(identity);

        Assert.Equal(inputs, read);
        Assert.Equal(at.Offset, read[0].At.Offset);
        await Task.CompletedTask;
    }

    private static PaperVenueOptions Options(Action<PaperVenueOptions>? configure = null)
    {
        var options = new PaperVenueOptions
        {
            SlippageBps = 3m,
            TakerFeeBps = 5m,
            MakerFeeBps = 1m,
            ParticipationRate = 0.01m,
            AckLatency = TimeSpan.FromMinutes(5),
            FillLatency = TimeSpan.FromHours(2),
            Instruments = [new Instrument(ScriptedSession.Spx, tickSize: 0.01m, stepSize: 1m, minQuantity: 1m, maxQuantity: 1_000m)],
        };
        options.Faults.Seed = 42;
        options.Faults.RejectRate = 0.05;
        options.Faults.TransientTimeoutRate = 0.05;
        options.Faults.UnknownOutcomeRate = 0.05;
        options.Faults.DropAckRate = 0.1;
        options.Faults.DropFillReportRate = 0.1;
        options.Faults.DisconnectRate = 0.03;
        options.Faults.ReconnectAfterEvents = 2;
        configure?.Invoke(options);
        return options;
    }

    private DurablePaperVenue Open(TimeProvider clock, Action<PaperVenueOptions>? configure = null, IReadOnlyDictionary<string, string>? labels = null)
        => DurablePaperVenue.Open(Options(configure), new FilePaperVenueStore(StatePath), clock, labels);
}
