using System.Globalization;
using Microsoft.Extensions.Configuration;
using TradingKit.Engine;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.Oms;
using TradingKit.Paper;
using TradingKit.Risk;
using TradingKit.Strategies;

namespace TradingKit.Samples.Paper;

/// <summary>Bad input given to the sample: reported as one line, exit code 2.</summary>
internal sealed class SampleInputException(string message) : Exception(message);

/// <summary>Everything the sample runs with, read from appsettings.json, TRADINGKIT_ environment variables and the command line.</summary>
internal sealed class SampleSettings
{
    private static readonly string[] Sections = ["Sample", "Store", "Session", "Venue", "Engine", "Execution", "Risk", "Strategy", "Paper", "Oms", "Logging"];

    private static readonly Dictionary<string, string> Shortcuts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--data"] = "Sample:Data",
        ["--symbol"] = "Sample:Symbol",
        ["--out"] = "Sample:Out",
        ["--pace"] = "Sample:Pace",
        ["--seed"] = "Paper:Faults:Seed",
    };

    public const string Usage = """
        TradingKit paper sample: the moving-average-cross strategy over real S&P 500 daily bars, through the paper venue.

        Usage: dotnet run --project samples/TradingKit.Samples.Paper -- [options]

          --data <csv>         bars to trade (date,open,high,low,close,adjclose,volume); default: the bundled S&P 500 data
          --symbol <name>      symbol name for the bars (default SPX)
          --out <dir>          journal folder; sessions go to <dir>/sessions/<session_id>/ (default ./out)
          --seed <n>           seed of the paper venue's fault injection (default 42)
          --pace <ms>          play the data at this many milliseconds per bar (default 0: as fast as possible)
          --Store:Kind postgres --Store:ConnectionString "Host=...;Username=...;Database=..."
                               keep the event log in PostgreSQL (default: in memory)
          --Session:Id <id>    name the session; run again with the same id (and store) to resume it after a crash or a stop.
                               Needs --Store:Kind postgres. The paper venue then keeps its own state in
                               <out>/sessions/<id>/venue.jsonl (or --Venue:StatePath <file>), apart from the event log
          --Venue:FlushToDisk false
                               hand each venue record to the OS instead of forcing it to disk (survives kill -9, not a power cut)
          --Section:Key value  any setting of appsettings.json, e.g. --Strategy:FastPeriod 5 --Paper:SlippageBps 3,
                               --Execution:Mode dry-run, --Risk:MaxOrderNotional 50000, --Risk:KillSwitch:InitialState on
          --help               this text

        Environment variables prefixed TRADINGKIT_ also apply (TRADINGKIT_Engine__InitialCash=50000).
        """;

    public required IConfiguration Configuration { get; init; }

    public required string DataPath { get; init; }

    public required string Symbol { get; init; }

    public required string OutputRoot { get; init; }

    public required int PaceMilliseconds { get; init; }

    /// <summary>The PostgreSQL connection string when <c>--Store:Kind postgres</c>; null for the in-memory stores.</summary>
    public required string? PostgresConnectionString { get; init; }

    /// <summary>True when <c>--Session:Id</c> names a session that may already have run: its journal and venue state are resumed.</summary>
    public required bool Resumable { get; init; }

    /// <summary>The durable paper venue's state file; null for an in-memory venue.</summary>
    public required string? VenueStatePath { get; init; }

    /// <summary>Whether the durable venue forces each record to disk.</summary>
    public required bool VenueFlushToDisk { get; init; }

    public required EngineOptions Engine { get; init; }

    public required MovingAverageCrossOptions Strategy { get; init; }

    public required RiskOptions Risk { get; init; }

    public required PaperVenueOptions Paper { get; init; }

    /// <summary>Reads and checks the settings; null when help was asked for.</summary>
    public static SampleSettings? Load(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            return null;
        }

        CheckArguments(args);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables("TRADINGKIT_")
            .AddCommandLine(args, Shortcuts)
            .Build();

        var symbol = configuration["Sample:Symbol"] is { Length: > 0 } s ? s : "SPX";
        var engine = Bind<EngineOptions>(configuration, "Engine");
        engine.Oms = Bind<OmsOptions>(configuration, "Oms");
        engine.Execution = Bind<ExecutionOptions>(configuration, "Execution");
        var risk = Bind<RiskOptions>(configuration, "Risk");
        if (risk.Validate() is { Count: > 0 } problems)
        {
            throw new SampleInputException("invalid Risk settings: " + string.Join("; ", problems));
        }
        var instrument = new Instrument(symbol, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);
        engine.Instruments.Add(instrument);

        var strategy = Bind<MovingAverageCrossOptions>(configuration, "Strategy");
        strategy.Symbol = symbol;
        var paper = Bind<PaperVenueOptions>(configuration, "Paper");
        paper.InitialCash = engine.InitialCash;
        paper.Currency = engine.Currency;
        paper.Instruments = [instrument];

        var pace = ParseInt(configuration["Sample:Pace"], "--pace", min: 0, max: 60_000);
        var storeKind = configuration["Store:Kind"] is { Length: > 0 } k ? k : "memory";
        var durableStore = string.Equals(storeKind, "postgres", StringComparison.OrdinalIgnoreCase);
        var sessionId = configuration["Session:Id"] is { Length: > 0 } id ? id.Trim() : null;
        var venueState = configuration["Venue:StatePath"] is { Length: > 0 } v ? v : null;
        var flushToDisk = ParseBool(configuration["Venue:FlushToDisk"], "--Venue:FlushToDisk", fallback: true);
        if (sessionId is not null && !durableStore)
        {
            throw new SampleInputException(
                "--Session:Id resumes a session, which needs a durable event log: add --Store:Kind postgres --Store:ConnectionString \"...\" (in-memory stores forget everything when the process ends)");
        }

        if (venueState is not null && sessionId is null)
        {
            throw new SampleInputException("--Venue:StatePath keeps the paper venue's state for a session that can be resumed: give --Session:Id <id> and --Store:Kind postgres too");
        }

        if (sessionId is not null)
        {
            if (!string.IsNullOrWhiteSpace(engine.SessionId) && !string.Equals(engine.SessionId, sessionId, StringComparison.Ordinal))
            {
                throw new SampleInputException($"--Session:Id '{sessionId}' and --Engine:SessionId '{engine.SessionId}' disagree; give one");
            }

            engine.SessionId = sessionId;

            // Start-up recovery may send again an order the log recorded but the venue never saw, if it was decided on the
            // bar the venue played last: the crash came between the two, and the uninterrupted session would have sent it.
            engine.ResendUnsentOrdersWithin ??= TimeSpan.Zero;
        }

        var outputRoot = Path.GetFullPath(configuration["Sample:Out"] is { Length: > 0 } o ? o : "out");
        if (sessionId is not null)
        {
            venueState = Path.GetFullPath(venueState ?? Path.Combine(outputRoot, "sessions", sessionId, "venue.jsonl"));
        }

        string? connectionString = null;
        if (durableStore)
        {
            connectionString = configuration["Store:ConnectionString"];
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new SampleInputException("--Store:Kind postgres needs --Store:ConnectionString \"Host=...;Username=...;Password=...;Database=...\"");
            }

            // A durable store keeps every session: unless a session id is given, each run gets its own.
            if (string.IsNullOrWhiteSpace(engine.SessionId))
            {
                engine.SessionId = "s-" + DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture);

                // A new paper account on a log that may hold earlier runs: nothing of theirs is this account's to recover.
                engine.RecoverOnStart = false;
            }
        }
        else if (!string.Equals(storeKind, "memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new SampleInputException($"--Store:Kind must be memory or postgres (got '{storeKind}')");
        }
        return new SampleSettings
        {
            Configuration = configuration,
            DataPath = ResolveDataPath(configuration["Sample:Data"] ?? "data/sp500-2000.csv"),
            Symbol = symbol,
            OutputRoot = outputRoot,
            PaceMilliseconds = pace,
            PostgresConnectionString = connectionString,
            Resumable = sessionId is not null,
            VenueStatePath = venueState,
            VenueFlushToDisk = flushToDisk,
            Engine = engine,
            Strategy = strategy,
            Risk = risk,
            Paper = paper,
        };
    }

    private static void CheckArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new SampleInputException($"unexpected argument '{arg}'; options look like --data <csv> or --Section:Key value");
            }

            var key = arg.Split('=', 2)[0];
            var known = Shortcuts.ContainsKey(key) ||
                (key.Contains(':', StringComparison.Ordinal) && Sections.Contains(key[2..].Split(':')[0], StringComparer.OrdinalIgnoreCase));
            if (!known)
            {
                throw new SampleInputException($"unknown option '{key}'");
            }

            if (!arg.Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new SampleInputException($"option '{key}' needs a value");
                }

                i++;
            }
        }
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var value = new T();
        try
        {
            configuration.GetSection(section).Bind(value, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new SampleInputException($"invalid setting in section '{section}': {(ex.InnerException ?? ex).Message}");
        }

        return value;
    }

    private static int ParseInt(string? text, string option, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new SampleInputException($"{option} must be a whole number from {min} to {max} (got '{text}')");
        }

        return value;
    }

    private static bool ParseBool(string? text, string option, bool fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var value) ? value : throw new SampleInputException($"{option} must be true or false (got '{text}')");
    }

    private static string ResolveDataPath(string path)
    {
        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, path);
        if (!Path.IsPathRooted(path) && File.Exists(besideApp))
        {
            return besideApp;
        }

        throw new SampleInputException($"data file '{path}' not found");
    }
}
