using Npgsql;
using TradingKit.Testing.Stores;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaTests(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase? _db;

    private TestDatabase Db => _db!;

    public async Task InitializeAsync() => _db = await server.CreateDatabaseAsync();

    public async Task DisposeAsync() => await Db.DisposeAsync();

    [Theory]
    [InlineData("UPDATE event_store SET event_type = 'Forged'")]
    [InlineData("UPDATE event_store SET event_type = 'Forged' WHERE false")]
    [InlineData("DELETE FROM event_store")]
    [InlineData("TRUNCATE event_store")]
    public async Task EventStore_RefusesUpdateDeleteAndTruncate_AtTheDatabase(string sql)
    {
        var store = new PostgresEventStore(Db.DataSource, new TestEventSerializer());
        await store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 3));

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.RestrictViolation, error.SqlState);
        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        var stored = await store.ReadAllAsync().ToListAsync();
        Assert.Equal(3, stored.Count);
        Assert.All(stored, e => Assert.Equal(nameof(TestEvent), e.EventType));
    }

    [Theory]
    [InlineData("UPDATE control_state SET kill_switch_on = false")]
    [InlineData("DELETE FROM control_state")]
    [InlineData("TRUNCATE control_state")]
    public async Task ControlState_RefusesUpdateDeleteAndTruncate_AtTheDatabase(string sql)
    {
        var store = new PostgresControlStateStore(Db.DataSource);
        await store.SetKillSwitchAsync(true, "x", "ops");
        await store.SetKillSwitchAsync(false, "y", "ops");

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.RestrictViolation, error.SqlState);
        Assert.False((await store.GetCurrentAsync()).KillSwitchOn);
    }

    [Fact]
    public async Task EventPayloads_AreStoredAsQueryableJsonb()
    {
        var store = new PostgresEventStore(Db.DataSource, new TestEventSerializer());
        await store.AppendAsync("s", ExpectedVersion.NoStream, [StoreTestData.Event(42)]);

        await using var command = Db.DataSource.CreateCommand("SELECT pg_typeof(payload)::text, payload->>'Text', (payload->>'Number')::int FROM event_store");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(("jsonb", "e42", 42), (reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
    }

    [Fact]
    public async Task Migrate_TwoProcessesAtOnceOnAnEmptyDatabase_AppliesEachMigrationOnce()
    {
        await using var fresh = await server.CreateDatabaseAsync(migrated: false);
        await using var first = PostgresDataSource.Create(fresh.ConnectionString);
        await using var second = PostgresDataSource.Create(fresh.ConnectionString);
        using var start = new ManualResetEventSlim();

        var runs = new[] { first, second }.Select(source => Task.Run(async () =>
        {
            start.Wait(StoreTestData.Bounded());
            return await new PostgresMigrator(source).MigrateAsync();
        })).ToArray();
        start.Set();
        var applied = await Task.WhenAll(runs).WaitAsync(StoreTestData.Patience);

        var all = PostgresMigrator.Migrations.Select(m => m.Version).ToList();
        Assert.Single(applied, a => a.SequenceEqual(all));
        Assert.Single(applied, a => a.Count == 0);
        Assert.Empty(await new PostgresMigrator(first).MigrateAsync());
        await using var count = fresh.DataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)all.Count, await count.ExecuteScalarAsync());
        var store = new PostgresEventStore(fresh.DataSource, new TestEventSerializer());
        Assert.Equal(1, (await store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 1))).StreamVersion);
    }

    [Fact]
    public async Task OrderSubmitted_WrittenByAnOlderBuildAtVersion1_IsReadBackUpcast_BesideAVersion2One()
    {
        var store = new PostgresEventStore(Db.DataSource, new CatalogEventPayloadSerializer());
        var request = new Orders.OrderRequest
        {
            ClientOrderId = new Domain.ClientOrderId("tk-new-1"),
            Symbol = new Domain.Symbol("SPX"),
            Side = Orders.OrderSide.Buy,
            Type = Orders.OrderType.Market,
            Quantity = 2m,
        };
        await store.AppendAsync("order-tk-new-1", ExpectedVersion.NoStream,
            [new Events.EventData(Guid.NewGuid(), Events.OrderSubmitted.From(request, new Domain.StrategyId("ma-cross"), null, 4321.50m), DateTimeOffset.UtcNow, Domain.CorrelationId.New())]);

        // The row an older build wrote: schema version 1, no decision_price in the payload.
        await ExecuteAsync(
            "INSERT INTO event_store (event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, correlation_id, payload) " +
            "VALUES (gen_random_uuid(), 'order-tk-old-1', 1, 'order_submitted', 1, now(), now(), gen_random_uuid(), " +
            "'{\"client_order_id\":\"tk-old-1\",\"symbol\":\"SPX\",\"side\":\"SELL\",\"type\":\"MARKET\",\"quantity\":3,\"limit_price\":null," +
            "\"stop_price\":null,\"trailing_offset\":null,\"time_in_force\":\"GTC\",\"expire_at\":null,\"reduce_only\":false," +
            "\"position_side\":\"BOTH\",\"strategy_id\":\"ma-cross\",\"intent_key\":null}')");

        var stored = await store.ReadAllAsync().ToListAsync();

        Assert.Equal([4321.50m, null], stored.Select(e => ((Events.OrderSubmitted)e.Payload).DecisionPrice).ToList());
        Assert.Equal(3m, ((Events.OrderSubmitted)stored[1].Payload).Quantity);
        Assert.All(stored, e => Assert.Equal(2, e.SchemaVersion));
        await using var command = Db.DataSource.CreateCommand("SELECT schema_version FROM event_store ORDER BY global_position");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        Assert.Equal([2, 1], versions);
    }

    [Fact]
    public async Task Migrate_ADatabaseWithANewerSchema_RefusesWithATypedError()
    {
        await ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', now())");

        var error = await Assert.ThrowsAsync<TradingKitException>(() => new PostgresMigrator(Db.DataSource).MigrateAsync());

        Assert.Equal(StoreErrorCodes.SchemaMigrationFailed, error.Code);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = Db.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
