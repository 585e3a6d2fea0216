using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Execution;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Paper;
using TradingKit.Paper.Durability;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Samples.Paper;

/// <summary>Composes the paper pipeline and runs one session.</summary>
internal static class PaperSession
{
    public static async Task<int> RunAsync(SampleSettings settings)
    {
        var bars = new CsvBarFeed(settings.DataPath, new Symbol(settings.Symbol)).ReadAll();
        if (bars.Count == 0)
        {
            throw new SampleInputException($"data file '{settings.DataPath}' has no bars");
        }

        // The clock follows the data, so a run is repeatable and as fast as the CPU allows.
        var clock = new SimulationTimeProvider(bars[0].OpenTime);
        var venueFileExisted = settings.VenueStatePath is { } path && FilePaperVenueStore.HasState(path);
        using var venue = settings.VenueStatePath is { } statePath ? OpenVenue(settings, statePath, bars, clock) : null;
        var resumeAt = ResumePoint(venue, bars, settings);
        if (resumeAt > 0)
        {
            clock.AdvanceTo(bars[resumeAt].Timestamp);
        }

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddConfiguration(settings.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        services.AddSingleton<TimeProvider>(clock);
        var builder = services.AddTradingKit(o => Copy(settings.Engine, o));
        if (settings.PostgresConnectionString is { } connectionString)
        {
            builder.UsePostgres(connectionString);
        }

        builder.UseInMemoryStores();
        if (venue is not null)
        {
            // The container disposes it too when the session ends; closing the store twice is harmless.
            builder.UseBroker(_ => venue);
        }
        else
        {
            builder.UsePaperVenue(o => Copy(settings.Paper, o));
        }

        builder
            .AddStrategy(new MovingAverageCrossStrategy(settings.Strategy))
            .UseRiskGuard(settings.Risk)
            .UseApprovalGate(new TradingKit.Execution.Approvals.ApprovalGateOptions { SigningKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) })
            .UseFileJournal(settings.OutputRoot, o => o.Resume = settings.Resumable);

        await using var provider = services.BuildServiceProvider();
        if (settings.PostgresConnectionString is not null)
        {
            await provider.GetRequiredService<TradingKit.Postgres.PostgresMigrator>().MigrateAsync().ConfigureAwait(false);
            if (venue is not null
                && await SessionLogCheck.FindMismatchAsync(provider.GetRequiredService<TradingKit.Stores.IEventStore>(), new SessionId(settings.Engine.SessionId!),
                    venue.InputsReplayed, settings.VenueStatePath!, CancellationToken.None).ConfigureAwait(false) is { } mismatch)
            {
                // Refused before anything reached the log; a venue state file this run created goes too, so the same
                // command on the right database starts clean.
                venue.Dispose();
                if (!venueFileExisted)
                {
                    DeleteNewVenueState(settings.VenueStatePath!);
                }

                throw new SampleInputException(mismatch);
            }
        }
        await using var engine = provider.GetRequiredService<TradingEngine>();

        Console.WriteLine($"TradingKit paper session {engine.SessionId}: {bars.Count} bars of {settings.Symbol} " +
            $"({bars[0].Timestamp:yyyy-MM-dd} to {bars[^1].Timestamp:yyyy-MM-dd}), strategy {settings.Strategy.StrategyId} " +
            $"({settings.Strategy.FastPeriod}/{settings.Strategy.SlowPeriod}), initial cash {settings.Engine.InitialCash.ToString("N2", CultureInfo.InvariantCulture)} {settings.Engine.Currency}");
        if (venue is not null)
        {
            Console.WriteLine(venue.InputsReplayed == 0
                ? $"Paper venue state: {settings.VenueStatePath} (new)"
                : $"Paper venue state: {settings.VenueStatePath} ({venue.InputsReplayed} inputs replayed; played {resumeAt + 1} of {bars.Count} bars, up to {bars[resumeAt].Timestamp:yyyy-MM-dd})");
        }

        if (resumeAt > 0)
        {
            // Recovery (in StartAsync) rebuilds orders and the portfolio from the log and reconciles them with the venue; the
            // strategy then sees the bars before the venue's last one again, with its decisions dropped. The venue's last bar
            // goes through the loop once more: the venue ignores it (already played) and the strategy decides about it, which
            // the crash may have prevented; a decision it had already acted on gets the same client order id and is refused as a duplicate.
            await engine.StartAsync().ConfigureAwait(false);
            if (engine.LastRecovery is { } recovery)
            {
                var drifts = recovery.Reconciliation.Drifts;
                var external = drifts.Count(static d => d.Type is TradingKit.Reconciliation.DriftType.ExternalFill or TradingKit.Reconciliation.DriftType.ExternalOrder);
                Console.WriteLine($"Recovered: {recovery.OrdersRestored} orders from {recovery.EventsReplayed} events ({engine.Orders.RetiredOrderCount} retired); " +
                    $"start-up reconciliation: {drifts.Count} drift(s), {drifts.Count(static d => d.Repaired)} repaired, {external} external");
            }

            var warmed = engine.WarmUp(bars.Take(resumeAt));
            Console.WriteLine($"Resumed: strategy warmed up on {warmed} bars; continuing from bar {resumeAt + 1} ({bars[resumeAt].Timestamp:yyyy-MM-dd})");
        }

        var progress = new ConsoleProgress(bars.Count, resumeAt);
        var summary = await engine.RunAsync(new PacedFeed(bars.Skip(resumeAt).ToList(), settings.PaceMilliseconds), progress).ConfigureAwait(false);
        progress.Done();

        PrintSummary(summary, settings.Engine.Currency, Path.Combine(settings.OutputRoot, "sessions", engine.SessionId.Value));
        Console.WriteLine($"Mode {engine.ExecutionPolicy.Mode.ToConfigValue()}, engine {engine.State}, kill switch {(engine.KillSwitch?.IsOn == true ? "ON" : "off")}");
        return 0;
    }

