using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Postgres.Tests;

/// <summary>The paper pipeline composed like the sample with <c>--Store:Kind postgres</c>: everything it journals is in the database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PaperSessionOnPostgresTests(PostgresServerFixture server)
{
    [Fact]
    public async Task PaperSession_OnPostgres_StoresEveryJournaledOrderAndFill_AsCatalogueEvents()
    {
        await using var db = await server.CreateDatabaseAsync(migrated: false);
        var bars = PostgresTestBars.Load(700);
        var root = Path.Combine(Path.GetTempPath(), "tradingkit-pg-tests", Guid.NewGuid().ToString("N"));
        var instrument = new Instrument("SPX", tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new SimulationTimeProvider(bars[0].OpenTime));
        services.AddTradingKit(o =>
            {
                o.SessionId = "pg-session";
                o.Execution.Mode = ExecutionMode.Paper;
                o.Instruments.Add(instrument);
                o.Oms.RetryBaseDelay = TimeSpan.Zero;
            })
            .UsePostgres(db.ConnectionString)
            .UseInMemoryStores()
            .UsePaperVenue(o => o.Instruments = [instrument])
            .AddStrategy(new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 5, SlowPeriod = 20 }))
            .UseFileJournal(root);
        await using var provider = services.BuildServiceProvider();
        Assert.NotEmpty(await provider.GetRequiredService<PostgresMigrator>().MigrateAsync());
        Assert.IsType<PostgresEventStore>(provider.GetRequiredService<IEventStore>());

        try
        {
            var engine = provider.GetRequiredService<TradingEngine>();
            var summary = await engine.RunAsync(new PostgresTestBars.ListFeed(bars));
            await engine.DisposeAsync();

            var journal = File.ReadAllLines(Path.Combine(root, "sessions", "pg-session", "orders_fills.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            var events = new List<EventEnvelope>();
            await foreach (var e in provider.GetRequiredService<IEventStore>().ReadAllAsync())
            {
                events.Add(e);
            }

            Assert.True(summary.Fills > 0);
            Assert.Equal(journal.Count(r => r.GetProperty("type").GetString() == "order_submitted"), events.Count(e => e.Payload is OrderSubmitted));
            Assert.Equal(journal.Count(r => r.GetProperty("type").GetString() == "order_accepted"), events.Count(e => e.Payload is OrderAccepted));
            var journalFills = journal.Where(r => r.GetProperty("type").GetString() == "fill").ToList();
            var storedFills = events.Select(e => e.Payload).OfType<OrderFilled>().ToList();
            Assert.Equal(journalFills.Count, storedFills.Count);
            foreach (var (record, stored) in journalFills.Zip(storedFills))
            {
                Assert.Equal(record.GetProperty("trade_id").GetString(), stored.TradeId.Value);
                Assert.Equal(record.GetProperty("price").GetDecimal(), stored.Price);
                Assert.Equal(record.GetProperty("qty").GetDecimal(), stored.Quantity);
                Assert.Equal(record.GetProperty("fee").GetDecimal(), stored.Fee);
            }

            Assert.Contains(events, e => e.EventType == "engine_started");
            Assert.Contains(events, e => e.EventType == "engine_stopped");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
