using TradingKit.Testing.Stores;
using TradingKit.Events;
using TradingKit.Execution.Approvals;
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
public sealed class PostgresMultiStreamAppendTests(PostgresServerFixture server) : MultiStreamAppendContractTests
{
    private readonly DatabasePerTest _db = new(server);

    protected override async ValueTask<IMultiStreamEventStore> CreateStoreAsync(TimeProvider time) =>
        new PostgresEventStore((await _db.CreateAsync()).DataSource, new TestEventSerializer(), time);

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

    [Fact]
    public async Task SEED001_AnOrderAlteredInTheDatabaseAfterApproval_IsAMismatch_AndNothingIsPlaced()
    {
        var gate = new ApprovalGate(Store, await KillSwitchAsync(), new ApprovalGateOptions { SigningKey = Key }, Time);
        var order = new TradingKit.Orders.OrderRequest
        {
            ClientOrderId = new TradingKit.Domain.ClientOrderId("o-altered"),
            Symbol = new TradingKit.Domain.Symbol("BTCUSDT"),
            Side = TradingKit.Orders.OrderSide.Buy,
            Type = TradingKit.Orders.OrderType.Limit,
            Quantity = 1m,
            LimitPrice = 100m,
        };
        var proposal = await gate.ProposeAsync(new ProposalId("p-altered"), order, "breakout");
        var grant = await gate.ApproveAsync(proposal.Id, "admin", TimeSpan.FromMinutes(5));

        // Someone with write access to the table makes it 100 instead of 1 after the approval.
        await using (var alter = _database!.DataSource.CreateCommand(
            "UPDATE proposals SET payload = replace(payload::text, '\"quantity\":1,', '\"quantity\":100,')::json WHERE proposal_id = $1"))
        {
            alter.Parameters.AddWithValue(proposal.StoreId);
            Assert.Equal(1, await alter.ExecuteNonQueryAsync());
        }

        var placed = 0;
        var refused = await Assert.ThrowsAsync<ApprovalGateException>(() => gate.PlaceAsync(proposal.Id, grant.Token, (_, _) =>
        {
            placed++;
            return ValueTask.FromResult(0);
        }).AsTask());

        Assert.Equal(ApprovalCodes.Mismatch, refused.Code);
        Assert.Equal(0, placed);
        Assert.Equal(100m, (await gate.GetAsync(proposal.Id))!.Order.Quantity);
        Assert.Null((await Store.GetApprovalAsync(proposal.StoreId))!.UsedAt);
    }

    [Fact]
    public async Task APayloadAlteredIntoNonsense_IsATypedError_NotACrash()
    {
        var gate = new ApprovalGate(Store, await KillSwitchAsync(), new ApprovalGateOptions { SigningKey = Key }, Time);
        var proposal = await gate.ProposeAsync(new ProposalId("p-broken"), new TradingKit.Orders.OrderRequest
        {
            ClientOrderId = new TradingKit.Domain.ClientOrderId("o-broken"),
            Symbol = new TradingKit.Domain.Symbol("BTCUSDT"),
            Side = TradingKit.Orders.OrderSide.Buy,
            Type = TradingKit.Orders.OrderType.Market,
            Quantity = 1m,
        }, "breakout");
        await using (var alter = _database!.DataSource.CreateCommand(
            "UPDATE proposals SET payload = '{\"kind\": \"order_proposal\", \"version\": 1}'::json WHERE proposal_id = $1"))
        {
            alter.Parameters.AddWithValue(proposal.StoreId);
            Assert.Equal(1, await alter.ExecuteNonQueryAsync());
        }

        var read = await Assert.ThrowsAsync<ApprovalGateException>(() => gate.GetAsync(proposal.Id).AsTask());
        var approve = await Assert.ThrowsAsync<ApprovalGateException>(() => gate.ApproveAsync(proposal.Id, "admin").AsTask());

        Assert.Equal(ApprovalCodes.PayloadInvalid, read.Code);
        Assert.Equal(ApprovalCodes.PayloadInvalid, approve.Code);
        Assert.Equal(ProposalStatus.Pending, (await Store.GetProposalAsync(proposal.StoreId))!.Status);
    }

    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private async Task<TradingKit.Risk.KillSwitch> KillSwitchAsync()
    {
        var killSwitch = await TradingKit.Risk.KillSwitch.CreateAsync(new TradingKit.Risk.InMemoryKillSwitchHistory(), TradingKit.Risk.KillSwitchState.Off, Time);
        _switches.Add(killSwitch);
        return killSwitch;
    }

    private readonly List<TradingKit.Risk.KillSwitch> _switches = [];

    public override async Task DisposeAsync()
    {
        foreach (var killSwitch in _switches)
        {
            killSwitch.Dispose();
        }

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
