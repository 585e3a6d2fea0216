using System.Text.Json;
using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Reconciliation;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Postgres.Tests;

/// <summary>
/// Issue 6 item 8: the engine on PostgreSQL, against the paper venue with fault injection on, dies at 50 points of a session
/// (before or after one of its appends reaches the database; nothing of the dead process runs after that point), and a new
/// engine on the same store and venue finishes the session. Every run must end with zero duplicate orders at the venue,
/// positions and cash equal to the venue's, a journal that reconciles, and the same end state as the uninterrupted run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashRecoveryTests(PostgresServerFixture server, CrashRecoveryTests.Reference reference) : IClassFixture<CrashRecoveryTests.Reference>
{
    private const int CrashPoints = 50;
    private static readonly Symbol Spx = new("SPX");
    private static readonly Instrument SpxRules = new("SPX", tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);

    public static TheoryData<int> Points()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < CrashPoints; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Points))]
    public async Task CrashAtAnyPoint_RestartOnTheSameStoreAndVenue_EndsAsTheUninterruptedRun(int point)
    {
        var expected = await reference.GetAsync(server);

        // Points are spread over the appends that carry trading state (orders, fills, positions, balances), not the
        // reconciler's bookkeeping, alternating between dying just before an append reaches the database and just after.
        var candidates = expected.AppendTypes.Select((type, index) => (Type: type, Number: index + 1))
            .Where(a => a.Type is not (nameof(ReconciliationPerformed) or nameof(DriftDetected) or nameof(EngineStateChanged)))
            .ToList();
        Assert.True(candidates.Count >= CrashPoints, $"only {candidates.Count} trading appends in the reference session");
        var chosen = candidates[point * candidates.Count / CrashPoints];
        var crash = new CrashSwitch { DieAtAppend = chosen.Number, PersistFirst = point % 2 == 1 };

        var actual = await RunAsync(server, crash);

        Assert.True(crash.Dead, $"the engine should have died at append {crash.DieAtAppend} ({chosen.Type}) of {expected.Appends}");
        Assert.Contains($": {chosen.Type} on ", crash.DiedAt, StringComparison.Ordinal);
        Console.WriteLine($"crash point {point}: died {crash.DiedAt}");
        Assert.Empty(actual.Issues);
        Assert.Equal(expected.VenueOrderIds, actual.VenueOrderIds);
        Assert.Equal(expected.VenueFills, actual.VenueFills);
        Assert.Equal(expected.VenuePosition, actual.VenuePosition);
        Assert.Equal(expected.VenueCash, actual.VenueCash);
        Assert.Equal(actual.VenuePosition, actual.EnginePosition);
        Assert.Equal(actual.VenueCash, actual.EngineCash);
        Assert.Equal(expected.EngineRealizedPnl, actual.EngineRealizedPnl);
        Assert.Equal(expected.EngineTrades, actual.EngineTrades);
        AssertJournalReconciles(actual.JournalDirectory, actual.VenueFills.Count);
    }

    [Fact]
    public async Task UninterruptedRun_TradesThroughTheFaults_AndItsJournalReconciles()
    {
        var expected = await reference.GetAsync(server);

        // The reference itself must be a session worth crashing: orders, fills, round trips, faults that fired.
        Assert.True(expected.VenueFills.Count >= 20, $"only {expected.VenueFills.Count} fills");
        Assert.True(expected.EngineTrades >= 8, $"only {expected.EngineTrades} round trips");
        Assert.True(expected.FaultsSeen > 0, "the venue's fault injection should have fired");
        Assert.Equal(expected.VenuePosition, expected.EnginePosition);
        Assert.Equal(expected.VenueCash, expected.EngineCash);
        AssertJournalReconciles(expected.JournalDirectory, expected.VenueFills.Count);
    }

    internal static async Task<RunResult> RunAsync(PostgresServerFixture server, CrashSwitch? crash)
    {
        var bars = LoadBars(260);
        var root = Path.Combine(Path.GetTempPath(), "tradingkit-crash-tests", Guid.NewGuid().ToString("N"));
        await using var db = await server.CreateDatabaseAsync();
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var paper = new PaperVenue(VenueOptions(), clock);
        var store = new PostgresEventStore(db.DataSource, new CatalogEventPayloadSerializer(), clock);
        var appends = new AppendCounter();
        var issues = new List<string>();

        // Process A: runs until it dies (or, without a crash, to the end).
        var processA = crash ?? new CrashSwitch();
        var venueA = new CrashableVenue(paper, processA);
        var engineA = NewEngine(venueA, new CrashableStore(store, processA, appends), clock, new FileSessionJournal(root, new SessionId("crash"), new FileSessionJournalOptions()));
        try
        {
            await engineA.StartAsync();
            foreach (var bar in bars)
            {
                await engineA.ProcessAsync(EngineInput.ForMarketData(bar));
                if (processA.Dead)
                {
                    break;
                }
            }

            if (!processA.Dead)
            {
                await engineA.StopAsync();
            }
        }
        catch (Exception) when (processA.Dead)
        {
            // The process died here: nothing after this point of process A runs.
        }

        // Disposed without a graceful stop when it died (the journal files close; a killed process's records are already
        // with the operating system, FlushEachRecord).
        await engineA.DisposeAsync();
        var engine = engineA;
        CrashableVenue? venueB = null;
        if (processA.Dead)
        {
            // The dead process's connection is gone, and with it every report the venue had queued for it.
            while (paper.Events.TryRead(out _))
            {
            }

            // Process B: a new engine on the same store and venue, its journal resumed.
            var processB = new CrashSwitch();
            venueB = new CrashableVenue(paper, processB);
            var engineB = NewEngine(venueB, new CrashableStore(store, processB, new AppendCounter()), clock,
                new FileSessionJournal(root, new SessionId("crash"), new FileSessionJournalOptions { Resume = true }));
            await engineB.StartAsync();
            issues.AddRange(engineB.LastRecovery?.Issues.Select(i => $"{i.Code}: {i.Message}") ?? []);
            var played = bars.Take(venueA.Played).ToList();
            if (played.Count > 0)
            {
                await engineB.ResumeAfterAsync(played);
            }

            foreach (var bar in bars.Skip(venueA.Played))
            {
                await engineB.ProcessAsync(EngineInput.ForMarketData(bar));
            }

            await engineB.StopAsync();
            await engineB.DisposeAsync();
            engine = engineB;
        }

        var venueFills = (await paper.GetRecentFillsAsync(null, DateTimeOffset.MinValue))
            .OrderBy(f => f.Timestamp).ThenBy(f => f.ClientOrderId.Value, StringComparer.Ordinal)
            .Select(f => $"{f.ClientOrderId} {f.Side} {f.Quantity} @ {f.Price} fee {f.Fee}")
            .ToList();
        var venueOrderIds = new SortedSet<string>(venueA.AcceptedIds.Concat(venueB?.AcceptedIds ?? []), StringComparer.Ordinal);
        foreach (var id in engine.Orders.Orders.Select(o => o.ClientOrderId.Value))
        {
            if (await paper.QueryOrderAsync(Spx, new ClientOrderId(id)) is not null)
            {
                venueOrderIds.Add(id);
            }
        }

        return new RunResult
        {
            Appends = appends.Count,
            AppendTypes = appends.Types,
            Issues = issues,
            VenueOrderIds = [.. venueOrderIds],
            VenueFills = venueFills,
            VenuePosition = (await paper.GetPositionsAsync()).Where(p => p.Symbol == Spx).Sum(p => p.Quantity),
            VenueCash = (await paper.GetBalancesAsync()).Single().Total,
            EnginePosition = engine.Portfolio.GetNetQuantity(Spx),
            EngineCash = engine.Portfolio.Cash,
            EngineRealizedPnl = engine.Portfolio.RealizedPnl,
            EngineTrades = engine.Portfolio.ClosedTrades.Count,
            FaultsSeen = engine.Orders.RejectedCount + venueA.UnknownOutcomes,
            JournalDirectory = Path.Combine(root, "sessions", "crash"),
        };
    }

    /// <summary>
    /// The journal on its own: every fill once, fills add up to the summary's positions, round trips add up to the realised
    /// PnL, and cash plus positions at the last price equal the reported equity.
    /// </summary>
    private static void AssertJournalReconciles(string directory, int venueFills)
    {
        var records = File.ReadAllLines(Path.Combine(directory, "orders_fills.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var fills = records.Where(r => r.GetProperty("type").GetString() == "fill").ToList();
        var tradeIds = fills.Select(f => f.GetProperty("trade_id").GetString()).ToList();
        Assert.Equal(tradeIds.Count, tradeIds.Distinct().Count());
        Assert.Equal(venueFills, fills.Count);

        var submitted = records.Where(r => r.GetProperty("type").GetString() == "order_submitted").Select(r => r.GetProperty("client_order_id").GetString()).ToList();
        Assert.Equal(submitted.Count, submitted.Distinct().Count());

        using var summaryDocument = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
        var summary = summaryDocument.RootElement;
        var position = fills.Sum(f => (f.GetProperty("side").GetString() == "buy" ? 1m : -1m) * f.GetProperty("qty").GetDecimal());
        var reported = summary.GetProperty("final_positions").TryGetProperty("SPX", out var p) ? p.GetDecimal() : 0m;
        Assert.Equal(position, reported);

        var trades = File.ReadAllLines(Path.Combine(directory, "trades.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(summary.GetProperty("trades").GetInt32(), trades.Count);
        // realized_pnl is before fees; the strategy opens from flat and closes to flat, so the trips hold all of it.
        Assert.Equal(summary.GetProperty("realized_pnl").GetDecimal(), trades.Sum(t => t.GetProperty("gross_pnl").GetDecimal()));

        // Cash follows from the fills alone.
        var cash = 100_000m - fills.Sum(f => ((f.GetProperty("side").GetString() == "buy" ? 1m : -1m) * f.GetProperty("qty").GetDecimal() * f.GetProperty("price").GetDecimal())
            + f.GetProperty("fee").GetDecimal());
        Assert.Equal(cash, summary.GetProperty("final_cash").GetDecimal());

        var lastPrice = summary.GetProperty("last_prices").TryGetProperty("SPX", out var lp) ? lp.GetDecimal() : 0m;
        Assert.Equal(summary.GetProperty("final_equity").GetDecimal(), summary.GetProperty("final_cash").GetDecimal() + (reported * lastPrice));
    }

    private static TradingEngine NewEngine(IBrokerAdapter venue, IEventStore store, SimulationTimeProvider clock, ISessionJournal journal)
    {
        var options = new EngineOptions
        {
            SessionId = "crash",
            Execution = { Mode = ExecutionMode.Paper },
            InitialCash = 100_000m,
            JournalHoldDecisions = false,

            // The crash may fall between recording an order and sending it; the restarted engine sends it then, at the same
            // engine time, as the uninterrupted run did.
            ResendUnsentOrdersWithin = TimeSpan.FromHours(1),
        };
        options.Instruments.Add(SpxRules);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        var engine = new TradingEngine(options, venue, store,
            [new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 3, SlowPeriod = 8 })], clock, journal: journal);
        engine.ConfigureRecovery(new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero });
        return engine;
    }

    private static PaperVenueOptions VenueOptions()
    {
        var options = new PaperVenueOptions { InitialCash = 100_000m, TakerFeeBps = 1m, Instruments = [SpxRules] };
        options.Faults.Seed = 11;
        options.Faults.RejectRate = 0.03;
        options.Faults.TransientTimeoutRate = 0.05;
        options.Faults.UnknownOutcomeRate = 0.05;
        options.Faults.DropAckRate = 0.05;
        options.Faults.DropFillReportRate = 0.05;
        return options;
    }

    private static List<Bar> LoadBars(int count)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TradingKit.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return [.. new CsvBarFeed(Path.Combine(dir.FullName, "samples", "TradingKit.Samples.Paper", "data", "sp500-2000.csv"), Spx).ReadAll().Take(count)];
    }

    /// <summary>The uninterrupted session, run once for the class.</summary>
    public sealed class Reference
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private RunResult? _result;

        public async Task<RunResult> GetAsync(PostgresServerFixture server)
        {
            await _gate.WaitAsync();
            try
            {
                return _result ??= await RunAsync(server, null);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    public sealed record RunResult
    {
        public required int Appends { get; init; }

        public required IReadOnlyList<string> AppendTypes { get; init; }

        public required IReadOnlyList<string> Issues { get; init; }

        public required IReadOnlyList<string> VenueOrderIds { get; init; }

        public required IReadOnlyList<string> VenueFills { get; init; }

        public required decimal VenuePosition { get; init; }

        public required decimal VenueCash { get; init; }

        public required decimal EnginePosition { get; init; }

        public required decimal EngineCash { get; init; }

        public required decimal EngineRealizedPnl { get; init; }

        public required int EngineTrades { get; init; }

        public required int FaultsSeen { get; init; }

        public required string JournalDirectory { get; init; }
    }

    /// <summary>Where the simulated process dies: at its n-th append, before or after the append reaches the database.</summary>
    internal sealed class CrashSwitch
    {
        public int DieAtAppend { get; init; } = int.MaxValue;

        public bool PersistFirst { get; init; }

        public bool Dead { get; set; }

        public string? DiedAt { get; set; }
    }

    internal sealed class AppendCounter
    {
        public int Count { get; set; }

        public List<string> Types { get; } = [];
    }

    internal sealed class ProcessCrashedException() : Exception("the process died (test)");

    /// <summary>The engine's store inside the simulated process: dead means no call reaches the database any more.</summary>
    private sealed class CrashableStore(IEventStore inner, CrashSwitch crash, AppendCounter appends) : IEventStore
    {
        public async ValueTask<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            appends.Count++;
            appends.Types.Add(events[0].Payload.GetType().Name);
            if (appends.Count == crash.DieAtAppend)
            {
                if (crash.PersistFirst)
                {
                    await inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
                }

                crash.Dead = true;
                crash.DiedAt = $"{(crash.PersistFirst ? "after" : "before")} append {appends.Count}: {events[0].Payload.GetType().Name} on {streamId}";
                throw new ProcessCrashedException();
            }

            return await inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
        }

        public IAsyncEnumerable<EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);
        }

        public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.ReadStreamAsync(streamId, fromVersion, cancellationToken);
        }

        public IAsyncEnumerable<EventEnvelope> SubscribeAsync(long fromPosition, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.SubscribeAsync(fromPosition, cancellationToken);
        }

        public ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.GetStreamVersionAsync(streamId, cancellationToken);
        }

        public ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.GetLastPositionAsync(cancellationToken);
        }

        private void ThrowIfDead()
        {
            if (crash.Dead)
            {
                throw new ProcessCrashedException();
            }
        }
    }

    /// <summary>The simulated process's connection to the venue: once dead, nothing more reaches the venue or comes back.</summary>
    private sealed class CrashableVenue(PaperVenue inner, CrashSwitch crash) : IBrokerAdapter, IMarketDataListener
    {
        private readonly GatedReader _events = new(inner.Events, crash);

        /// <summary>Market data items the venue played for this process.</summary>
        public int Played { get; private set; }

        public int UnknownOutcomes { get; private set; }

        public HashSet<string> AcceptedIds { get; } = new(StringComparer.Ordinal);

        public string VenueName => inner.VenueName;

        public ChannelReader<VenueEvent> Events => _events;

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.ConnectAsync(cancellationToken);
        }

        public void OnMarketData(MarketDataEvent marketData)
        {
            ThrowIfDead();
            inner.OnMarketData(marketData);
            Played++;
        }

        public async ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            try
            {
                var result = await inner.SubmitAsync(request, cancellationToken);
                if (result.Accepted)
                {
                    AcceptedIds.Add(request.ClientOrderId.Value);
                }

                return result;
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.UnknownOutcome)
            {
                UnknownOutcomes++;
                throw;
            }
        }

        public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.CancelAsync(symbol, clientOrderId, cancellationToken);
        }

        public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.ModifyAsync(request, cancellationToken);
        }

        public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.QueryOrderAsync(symbol, clientOrderId, cancellationToken);
        }

        public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.GetOpenOrdersAsync(symbol, cancellationToken);
        }

        public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.GetPositionsAsync(cancellationToken);
        }

        public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.GetBalancesAsync(cancellationToken);
        }

        public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return inner.GetRecentFillsAsync(symbol, since, cancellationToken);
        }

        private void ThrowIfDead()
        {
            if (crash.Dead)
            {
                throw new ProcessCrashedException();
            }
        }

        private sealed class GatedReader(ChannelReader<VenueEvent> inner, CrashSwitch crash) : ChannelReader<VenueEvent>
        {
            public override bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out VenueEvent item)
            {
                if (crash.Dead)
                {
                    item = null;
                    return false;
                }

                return inner.TryRead(out item);
            }

            public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
                => crash.Dead ? ValueTask.FromResult(false) : inner.WaitToReadAsync(cancellationToken);
        }
    }
}
