using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TradingKit.Binance;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Risk;
using TradingKit.Strategies;

namespace TradingKit.Samples.Binance;

/// <summary>Composes the Binance pipeline (the paper sample's composition with Binance as venue and feed) and runs one session.</summary>
internal static class BinanceSession
{
    /// <summary>Runs one session until <see cref="SampleSettings.MaxBars"/> closed bars (or cancellation).</summary>
    /// <returns>The session summary and, in dry run, the broker that stood in for the venue.</returns>
    public static async Task<(SessionSummaryRecord Summary, string JournalFolder, DryRunBroker? DryRun)> RunAsync(
        SampleSettings settings, TimeProvider time, TextWriter output, CancellationToken cancellationToken)
    {
        settings.Validate();
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddConfiguration(settings.Configuration.GetSection("Logging"))
            .AddSimpleConsole(o => o.SingleLine = true));
        var venue = new BinanceUsdmBroker(settings.Binance, time, loggerFactory);
        await using var venueLifetime = venue.ConfigureAwait(false);

        // The symbol's tick, step and minimum notional come from exchangeInfo: a public call, no key, no order.
        var instrument = await venue.GetInstrumentAsync(new Symbol(settings.Symbol), cancellationToken).ConfigureAwait(false);
        settings.Strategy.QuantityStep = instrument.StepSize;

        // Checked before anything can be sent: live mode refuses to start without an enabled, configured risk guard.
        var guard = new RiskGuard(settings.Risk, killSwitch: null, instruments: new Dictionary<Symbol, Instrument> { [instrument.Symbol] = instrument });
        var policy = new ExecutionPolicy(settings.Execution, settings.Risk, guard);
        policy.Validate();
        var dryRun = policy.Disposition == SubmitDisposition.Send ? null : new DryRunBroker(venue, time, output);
        var broker = dryRun is null ? (IBrokerAdapter)venue : dryRun;

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddConfiguration(settings.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        services.AddSingleton(time);
        services.AddTradingKit(o => Configure(o, settings.Engine, instrument))
            .UseInMemoryStores()
            .UseBroker(_ => broker)
            .AddStrategy(new MovingAverageCrossStrategy(settings.Strategy))
            .UseRiskGuard(_ => guard)
            .UseFileJournal(settings.OutputRoot);

        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<TradingEngine>();
        engine.Orders.AddObserver(new DryRunPrinter(output));
        await using var engineLifetime = engine.ConfigureAwait(false);
        var journal = Path.Combine(settings.OutputRoot, "sessions", engine.SessionId.Value);

        await output.WriteLineAsync(
            $"TradingKit Binance session {engine.SessionId}: {settings.Execution.Mode.ToConfigValue()} on {settings.Binance.Environment} " +
            $"({settings.Binance.EffectiveRestBaseUrl}), {settings.Symbol} {settings.Interval} klines, strategy {settings.Strategy.StrategyId} " +
            $"({settings.Strategy.FastPeriod}/{settings.Strategy.SlowPeriod}), keys {(settings.Binance.HasCredentials ? settings.Binance.MaskedApiKey : "none")}")
            .ConfigureAwait(false);
        if (dryRun is not null)
        {
            await output.WriteLineAsync("  dry run: decisions and order intents are journaled; no order is sent (--mode live sends them).").ConfigureAwait(false);
        }

        var feed = new BinanceMarketDataFeed(settings.Binance, [new BinanceMarketStream(instrument.Symbol, BinanceMarketStreamKind.Kline, settings.Interval)],
            time, loggerFactory);
        await using var feedLifetime = feed.ConfigureAwait(false);
        SessionSummaryRecord summary;
        try
        {
            summary = await engine.RunAsync(new BarCountingFeed(feed, settings.MaxBars, output), progress: null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the run ends at once, so the summary and the journal's last records are written here.
            summary = await engine.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Session summary: {summary.OrdersSubmitted} order(s) sent, {summary.OrdersDenied} intent(s) {(dryRun is null ? "denied" : "journaled, not sent (dry run)")}, " +
            $"{summary.Fills} fill(s), realised PnL {summary.RealizedPnl:N2} {settings.Engine.Currency}"))
            .ConfigureAwait(false);
        await output.WriteLineAsync($"Journal: {journal}").ConfigureAwait(false);
        return (summary, journal, dryRun);
    }

    private static void Configure(EngineOptions target, EngineOptions source, Instrument instrument)
    {
        target.SessionId = source.SessionId;
        target.AccountId = source.AccountId;
        target.Execution = source.Execution;
        target.InitialCash = source.InitialCash;
        target.Currency = source.Currency;
        target.TimerInterval = source.TimerInterval;
        target.JournalHoldDecisions = source.JournalHoldDecisions;
        target.Oms = source.Oms;

        // Live klines carry real time: the engine's clock is the host's, never moved by the data.
        target.DriveClockFromMarketData = false;
        target.Instruments.Add(instrument);
    }

    /// <summary>Passes the feed through, prints each closed bar, and ends after <c>maxBars</c> of them (0: never).</summary>
    private sealed class BarCountingFeed(IMarketDataFeed inner, int maxBars, TextWriter output) : IMarketDataFeed
    {
        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var bars = 0;
            await foreach (var item in inner.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item is Bar bar)
                {
                    bars++;
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  bar {bars} {bar.Symbol} closed {bar.Timestamp:yyyy-MM-dd HH:mm:ss} at {bar.Close}")).ConfigureAwait(false);
                }

                yield return item;
                if (maxBars > 0 && bars >= maxBars)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Shows each intent the engine's dry-run gate journaled instead of sending.</summary>
    private sealed class DryRunPrinter(TextWriter output) : TradingKit.Oms.IOrderObserver
    {
        public void OnOrderChanged(TradingKit.Oms.OrderChange change)
        {
            if (change.Kind == TradingKit.Oms.OrderChangeKind.Denied && change.VenueCode == TradingKit.Errors.ErrorCodes.ExecutionDryRun)
            {
                var order = change.Order;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  DRY RUN {change.Timestamp:yyyy-MM-dd HH:mm:ss} {order.Side} {order.Quantity} {order.Symbol} {order.Type} ({order.ClientOrderId}): not sent"));
            }
        }
    }
}
