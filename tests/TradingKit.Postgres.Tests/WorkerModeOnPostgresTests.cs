using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Testing.Engine;
using TradingKit.Time;

namespace TradingKit.Postgres.Tests;

/// <summary>
/// Seed 002 SC-010 across processes: two workers, each its own container, connection pool, engine and paper venue, share
/// one PostgreSQL database (locks, registry, event log) and want the same symbol at the same bars; the database decides.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkerModeOnPostgresTests(PostgresServerFixture server)
{
    private static readonly Instrument Spx = new("SPX", tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);

    [Fact]
    public async Task SC010_TwoWorkerProcesses_OneDatabase_TheSymbolIsHeldByOneAtATime()
    {
        await using var db = await server.CreateDatabaseAsync(migrated: true);
        var bars = PostgresTestBars.Load(30);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);

        // Both want SPX on bar 3; whoever locks first enters, the other is refused and takes it after the first is flat.
        await using var first = Compose(db.ConnectionString, clock, "worker-1", (3, DecisionAction.Buy), (9, DecisionAction.Close), (15, DecisionAction.Buy), (25, DecisionAction.Close));
        await using var second = Compose(db.ConnectionString, clock, "worker-2", (3, DecisionAction.Buy), (12, DecisionAction.Buy), (20, DecisionAction.Close));
        var one = first.GetRequiredService<TradingEngine>();
        var two = second.GetRequiredService<TradingEngine>();
        await one.StartAsync();
        await two.StartAsync();

        var holders = new List<string?>();
        for (var i = 0; i < bars.Count; i++)
        {
            await one.ProcessAsync(EngineInput.ForMarketData(bars[i]));
            await two.ProcessAsync(EngineInput.ForMarketData(bars[i]));
            Assert.False(one.Portfolio.GetNetQuantity(Spx.Symbol) != 0m && two.Portfolio.GetNetQuantity(Spx.Symbol) != 0m, $"both hold SPX at bar {i}");
            holders.Add(await ScalarAsync<string>(db.DataSource, "SELECT worker_id FROM symbol_locks WHERE symbol = 'SPX'"));
        }

        await one.StopAsync();
        await two.StopAsync();

        // worker-1 locked on bar 3 and held it to its exit; worker-2 took it on bar 12; worker-1's second entry (bar 15) was refused.
        Assert.Equal("worker-1", holders[5]);
        Assert.Equal("worker-2", holders[14]);
        Assert.Null(holders[^1]);
        var events = new List<EventEnvelope>();
        await foreach (var e in first.GetRequiredService<IEventStore>().ReadAllAsync())
        {
            events.Add(e);
        }

        var rejections = events.Select(e => e.Payload).OfType<LockRejected>().Select(r => (r.WorkerId, r.HeldBy)).ToList();
        Assert.Equal([("worker-2", "worker-1"), ("worker-1", "worker-2")], rejections);
        Assert.Equal(2, events.Select(e => e.Payload).OfType<PositionEntered>().Count(p => p.WorkerId == "worker-1") + events.Select(e => e.Payload).OfType<PositionEntered>().Count(p => p.WorkerId == "worker-2"));
        Assert.Equal(4, events.Count(e => e.Payload is OrderSubmitted));
        Assert.Equal(["EXIT", "EXIT"], await ListAsync(db.DataSource, "SELECT state FROM workers ORDER BY worker_id"));
        Assert.Empty(await ListAsync(db.DataSource, "SELECT symbol FROM symbol_locks"));
    }

    private static ServiceProvider Compose(string connectionString, SimulationTimeProvider clock, string workerId, params (int Bar, DecisionAction Action)[] script)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddTradingKit(o =>
            {
                o.SessionId = workerId + "-session";
                o.Execution.Mode = ExecutionMode.Paper;
                o.Instruments.Add(Spx);
                o.Oms.RetryBaseDelay = TimeSpan.Zero;
                o.Worker.WorkerId = workerId;
                o.Worker.LockTtl = TimeSpan.FromDays(10);
                o.Worker.HeartbeatInterval = TimeSpan.FromDays(1);
            })
            .UsePostgres(connectionString)
            .UseInMemoryStores()
            .UsePaperVenue(o => o.Instruments = [Spx])
            .AddStrategy(new ScriptedStrategy(workerId + "-strategy", 10m, script));
        return services.BuildServiceProvider();
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return await command.ExecuteScalarAsync() is T value ? value : default;
    }

    private static async Task<List<string>> ListAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
