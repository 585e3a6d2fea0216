using TradingKit.Testing.Stores;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Postgres.Tests;

/// <summary>Creates a fresh migrated database per test and drops it afterwards.</summary>
internal sealed class DatabasePerTest(PostgresServerFixture server)
{
    private TestDatabase? _database;

    public async Task<TestDatabase> CreateAsync() => _database = await server.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreTests(PostgresServerFixture server) : EventStoreContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IEventStore> CreateStoreAsync(TimeProvider time) =>
        new PostgresEventStore((await _db.CreateAsync()).DataSource, new TestEventSerializer(), time);

    protected override string ExpectedTypeName(ITradingEvent payload) => payload.GetType().Name;

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCommandStoreTests(PostgresServerFixture server) : CommandStoreContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<ICommandStore> CreateStoreAsync() =>
        new PostgresCommandStore((await _db.CreateAsync()).DataSource, new TestCommandSerializer());

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSymbolLockTests(PostgresServerFixture server) : SymbolLockContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<ISymbolLockService> CreateStoreAsync(TimeProvider time) =>
        new PostgresSymbolLockService((await _db.CreateAsync()).DataSource, time);

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresWorkerRegistryTests(PostgresServerFixture server) : WorkerRegistryContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IWorkerRegistry> CreateStoreAsync(TimeProvider time) =>
        new PostgresWorkerRegistry((await _db.CreateAsync()).DataSource, time);

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresControlStateTests(PostgresServerFixture server) : ControlStateContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IControlStateStore> CreateStoreAsync(TimeProvider time) =>
        new PostgresControlStateStore((await _db.CreateAsync()).DataSource, time);

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConfigStoreTests(PostgresServerFixture server) : ConfigStoreContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IConfigStore> CreateStoreAsync(TimeProvider time) =>
        new PostgresConfigStore((await _db.CreateAsync()).DataSource, time);

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresApprovalStoreTests(PostgresServerFixture server) : ApprovalStoreContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IApprovalStore> CreateStoreAsync(TimeProvider time) =>
        new PostgresApprovalStore((await _db.CreateAsync()).DataSource, time);

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresApprovalGateTests(PostgresServerFixture server) : ApprovalGateContractTests
{
    private readonly DatabasePerTest _db = new(server);
    private readonly List<Npgsql.NpgsqlDataSource> _reopened = [];
    private TestDatabase? _database;

    protected override async ValueTask<IApprovalStore> CreateStoreAsync(TimeProvider time)
    {
        _database = await _db.CreateAsync();
        return new PostgresApprovalStore(_database.DataSource, time);
    }

    // A new connection pool over the same database: what a restarted process opens.
    protected override ValueTask<IApprovalStore> ReopenStoreAsync()
    {
        var source = Npgsql.NpgsqlDataSource.Create(_database!.ConnectionString);
        _reopened.Add(source);
        return ValueTask.FromResult<IApprovalStore>(new PostgresApprovalStore(source, Time));
    }

    public override async Task DisposeAsync()
    {
        foreach (var source in _reopened)
        {
            await source.DisposeAsync();
        }

        await base.DisposeAsync();
        await _db.DisposeAsync();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresProjectionStoreTests(PostgresServerFixture server) : ProjectionStoreContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IProjectionStore> CreateStoreAsync(TimeProvider time) =>
        new PostgresProjectionStore((await _db.CreateAsync()).DataSource);

    public override Task DisposeAsync() => _db.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLockScenarioTests(PostgresServerFixture server) : SymbolLockReaperScenarioTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<WorkerFleetStores> CreateStoreAsync(TimeProvider time)
    {
        var source = (await _db.CreateAsync()).DataSource;
        return new WorkerFleetStores(new PostgresSymbolLockService(source, time), new PostgresWorkerRegistry(source, time),
            new PostgresEventStore(source, new TestEventSerializer(), time));
    }

    public override Task DisposeAsync() => _db.DisposeAsync();
}
