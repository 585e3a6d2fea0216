using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Paper;
using TradingKit.Risk;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>Builds the real paper pipeline (engine, OMS, paper venue, in-memory store, file journal) for scenario tests.</summary>
internal sealed class PaperPipeline : IAsyncDisposable
{
    public static readonly Symbol Spx = new("SPX");

    private PaperPipeline(TradingEngine engine, PaperVenue venue, InMemoryEventStore store, string root, FileSessionJournal journal)
    {
        Engine = engine;
        Venue = venue;
        Store = store;
        Root = root;
        Journal = journal;
    }

    public TradingEngine Engine { get; }

    public PaperVenue Venue { get; }

    public InMemoryEventStore Store { get; }

    public string Root { get; }

    public FileSessionJournal Journal { get; }

    public string SessionDirectory => Journal.Directory;

    public static IReadOnlyList<Bar> LoadBars(int count)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TradingKit.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var path = Path.Combine(directory.FullName, "samples", "TradingKit.Samples.Paper", "data", "sp500-2000.csv");
        return new CsvBarFeed(path, Spx).ReadAll().Take(count).ToList();
    }

    public static PaperPipeline Create(IReadOnlyList<Bar> bars, Action<PaperVenueOptions>? paper = null, IRiskGuard? risk = null,
        int fast = 5, int slow = 20, string? root = null, IEnumerable<IStrategy>? strategies = null,
        ExecutionMode mode = ExecutionMode.Paper, KillSwitch? killSwitch = null, Func<PaperVenue, Brokers.IBrokerAdapter>? wrap = null,
        Func<TimeProvider, Execution.Approvals.ApprovalGate>? approvals = null, Notifications.INotifier? notifier = null,
        Stores.IProjectionStore? projections = null, Action<EngineOptions>? configure = null, SimulationTimeProvider? clock = null,
        Stores.ISymbolLockService? symbolLocks = null, Stores.IWorkerRegistry? workers = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "tradingkit-tests", Guid.NewGuid().ToString("N"));
        clock ??= new SimulationTimeProvider(bars[0].OpenTime);
        var instrument = new Instrument(Spx, tickSize: 0.000001m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);
        var paperOptions = new PaperVenueOptions { InitialCash = 100_000m, SlippageBps = 2m, TakerFeeBps = 1m, Instruments = [instrument] };
        paper?.Invoke(paperOptions);
        var venue = new PaperVenue(paperOptions, clock);
        var store = new InMemoryEventStore(clock);
        var options = new EngineOptions { SessionId = "test-session", InitialCash = 100_000m, Execution = { Mode = mode, RequireApproval = approvals is not null } };
        options.Instruments.Add(instrument);
        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        configure?.Invoke(options);
        var journal = new FileSessionJournal(root, new SessionId("test-session"));
        strategies ??= [new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = fast, SlowPeriod = slow })];
        var engine = new TradingEngine(options, wrap?.Invoke(venue) ?? venue, store, strategies, clock, risk, journal, killSwitch: killSwitch,
            approvalGate: approvals?.Invoke(clock), notifier: notifier, projections: projections, symbolLocks: symbolLocks, workers: workers);
        return new PaperPipeline(engine, venue, store, root, journal);
    }

    public Task<SessionSummaryRecord> RunAsync(IReadOnlyList<Bar> bars) => Engine.RunAsync(new ListFeed(bars));

    public IReadOnlyList<JsonElement> ReadJsonl(string name)
        => [.. File.ReadAllLines(Path.Combine(SessionDirectory, name)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    public JsonElement ReadJson(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(SessionDirectory, name))).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind does not change any result.
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
