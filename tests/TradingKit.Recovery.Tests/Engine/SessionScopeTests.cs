using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Paper;
using TradingKit.Reconciliation;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Engine;

/// <summary>
/// UC-05 and SC-011 on an account with more than one session in its log: start-up recovery carries the account on (cash,
/// positions), but a session's summary and journal are its own, from where the session first started in the log.
/// </summary>
public sealed class SessionScopeTests
{
    private const int Day1Bars = 200;
    private const int Day2Bars = 200;
    private static readonly Symbol Spx = RandomSession.Spx;
    private static readonly Instrument SpxRules = new(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m);

    [Fact]
    public async Task SecondSession_OnTheSameAccountLog_ReportsOnlyItsOwnTrading_WhileTheAccountCarriesOn()
    {
        var bars = RandomSession.Bars(31, Day1Bars + Day2Bars, Spx);
        var root = NewRoot();
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var venue = new PaperVenue(VenueOptions(), clock);
        var store = new InMemoryEventStore(clock);

        var day1 = NewEngine("day-1", venue, store, clock, root);
        await day1.StartAsync();
        await FeedAsync(day1, bars.Take(Day1Bars));
        var first = await day1.StopAsync();
        Assert.True(first.Trades >= 3, $"day 1 closed only {first.Trades} round trips");
        Assert.True(first.MaxDrawdown > 0m, "day 1 should have had a drawdown, or the restart of day 2's is not tested");

        var day2 = NewEngine("day-2", venue, store, clock, root);
        await day2.StartAsync();

        // The account carries on: day 1's cash and round trips are in day 2's portfolio ...
        Assert.Equal(first.FinalCash, day2.Portfolio.Cash);
        Assert.Equal(first.Trades, day2.Portfolio.ClosedTrades.Count);

        // ... but day 2 has not traded yet, and its drawdown starts now.
        var opening = day2.BuildSummary();
        Assert.Equal(0, opening.Trades);
        Assert.Equal(0m, opening.RealizedPnl);
        Assert.Equal(0m, opening.Fees);
        Assert.Equal(0, opening.OrdersSubmitted);
        Assert.Equal(0, opening.Fills);
        Assert.Equal(0m, opening.MaxDrawdown);
        Assert.Empty(Records(root, "day-2", "orders_fills.jsonl"));
        Assert.Empty(Records(root, "day-2", "trades.jsonl"));

        await FeedAsync(day2, bars.Skip(Day1Bars));
        var second = await day2.StopAsync();

        Assert.True(second.Trades >= 3, $"day 2 closed only {second.Trades} round trips");
        Assert.Equal(day2.Portfolio.ClosedTrades.Count, first.Trades + second.Trades);
        Assert.Equal(day2.Portfolio.RealizedPnl, first.RealizedPnl + second.RealizedPnl);
        Assert.Equal(day2.Portfolio.TotalFees, first.Fees + second.Fees);
        Assert.Equal(day2.Orders.SubmittedCount, first.OrdersSubmitted + second.OrdersSubmitted);
        Assert.Equal(day2.Orders.FillCount, first.Fills + second.Fills);
        Assert.Equal((await venue.GetBalancesAsync()).Single(b => b.Asset == "USD").Total, second.FinalCash);

        // Day 2's journal holds day 2's records only.
        var orders = Records(root, "day-2", "orders_fills.jsonl");
        Assert.Equal(second.OrdersSubmitted, orders.Count(r => r.GetProperty("type").GetString() == "order_submitted"));
        Assert.Equal(second.Fills, orders.Count(r => r.GetProperty("type").GetString() == "fill"));
        Assert.Equal(second.Trades, Records(root, "day-2", "trades.jsonl").Count);
        Assert.All(orders, r => Assert.True(r.GetProperty("ts").GetDateTimeOffset() >= bars[Day1Bars - 1].Timestamp));
    }

    [Fact]
    public async Task SecondSession_ThatCrashesAndResumes_EndsWithTheSummaryOfTheUninterruptedOne()
    {
        var bars = RandomSession.Bars(31, Day1Bars + Day2Bars, Spx);
        var (_, expected) = await RunTwoDaysAsync(bars, crashAfter: null);
        var (day1, actual) = await RunTwoDaysAsync(bars, crashAfter: Day1Bars + (Day2Bars / 2));

        Assert.True(expected.Summary.Trades >= 3, $"day 2 closed only {expected.Summary.Trades} round trips");

        // The resumed process reports the whole of day 2, the part before the crash included, and nothing of day 1.
        Assert.Equal(actual.AccountTrades - day1.Trades, actual.Summary.Trades);
        Assert.Equal(actual.AccountSubmitted - day1.OrdersSubmitted, actual.Summary.OrdersSubmitted);
        Assert.True(actual.TradesBeforeCrash > 0 && actual.TradesBeforeCrash < actual.Summary.Trades,
            $"the crash should split day 2's {actual.Summary.Trades} round trips (it fell after {actual.TradesBeforeCrash})");
        var e = expected.Summary;
        var a = actual.Summary;
        Assert.Equal(e.Trades, a.Trades);
        Assert.Equal(e.Wins, a.Wins);
        Assert.Equal(e.Losses, a.Losses);
        Assert.Equal(e.RealizedPnl, a.RealizedPnl);
        Assert.Equal(e.Fees, a.Fees);
        Assert.Equal(e.OrdersSubmitted, a.OrdersSubmitted);
        Assert.Equal(e.OrdersRejected, a.OrdersRejected);
        Assert.Equal(e.Fills, a.Fills);
        Assert.Equal(e.FinalCash, a.FinalCash);
        Assert.Equal(e.StartedAt, a.StartedAt);

        // Slippage too: the fills before the crash are measured against the decision prices their orders recorded.
        Assert.NotEqual(0m, e.Slippage);
        Assert.Equal(e.Slippage, a.Slippage);

        // And the drawdown: the log holds no marks, so the resumed process replays the session's fills among the bars
        // it warms up on. The peak equity is what the risk guard's drawdown limit measures from; recovery alone would
        // have rebuilt it from fill prices.
        Assert.True(e.MaxDrawdown > 0m, "day 2 should have had a drawdown");
        Assert.Equal(e.MaxDrawdown, a.MaxDrawdown);
        Assert.Equal(expected.PeakEquity, actual.PeakEquity);
    }

