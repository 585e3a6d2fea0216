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
using TradingKit.Workers;

namespace TradingKit.Postgres.Tests;

/// <summary>
/// Seed 002 SC-010 across processes: two workers, each its own container, connection pool, engine, paper venue and event
/// log database, share one coordination database (locks, registry) and want the same symbol at the same bars; the
/// database decides, and a restarted worker rebuilds only its own account.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkerModeOnPostgresTests(PostgresServerFixture server)
{
    private static readonly Instrument Spx = new("SPX", tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);

    [Fact]
    public async Task SC010_TwoWorkerProcesses_EachWithItsOwnLog_ShareTheLocks_AndARestartedWorkerKeepsOnlyItsOwn()
    {
        // The fleet's coordination database (symbol_locks, workers) and one log per worker, as docs/workers.md deploys them.
        await using var coordination = await server.CreateDatabaseAsync(migrated: true);
        await using var logOne = await server.CreateDatabaseAsync(migrated: true);
        await using var logTwo = await server.CreateDatabaseAsync(migrated: true);
        var bars = PostgresTestBars.Load(30);
        var clock = new SimulationTimeProvider(bars[0].OpenTime);

        // Both want SPX on bar 3; whoever locks first enters, the other is refused and takes it after the first is flat,
        // then holds it to the end, refusing the first's second entry.
        (int, DecisionAction)[] scriptOne = [(3, DecisionAction.Buy), (9, DecisionAction.Close), (15, DecisionAction.Buy)];
        (int, DecisionAction)[] scriptTwo = [(3, DecisionAction.Buy), (12, DecisionAction.Buy)];
        var holders = new List<string?>();
        await using (var first = Compose(logOne.ConnectionString, coordination.DataSource, clock, "worker-1", scriptOne))
        await using (var second = Compose(logTwo.ConnectionString, coordination.DataSource, clock, "worker-2", scriptTwo))
        {
            var one = first.GetRequiredService<TradingEngine>();
            var two = second.GetRequiredService<TradingEngine>();
            await one.StartAsync();
            await two.StartAsync();
            for (var i = 0; i < bars.Count; i++)
            {
                await one.ProcessAsync(EngineInput.ForMarketData(bars[i]));
                await two.ProcessAsync(EngineInput.ForMarketData(bars[i]));
                Assert.False(one.Portfolio.GetNetQuantity(Spx.Symbol) != 0m && two.Portfolio.GetNetQuantity(Spx.Symbol) != 0m, $"both hold SPX at bar {i}");
                holders.Add(await ScalarAsync<string>(coordination.DataSource, "SELECT worker_id FROM symbol_locks WHERE symbol = 'SPX'"));
            }

            await one.StopAsync();
            await two.StopAsync();
            await one.DisposeAsync();
            await two.DisposeAsync();
        }

        // worker-1 locked on bar 3 and held it to its exit; worker-2 took it on bar 12 and still holds it (its lock is left
        // to expire, so nobody buys into its position); worker-1's second entry (bar 15) was refused.
        Assert.Equal(("worker-1", "worker-2", "worker-2"), (holders[5], holders[14], holders[^1]));
        var eventsOne = await LogAsync(logOne.DataSource);
        var eventsTwo = await LogAsync(logTwo.DataSource);
        Assert.Equal([("worker-1", "worker-2")], eventsOne.OfType<LockRejected>().Select(r => (r.WorkerId, r.HeldBy)));
        Assert.Equal([("worker-2", "worker-1")], eventsTwo.OfType<LockRejected>().Select(r => (r.WorkerId, r.HeldBy)));
        Assert.Equal((2, 1), (eventsOne.Count(e => e is OrderSubmitted), eventsTwo.Count(e => e is OrderSubmitted)));
        Assert.Equal(["EXIT", "EXIT"], await ListAsync(coordination.DataSource, "SELECT state FROM workers ORDER BY worker_id"));

        // Both processes restart on their own logs: each gets back only its own account.
        await using var againOne = Compose(logOne.ConnectionString, coordination.DataSource, clock, "worker-1");
        await using var againTwo = Compose(logTwo.ConnectionString, coordination.DataSource, clock, "worker-2");
        var resumedOne = againOne.GetRequiredService<TradingEngine>();
        var resumedTwo = againTwo.GetRequiredService<TradingEngine>();
        await resumedOne.StartAsync();
        await resumedTwo.StartAsync();

        Assert.Equal((0m, 10m), (resumedOne.Portfolio.GetNetQuantity(Spx.Symbol), resumedTwo.Portfolio.GetNetQuantity(Spx.Symbol)));
        Assert.Equal((WorkerState.Scan, WorkerState.Hold), (resumedOne.WorkerState, resumedTwo.WorkerState));
        Assert.Equal("worker-2", await ScalarAsync<string>(coordination.DataSource, "SELECT worker_id FROM symbol_locks WHERE symbol = 'SPX'"));
        Assert.Equal(["SCAN", "HOLD"], await ListAsync(coordination.DataSource, "SELECT state FROM workers ORDER BY worker_id"));
        Assert.Equal(0L, await ScalarAsync<long>(logOne.DataSource, "SELECT count(*) FROM symbol_locks"));
        await resumedOne.DisposeAsync();
        await resumedTwo.DisposeAsync();
    }

    private static async Task<List<ITradingEvent>> LogAsync(NpgsqlDataSource source)
    {
        var store = new PostgresEventStore(source, new CatalogEventPayloadSerializer());
        var events = new List<ITradingEvent>();
        await foreach (var e in store.ReadAllAsync())
        {
            events.Add(e.Payload);
        }

        return events;
    }

    private static ServiceProvider Compose(string connectionString, NpgsqlDataSource coordination, SimulationTimeProvider clock, string workerId,
        params (int Bar, DecisionAction Action)[] script)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<ISymbolLockService>(new PostgresSymbolLockService(coordination, clock));
        services.AddSingleton<IWorkerRegistry>(new PostgresWorkerRegistry(coordination, clock));
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
