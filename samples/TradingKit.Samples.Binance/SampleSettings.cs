using System.Globalization;
using Microsoft.Extensions.Configuration;
using TradingKit.Binance.Configuration;
using TradingKit.Engine;
using TradingKit.Errors;
using TradingKit.Execution;
using TradingKit.Risk;
using TradingKit.Strategies;

namespace TradingKit.Samples.Binance;

/// <summary>Bad input given to the sample: reported as one line, exit code 2.</summary>
internal sealed class SampleInputException(string message) : Exception(message);

/// <summary>Everything the sample runs with, read from appsettings.json, TRADINGKIT_ environment variables and the command line.</summary>
internal sealed class SampleSettings
{
    private static readonly string[] Sections = ["Sample", "Execution", "Binance", "Engine", "Strategy", "Risk", "Oms", "Logging"];

    private static readonly Dictionary<string, string> Shortcuts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--symbol"] = "Sample:Symbol",
        ["--interval"] = "Sample:Interval",
        ["--bars"] = "Sample:MaxBars",
        ["--out"] = "Sample:Out",
        ["--mode"] = "Execution:Mode",
        ["--env"] = "Binance:Environment",
    };

    // The sample's own defaults, so it behaves the same without appsettings.json: dry run, testnet, a small USDT account.
    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Execution:Mode"] = "dry-run",
        ["Binance:Environment"] = "Testnet",
        ["Engine:AccountId"] = "binance-usdm",
        ["Engine:InitialCash"] = "1000",
        ["Engine:Currency"] = "USDT",
        ["Strategy:EquityFraction"] = "0.5",
    };

    private static readonly HashSet<string> Intervals = new(StringComparer.Ordinal)
    {
        "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M",
    };

    public const string Usage = """
        TradingKit Binance sample: the moving-average-cross strategy on live Binance USDⓈ-M klines.

        Usage: dotnet run --project samples/TradingKit.Samples.Binance -- [options]

          --mode <mode>        dry-run (default: decisions and order intents are journaled, no order leaves) or live
          --env <environment>  Testnet (default) or Production; live orders go there
          --symbol <symbol>    the futures symbol (default BTCUSDT)
          --interval <i>       kline interval: 1m (default), 3m, 5m, 15m, 30m, 1h, ... 1d, 1w, 1M
          --bars <n>           stop after n closed bars (default 0: run until Ctrl+C)
          --out <dir>          journal folder; sessions go to <dir>/sessions/<session_id>/ (default ./out)
          --Binance:RestBaseUrl <url>    REST base URL instead of the environment's (a proxy, a local fake venue)
          --Binance:StreamBaseUrl <url>  stream base URL instead of the environment's
          --Section:Key value  any setting of appsettings.json, e.g. --Strategy:FastPeriod 5 --Risk:DailyLossLimit 50
          --help               this text

        Live mode needs Binance:ApiKey and Binance:ApiSecret (set them as environment variables TRADINGKIT_Binance__ApiKey and
        TRADINGKIT_Binance__ApiSecret, never on the command line) and an enabled risk guard with at least Risk:DailyLossLimit,
        Risk:MaxPosition and Risk:MaxOrderNotional (or Risk:CapitalLimit). Keys are never printed.
        """;

    public required IConfiguration Configuration { get; init; }

    public required string Symbol { get; init; }

    public required string Interval { get; init; }

    public required int MaxBars { get; init; }

    public required string OutputRoot { get; init; }

    public required ExecutionOptions Execution { get; init; }

    public required BinanceUsdmOptions Binance { get; init; }

    public required EngineOptions Engine { get; init; }

    public required MovingAverageCrossOptions Strategy { get; init; }

    public required RiskOptions Risk { get; init; }

    /// <summary>Reads and checks the settings; null when help was asked for.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="basePath">Where appsettings.json is looked for; the app's folder when null.</param>
    public static SampleSettings? Load(string[] args, string? basePath = null)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            return null;
        }

        CheckArguments(args);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(basePath ?? AppContext.BaseDirectory)
            .AddInMemoryCollection(Defaults)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables("TRADINGKIT_")
            .AddCommandLine(args, Shortcuts)
            .Build();

        var symbol = (configuration["Sample:Symbol"] is { Length: > 0 } s ? s : "BTCUSDT").ToUpperInvariant();
        var interval = configuration["Sample:Interval"] is { Length: > 0 } i ? i : "1m";
        if (!Intervals.Contains(interval))
        {
            throw new SampleInputException($"--interval must be one of {string.Join(", ", Intervals)} (got '{interval}')");
        }

        var execution = Bind<ExecutionOptions>(configuration, "Execution");
        if (execution.Mode is not (ExecutionMode.DryRun or ExecutionMode.Live))
        {
            throw new SampleInputException(
                $"Execution:Mode {execution.Mode.ToConfigValue()} is not for this sample: use dry-run (the default) or live; the paper sample runs paper mode.");
        }

        var binance = Bind<BinanceUsdmOptions>(configuration, "Binance");
        if (!binance.Symbols.Contains(symbol))
        {
            binance.Symbols.Add(symbol);
        }

        var engine = Bind<EngineOptions>(configuration, "Engine");
        engine.Execution = execution;
        var strategy = Bind<MovingAverageCrossOptions>(configuration, "Strategy");
        strategy.Symbol = symbol;
        var risk = Bind<RiskOptions>(configuration, "Risk");

        return new SampleSettings
        {
            Configuration = configuration,
            Symbol = symbol,
            Interval = interval,
            MaxBars = ParseInt(configuration["Sample:MaxBars"], "--bars", min: 0, max: 1_000_000),
            OutputRoot = Path.GetFullPath(configuration["Sample:Out"] is { Length: > 0 } o ? o : "out"),
            Execution = execution,
            Binance = binance,
            Engine = engine,
            Strategy = strategy,
            Risk = risk,
        };
    }

    /// <summary>The checks that need no venue: options of every section, keys for live mode.</summary>
    /// <exception cref="TradingKitException">An option is invalid (<c>INVALID_OPTIONS</c>) or live mode has no keys.</exception>
    public void Validate()
    {
        Binance.Validate();
        Engine.Validate();
        Strategy.Validate();
        Risk.ValidateOrThrow();
        if (Execution.Mode == ExecutionMode.Live && !Binance.HasCredentials)
        {
            throw new TradingKitException(TradingKit.Binance.BinanceErrorCodes.CredentialsMissing,
                "Live mode sends orders and needs Binance:ApiKey and Binance:ApiSecret (environment variables TRADINGKIT_Binance__ApiKey, " +
                "TRADINGKIT_Binance__ApiSecret); none are configured. Run without --mode live for a dry run.");
        }
    }

    private static void CheckArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new SampleInputException($"unexpected argument '{arg}'; options look like --mode live or --Section:Key value");
            }

            var key = arg.Split('=', 2)[0];
            var known = Shortcuts.ContainsKey(key) ||
                (key.Contains(':', StringComparison.Ordinal) && Sections.Contains(key[2..].Split(':')[0], StringComparer.OrdinalIgnoreCase));
            if (!known)
            {
                throw new SampleInputException($"unknown option '{key}'");
            }

            if (key.Contains("ApiSecret", StringComparison.OrdinalIgnoreCase) || key.Contains("ApiKey", StringComparison.OrdinalIgnoreCase))
            {
                // A secret on the command line ends up in shell history and process listings.
                throw new SampleInputException($"{key} must not be given on the command line; set it as an environment variable (TRADINGKIT_Binance__ApiKey, TRADINGKIT_Binance__ApiSecret)");
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
            throw new SampleInputException($"invalid setting in section '{section}': {Innermost(ex).Message}");
        }
        catch (TradingKitException ex)
        {
            throw new SampleInputException($"invalid setting in section '{section}': {ex.Message}");
        }

        return value;
    }

    private static Exception Innermost(Exception ex)
    {
        // The binder wraps a converter's own explanation (Execution:Mode 'x' is not one of ...) once or twice.
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner is FormatException or ArgumentException ? ex : inner;
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
}
