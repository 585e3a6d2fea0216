using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TradingKit.DependencyInjection;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Hosting.Tests.Support;

/// <summary>A generic host with a paper engine on in-memory stores, for the hosting tests to add their parts to.</summary>
public static class TestHosts
{
    /// <summary>
    /// The host builder and the TradingKit builder of a paper session: the clock follows the data (a backtest clock, so
    /// the session is repeatable), 100,000 of cash, the paper venue, the moving-average cross (or <paramref name="strategy"/>)
    /// and a journal under <paramref name="journalRoot"/>. The caller adds the hosted engine and the rest.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="journalRoot">Where the journal goes.</param>
    /// <param name="strategy">The strategy; the moving-average cross when null.</param>
    /// <param name="stores">Registers other stores first (for example PostgreSQL); the in-memory ones fill what it leaves.</param>
    public static (HostApplicationBuilder Host, TradingKitBuilder TradingKit) PaperSession(string sessionId, string journalRoot, IStrategy? strategy = null,
        Action<TradingKitBuilder>? stores = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<TimeProvider>(new SimulationTimeProvider(TestBars.RandomWalk(1)[0].OpenTime));
        var tradingKit = builder.Services.AddTradingKit(o =>
            {
                o.SessionId = sessionId;
                o.InitialCash = 100_000m;
                o.Execution.Mode = TradingKit.Execution.ExecutionMode.Paper;
            });
        stores?.Invoke(tradingKit);
        tradingKit
            .UseInMemoryStores()
            .UsePaperVenue(o => o.InitialCash = 100_000m)
            .AddStrategy(strategy ?? new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = TestBars.Spx.Value, FastPeriod = 3, SlowPeriod = 10 }))
            .UseFileJournal(journalRoot);
        return (builder, tradingKit);
    }
}