    [Fact]
    public async Task ResumedSession_WhoseJournalWasLost_GetsItsFillsBackfilled_WithTheirSlippage()
    {
        var bars = RandomSession.Bars(31, Day1Bars + Day2Bars, Spx);
        var (_, expected) = await RunTwoDaysAsync(bars, crashAfter: null);
        var (_, actual) = await RunTwoDaysAsync(bars, crashAfter: Day1Bars + (Day2Bars / 2), loseJournal: true);

        var expectedFills = FillSlippage(expected.Root);
        var actualFills = FillSlippage(actual.Root);
        Assert.Equal(expected.Summary.Fills, expectedFills.Count);
        Assert.Equal(expectedFills.Count, actualFills.Count);
        Assert.Equal(expectedFills, actualFills);
        Assert.All(expectedFills.Values, bps => Assert.NotNull(bps));
    }

    private static Dictionary<string, decimal?> FillSlippage(string root)
        => Records(root, "day-2", "orders_fills.jsonl")
            .Where(r => r.GetProperty("type").GetString() == "fill")
            .ToDictionary(
                r => r.GetProperty("trade_id").GetString()!,
                r => r.GetProperty("slippage_bps").ValueKind == JsonValueKind.Null ? (decimal?)null : r.GetProperty("slippage_bps").GetDecimal());

    private static async Task<(SessionSummaryRecord Day1, Day2Result Day2)> RunTwoDaysAsync(IReadOnlyList<Bar> bars, int? crashAfter, bool loseJournal = false)
    {
        var root = NewRoot();
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var venue = new PaperVenue(VenueOptions(), clock);
        var store = new InMemoryEventStore(clock);

        var day1 = NewEngine("day-1", venue, store, clock, root);
        await day1.StartAsync();
        await FeedAsync(day1, bars.Take(Day1Bars));
        var first = await day1.StopAsync();

        var day2 = NewEngine("day-2", venue, store, clock, root);
        await day2.StartAsync();
        if (crashAfter is not { } crash)
        {
            await FeedAsync(day2, bars.Skip(Day1Bars));
            return (first, new Day2Result(await day2.StopAsync(), day2.Portfolio.ClosedTrades.Count, day2.Orders.SubmittedCount, 0, root, day2.Portfolio.PeakEquity));
        }

        // The first process of day 2 dies after this bar: nothing of it runs again.
        await FeedAsync(day2, bars.Take(crash).Skip(Day1Bars));
        var beforeCrash = day2.Portfolio.ClosedTrades.Count - first.Trades;
        if (loseJournal)
        {
            // Day 2's journal is gone with the machine it was on: the log alone has to give its records back.
            Directory.Delete(Path.Combine(root, "sessions", "day-2"), recursive: true);
        }

        var resumed = NewEngine("day-2", venue, store, clock, root, resume: true);
        await resumed.StartAsync();
        Assert.True(resumed.LastRecovery!.Succeeded);
        await resumed.ResumeAfterAsync([.. bars.Take(crash).Skip(Day1Bars)]);
        await FeedAsync(resumed, bars.Skip(crash));
        return (first, new Day2Result(await resumed.StopAsync(), resumed.Portfolio.ClosedTrades.Count, resumed.Orders.SubmittedCount, beforeCrash, root, resumed.Portfolio.PeakEquity));
    }

    /// <summary>Day 2's summary, with the account's totals at its end, the round trips day 2 had closed when it crashed and its peak equity.</summary>
    private sealed record Day2Result(SessionSummaryRecord Summary, int AccountTrades, int AccountSubmitted, int TradesBeforeCrash, string Root, decimal PeakEquity);

    private static async Task FeedAsync(TradingEngine engine, IEnumerable<Bar> bars)
    {
        foreach (var bar in bars)
        {
            await engine.ProcessAsync(EngineInput.ForMarketData(bar));
        }
    }

    private static PaperVenueOptions VenueOptions() => new() { InitialCash = 100_000m, TakerFeeBps = 2m, Instruments = [SpxRules] };

    private static TradingEngine NewEngine(string session, PaperVenue venue, InMemoryEventStore store, SimulationTimeProvider clock, string root, bool resume = false)
    {
        var options = new EngineOptions
        {
            Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
            ReconcileInterval = null,
            SessionId = session,
            InitialCash = 100_000m,
        };
        options.Instruments.Add(SpxRules);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        var journal = new FileSessionJournal(root, new SessionId(session), new FileSessionJournalOptions { Resume = resume });
        var strategy = new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 3, SlowPeriod = 12 });
        var engine = new TradingEngine(options, venue, store, [strategy], clock, journal: journal);
        engine.ConfigureRecovery(new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero, InFlightGrace = TimeSpan.Zero });
        return engine;
    }

    private static string NewRoot() => Path.Combine(Path.GetTempPath(), "tradingkit-session-scope-tests", Guid.NewGuid().ToString("N"));

    private static List<JsonElement> Records(string root, string session, string file)
    {
        var path = Path.Combine(root, "sessions", session, file);
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())]
            : [];
    }
}