    private static void DeleteNewVenueState(string path)
    {
        File.Delete(path);
        var directory = Path.GetDirectoryName(path);
        if (directory is not null && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }
    }

    private static DurablePaperVenue OpenVenue(SampleSettings settings, string statePath, IReadOnlyList<Bar> bars, TimeProvider clock)
    {
        var options = new PaperVenueOptions();
        Copy(settings.Paper, options);

        // Replaying the venue's inputs into a venue trading other data would make a different venue: the store refuses it.
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["data"] = Path.GetFileName(settings.DataPath),
            ["data_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(settings.DataPath))),
            ["symbol"] = settings.Symbol,
            ["bars"] = bars.Count.ToString(CultureInfo.InvariantCulture),
        };
        return DurablePaperVenue.Open(options, new FilePaperVenueStore(statePath, new FilePaperVenueStoreOptions { FlushToDisk = settings.VenueFlushToDisk }), clock, labels);
    }

    /// <summary>The index of the bar the venue played last (the one a resumed session continues from); 0 for a new session.</summary>
    private static int ResumePoint(DurablePaperVenue? venue, IReadOnlyList<Bar> bars, SampleSettings settings)
    {
        if (venue?.LastPlayed(new Symbol(settings.Symbol)) is not { } last)
        {
            return 0;
        }

        var index = -1;
        for (var i = 0; i < bars.Count && index < 0; i++)
        {
            index = bars[i] == last ? i : -1;
        }

        if (index < 0)
        {
            throw new SampleInputException($"the paper venue state {settings.VenueStatePath} has played a bar at {last.Timestamp:O} that is not in {settings.DataPath}");
        }

        return index;
    }

    private static void Copy<T>(T from, T to)
        where T : class
    {
        // Options types are plain settable classes; the settings were already bound and checked.
        foreach (var property in typeof(T).GetProperties())
        {
            if (property.CanWrite && property.CanRead)
            {
                property.SetValue(to, property.GetValue(from));
            }
        }

        if (from is EngineOptions source && to is EngineOptions target)
        {
            foreach (var instrument in source.Instruments)
            {
                target.Instruments.Add(instrument);
            }
        }
    }

    private static void PrintSummary(SessionSummaryRecord s, string currency, string journal)
    {
        static string Money(decimal value) => value.ToString("N2", CultureInfo.InvariantCulture);
        var rows = new (string Name, string Value)[]
        {
            ("Round trips", s.Trades.ToString(CultureInfo.InvariantCulture)),
            ("Wins / losses", $"{s.Wins} / {s.Losses}"),
            ("Win rate", s.WinRate.ToString("P1", CultureInfo.InvariantCulture)),
            ("Average PnL per trip", Money(s.AveragePnl)),
            ("Worst trip", Money(s.MaxLoss)),
            ("Realised PnL", Money(s.RealizedPnl)),
            ("Unrealised PnL", Money(s.UnrealizedPnl)),
            ("Fees", Money(s.Fees)),
            ("Slippage", Money(s.Slippage)),
            ("Max drawdown", Money(s.MaxDrawdown)),
            ("Final cash", Money(s.FinalCash)),
            ("Final equity", Money(s.FinalEquity)),
            ("Orders sent / rejected / denied", $"{s.OrdersSubmitted} / {s.OrdersRejected} / {s.OrdersDenied}"),
            ("Fills", s.Fills.ToString(CultureInfo.InvariantCulture)),
        };
        var width = rows.Max(r => r.Name.Length);
        Console.WriteLine();
        Console.WriteLine($"Session summary ({currency})");
        Console.WriteLine(new string('-', width + 22));
        foreach (var (name, value) in rows)
        {
            Console.WriteLine($"{name.PadRight(width)}  {value,20}");
        }

        foreach (var (symbol, qty) in s.FinalPositions)
        {
            Console.WriteLine($"{("Position " + symbol).PadRight(width)}  {qty.ToString(CultureInfo.InvariantCulture),20}");
        }

        Console.WriteLine(new string('-', width + 22));
        Console.WriteLine($"Journal: {journal}");
    }

    /// <summary>Replays bars, optionally at a human pace.</summary>
    private sealed class PacedFeed(IReadOnlyList<Bar> bars, int paceMilliseconds) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var bar in bars)
            {
                if (paceMilliseconds > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(paceMilliseconds), TimeProvider.System, cancellationToken).ConfigureAwait(false);
                }

                yield return bar;
            }
        }
    }

    /// <summary>Shows how far the session is: a live line on a terminal, a few lines when redirected.</summary>
    /// <param name="total">Bars in the data.</param>
    /// <param name="offset">Bars a resumed session does not play again.</param>
    private sealed class ConsoleProgress(int total, int offset) : IProgress<long>
    {
        private long _lastPrinted = -1;

        public void Report(long processed)
        {
            var value = processed + offset;
            if (Console.IsOutputRedirected)
            {
                if (value * 4 / total > _lastPrinted * 4 / Math.Max(1, total) || _lastPrinted < 0)
                {
                    _lastPrinted = value;
                    Console.WriteLine($"  processed {value}/{total} bars");
                }

                return;
            }

            _lastPrinted = value;
            Console.Write($"\r  processed {value}/{total} bars ({value * 100 / total}%)");
        }

        public void Done()
        {
            if (!Console.IsOutputRedirected)
            {
                Console.Write($"\r  processed {total}/{total} bars (100%)\n");
            }
            else
            {
                Console.WriteLine($"  processed {total}/{total} bars");
            }
        }
    }
}
