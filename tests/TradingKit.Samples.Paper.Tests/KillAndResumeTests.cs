using System.Globalization;
using System.Text.Json;
using TradingKit.Postgres.Tests;

namespace TradingKit.Samples.Paper.Tests;

/// <summary>
/// Issue 6 items 8 and 9: a paper session killed with SIGKILL in the middle and resumed with <c>--Session:Id</c> ends in
/// the same state as the same session run without interruption, on a real PostgreSQL event log and the durable paper venue.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KillAndResumeTests(PostgresServerFixture server) : IDisposable
{
    private const int TotalBars = 5105;

    // Every injected fault but disconnects: rejects, timeouts before and after reaching the venue, dropped acks and fill
    // reports. The venue replays its fault generator exactly; the engine resolves each fault by query or reconciliation.
    // Disconnects are left out only for time: the reconciler's retry back-off waits in real time while the simulated venue
    // can only reconnect on the next bar. The risk limits are raised because the seeded faults otherwise trip the daily
    // loss limit early and the session stops trading, which would leave little to compare.
    private static readonly string[] Faults =
    [
        "--Paper:Faults:RejectRate", "0.05", "--Paper:Faults:TransientTimeoutRate", "0.05", "--Paper:Faults:UnknownOutcomeRate", "0.1",
        "--Paper:Faults:DropAckRate", "0.1", "--Paper:Faults:DropFillReportRate", "0.1",
        "--Risk:DailyLossLimit", "1000000", "--Risk:MaxDrawdown", "1000000",
    ];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-sample-resume", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    // The OMS keeping only its newest three terminal orders and the venue its newest six finished ones: start-up recovery
    // restores every order of the log and retires all but the newest, and its reconciliation compares every fill since
    // the first order, most of them of retired orders.
    private static readonly string[] BoundedRetention =
    [
        "--Oms:RetainedTerminalOrders", "3", "--Paper:RetainedFinishedOrders", "6",
    ];

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task KilledMidSession_ThenResumed_EndsInTheSameStateAsAnUninterruptedRun(bool faults, bool boundedRetention)
    {
        // A safety net only: every wait below is on the sample's own output or exit.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await using var logA = await server.CreateDatabaseAsync();
        await using var logB = await server.CreateDatabaseAsync();
        var outA = Path.Combine(_dir, "a");
        var outB = Path.Combine(_dir, "b");

        string[] Run(string database, string output, string session) =>
            [.. Args(database, output, session), .. (faults ? Faults : []), .. (boundedRetention ? BoundedRetention : [])];

        using (var a = SampleProcess.Start(Run(logA.Name, outA, "run-a")))
        {
            var (exit, _, error) = await a.WaitForExitAsync(timeout.Token);
            Assert.True(exit == 0, error);
        }

        var sessionB = Path.Combine(outB, "sessions", "run-b");
        int killedAt;
        using (var first = SampleProcess.Start([.. Run(logB.Name, outB, "run-b"), "--pace", "1"]))
        {
            var line = await first.WaitForLineAsync(l => Processed(l) >= TotalBars / 4, timeout.Token);
            killedAt = Processed(line);
            await first.KillAsync(timeout.Token);
        }

        // Killed, not stopped: no summary was written and the venue had not played the whole data.
        Assert.False(File.Exists(Path.Combine(sessionB, "summary.json")));
        var playedBeforeKill = VenueRecords(sessionB).Count(r => r.GetProperty("type").GetString() == "bar");
        Assert.InRange(playedBeforeKill, killedAt, TotalBars - 1);

        using (var resumed = SampleProcess.Start(Run(logB.Name, outB, "run-b")))
        {
            var (exit, output, error) = await resumed.WaitForExitAsync(timeout.Token);
            Assert.True(exit == 0, error);
            Assert.Contains("inputs replayed", output, StringComparison.Ordinal);
            Assert.Contains("Resumed: strategy warmed up on", output, StringComparison.Ordinal);

            // Every fill the venue holds is the session's own, those of retired orders too.
            Assert.Contains(", 0 external", output, StringComparison.Ordinal);
            if (boundedRetention)
            {
                Assert.Matches(@"Recovered: \d+ orders from \d+ events \([1-9]\d* retired\)", output);
            }
            Assert.Contains($"processed {TotalBars}/{TotalBars} bars", output, StringComparison.Ordinal);
        }

        var sessionA = Path.Combine(outA, "sessions", "run-a");
        var summaryA = ReadJson(Path.Combine(sessionA, "summary.json"));
        var summaryB = ReadJson(Path.Combine(sessionB, "summary.json"));
        foreach (var field in new[] { "started_at", "trades", "wins", "losses", "realized_pnl", "unrealized_pnl", "fees", "final_cash", "final_equity", "final_positions", "last_prices", "orders_submitted", "orders_rejected", "fills", "slippage", "max_drawdown" })
        {
            Assert.True(summaryA.GetProperty(field).GetRawText() == summaryB.GetProperty(field).GetRawText(),
                $"{field}: uninterrupted {summaryA.GetProperty(field).GetRawText()}, resumed {summaryB.GetProperty(field).GetRawText()}");
        }

        Assert.True(summaryA.GetProperty("trades").GetInt32() > 10, "the session must trade for the comparison to mean anything");

        // The same fills, in the same order, with the same trade ids: the venue is the same venue. Client order ids differ
        // only because they hash the session id, which differs between the two runs.
        Assert.Equal(Fills(sessionA), Fills(sessionB));
        Assert.Equal(
            JournalLines(sessionA, "trades.jsonl").Select(t => WithoutSession(t)),
            JournalLines(sessionB, "trades.jsonl").Select(t => WithoutSession(t)));

        // The venue received the same submissions at the same times, retries included (a transient timeout is retried with
        // the same id, which the venue had never placed), and the resumed session sent no order id a second time beyond them.
        var submitsA = VenueRecords(sessionA).Where(r => r.GetProperty("type").GetString() == "submit").ToList();
        var submitsB = VenueRecords(sessionB).Where(r => r.GetProperty("type").GetString() == "submit").ToList();
        Assert.Equal(submitsA.Select(OrderShape), submitsB.Select(OrderShape));
        static int DistinctIds(List<JsonElement> submits) => submits.Select(r => r.GetProperty("order").GetProperty("clientOrderId").GetString()).Distinct().Count();
        Assert.Equal(submitsA.Count - DistinctIds(submitsA), submitsB.Count - DistinctIds(submitsB));
        if (!faults)
        {
            Assert.Equal(submitsB.Count, DistinctIds(submitsB));
        }

        AssertJournalReconciles(sessionB, summaryB);
    }

    [Fact]
    public async Task ResumingWithInMemoryStores_IsRefusedWithExitCode2()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var sample = SampleProcess.Start(["--out", _dir, "--Session:Id", "run-x"]);

        var (exit, output, error) = await sample.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, exit);
        Assert.Contains("--Session:Id resumes a session, which needs a durable event log", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "sessions")));
    }

    [Fact]
    public async Task VenueStateFromOtherData_IsRefusedWithExitCode2_AndLeftUntouched()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var log = await server.CreateDatabaseAsync();
        var bundled = Path.Combine(AppContext.BaseDirectory, "data", "sp500-2000.csv");
        var shortData = Path.Combine(_dir, "short.csv");
        Directory.CreateDirectory(_dir);
        await File.WriteAllLinesAsync(shortData, (await File.ReadAllLinesAsync(bundled)).Take(400));
        using (var first = SampleProcess.Start([.. Args(log.Name, _dir, "run-d"), "--data", shortData]))
        {
            Assert.Equal(0, (await first.WaitForExitAsync(timeout.Token)).Exit);
        }

        var state = Path.Combine(_dir, "sessions", "run-d", "venue.jsonl");
        var before = await File.ReadAllBytesAsync(state, timeout.Token);
        using var other = SampleProcess.Start([.. Args(log.Name, _dir, "run-d"), "--data", bundled]);

        var (exit, output, error) = await other.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, exit);
        Assert.Contains("PAPER_STORE_MISMATCH", error, StringComparison.Ordinal);
        Assert.Contains("data is 'short.csv' in the store, 'sp500-2000.csv' now", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(state, timeout.Token));
    }

    /// <summary>
    /// A resumable session's venue state and event log are one paper account. Each way they can belong to different ones
    /// is refused before anything reaches the log: a new session on a log that holds another session (found by running
    /// the sample twice with different ids on one database: the second took the first one's cash as its own and its
    /// daily loss limit refused nearly every order), a session whose venue state file is gone, and a venue state resumed
    /// against another database.
    /// </summary>
    [Theory]
    [InlineData("other session")]
    [InlineData("lost venue state")]
    [InlineData("other database")]
    public async Task VenueStateAndLogOfDifferentAccounts_AreRefusedWithExitCode2_BeforeTheLogIsWritten(string mismatch)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var log = await server.CreateDatabaseAsync();
        await using var empty = await server.CreateDatabaseAsync();
        var shortData = Path.Combine(_dir, "short.csv");
        Directory.CreateDirectory(_dir);
        await File.WriteAllLinesAsync(shortData, (await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "data", "sp500-2000.csv"))).Take(400));
        using (var first = SampleProcess.Start([.. Args(log.Name, _dir, "run-a"), "--data", shortData]))
        {
            var (exit, _, error) = await first.WaitForExitAsync(timeout.Token);
            Assert.True(exit == 0, error);
        }

        var stateA = Path.Combine(_dir, "sessions", "run-a", "venue.jsonl");
        var (database, session, expected) = mismatch switch
        {
            "other session" => (log, "run-b", "the event log already holds session 'run-a'"),
            "lost venue state" => (log, "run-a", "the event log holds trading of session 'run-a'"),
            _ => (empty, "run-a", "has played"),
        };
        if (mismatch == "lost venue state")
        {
            File.Delete(stateA);
        }

        var stateBefore = File.Exists(stateA) ? await File.ReadAllBytesAsync(stateA, timeout.Token) : null;
        var eventsBefore = await CountEventsAsync(database);
        using var second = SampleProcess.Start([.. Args(database.Name, _dir, session), "--data", shortData]);

        var (code, output, message) = await second.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, code);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message + output, StringComparison.Ordinal);
        Assert.Equal(eventsBefore, await CountEventsAsync(database));
        if (mismatch == "other database")
        {
            Assert.Equal(0, eventsBefore);
            Assert.Equal(stateBefore, await File.ReadAllBytesAsync(stateA, timeout.Token));
        }
        else
        {
            Assert.True(eventsBefore > 0);

            // The venue state file the refused run made is gone again, with the session directory it made for it.
            Assert.False(File.Exists(Path.Combine(_dir, "sessions", session, "venue.jsonl")));
            Assert.Equal(mismatch == "lost venue state", Directory.Exists(Path.Combine(_dir, "sessions", session)));
        }

        // The session's own database is still accepted: the check refuses only what does not belong together.
        if (mismatch == "other database")
        {
            using var resumed = SampleProcess.Start([.. Args(log.Name, _dir, "run-a"), "--data", shortData]);
            var (exit, _, error) = await resumed.WaitForExitAsync(timeout.Token);
            Assert.True(exit == 0, error);
        }
    }

    private static async Task<long> CountEventsAsync(TestDatabase database)
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM event_store");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private string[] Args(string database, string output, string sessionId) =>
    [
        "--out", output,
        "--Store:Kind", "postgres",
        "--Store:ConnectionString", server.ConnectionStringFor(database),
        "--Session:Id", sessionId,

        // The test survives kill -9, not a power cut; forcing every record to disk would only slow the shared machine.
        "--Venue:FlushToDisk", "false",
    ];

    private static int Processed(string line)
    {
        const string Prefix = "processed ";
        var at = line.IndexOf(Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return -1;
        }

        var number = line[(at + Prefix.Length)..].Split('/')[0];
        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static List<JsonElement> JournalLines(string session, string file)
        => File.ReadAllLines(Path.Combine(session, file)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static List<JsonElement> VenueRecords(string session) => JournalLines(session, "venue.jsonl").Skip(1).ToList();

    private static List<string> Fills(string session) => JournalLines(session, "orders_fills.jsonl")
        .Where(r => r.GetProperty("type").GetString() == "fill")
        .Select(r => string.Join(' ', r.GetProperty("trade_id").GetString(), r.GetProperty("side").GetString(), r.GetProperty("qty").GetRawText(),
            r.GetProperty("price").GetRawText(), r.GetProperty("fee").GetRawText(), r.GetProperty("executed_at").GetString()))
        .ToList();

    private static string WithoutSession(JsonElement record)
        => string.Join(',', record.EnumerateObject().Where(p => p.Name != "session_id").Select(p => p.Name + "=" + p.Value.GetRawText()));

    private static string OrderShape(JsonElement submit)
    {
        var order = submit.GetProperty("order");
        return string.Join(' ', submit.GetProperty("at").GetString(), order.GetProperty("side").GetString(), order.GetProperty("orderType").GetString(),
            order.GetProperty("quantity").GetRawText());
    }

    private static void AssertJournalReconciles(string session, JsonElement summary)
    {
        var fills = JournalLines(session, "orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == "fill").ToList();
        var trades = JournalLines(session, "trades.jsonl");
        static decimal Signed(JsonElement f) => (f.GetProperty("side").GetString() == "buy" ? 1 : -1) * f.GetProperty("qty").GetDecimal();

        // Fills add up to the position, and to the cash.
        var position = fills.Sum(Signed);
        var reported = summary.GetProperty("final_positions").TryGetProperty("SPX", out var p) ? p.GetDecimal() : 0m;
        Assert.Equal(position, reported);
        var cash = 100_000m - fills.Sum(f => Signed(f) * f.GetProperty("price").GetDecimal()) - fills.Sum(f => f.GetProperty("fee").GetDecimal());
        Assert.Equal(cash, summary.GetProperty("final_cash").GetDecimal());

        // Round trips add up to realised PnL; cash and the position at the last price make the equity.
        Assert.Equal(trades.Sum(t => t.GetProperty("gross_pnl").GetDecimal()), summary.GetProperty("realized_pnl").GetDecimal());
        Assert.Equal(trades.Count, summary.GetProperty("trades").GetInt32());
        var last = summary.GetProperty("last_prices").GetProperty("SPX").GetDecimal();
        Assert.Equal(summary.GetProperty("final_cash").GetDecimal() + (reported * last), summary.GetProperty("final_equity").GetDecimal());

        // Every order the journal holds appears once as submitted.
        var submitted = JournalLines(session, "orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == "order_submitted")
            .Select(r => r.GetProperty("client_order_id").GetString()).ToList();
        Assert.Equal(submitted.Count, submitted.Distinct().Count());
        Assert.All(fills, f => Assert.Contains(f.GetProperty("client_order_id").GetString(), submitted));
    }
}
