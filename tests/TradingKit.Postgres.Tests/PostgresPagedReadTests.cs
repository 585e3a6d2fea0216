using TradingKit.Testing.Stores;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Postgres.Tests;

/// <summary>Reading the log forward across pages, with the next page read ahead while the caller works through the current one.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPagedReadTests(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase? _db;

    private TestDatabase Db => _db!;

    public async Task InitializeAsync() => _db = await server.CreateDatabaseAsync();

    public async Task DisposeAsync() => await Db.DisposeAsync();

    [Theory]
    [InlineData(1, int.MaxValue, 10, 1)]
    [InlineData(1, 7, 7, 1)]
    [InlineData(4, 6, 6, 4)]
    [InlineData(4, 3, 3, 4)]
    [InlineData(8, int.MaxValue, 3, 8)]
    [InlineData(11, int.MaxValue, 0, 11)]
    public async Task ReadAll_AcrossPagesOfThree_ReturnsEveryEventOnceInOrder(long from, int maxCount, int expectedCount, long expectedFirst)
    {
        var store = await StoreWithTenEventsAsync(pageSize: 3);

        var positions = new List<long>();
        await foreach (var e in store.ReadAllAsync(from, maxCount))
        {
            positions.Add(e.GlobalPosition);
        }

        Assert.Equal(Enumerable.Range((int)expectedFirst, expectedCount).Select(static p => (long)p), positions);
    }

    [Fact]
    public async Task ReadAll_WhenTheLogIsAWholeNumberOfPages_EndsAfterTheLastEvent()
    {
        var store = await StoreWithTenEventsAsync(pageSize: 5);

        var numbers = new List<int>();
        await foreach (var e in store.ReadAllAsync())
        {
            numbers.Add(((TestEvent)e.Payload).Number);
        }

        Assert.Equal(Enumerable.Range(1, 10), numbers);
    }

    [Fact]
    public async Task ReadAll_StoppedEarlyManyTimes_LeavesTheStoreReadable()
    {
        // Two connections at most, and a short wait for one: a stopped read that kept its connection would exhaust the pool.
        await using var dataSource = PostgresDataSource.Create(Db.ConnectionString + ";Maximum Pool Size=2;Timeout=5");
        var store = await StoreWithTenEventsAsync(pageSize: 2, dataSource);

        // Each early stop leaves the read-ahead page in flight.
        for (var i = 0; i < 30; i++)
        {
            await foreach (var e in store.ReadAllAsync())
            {
                Assert.Equal(1, e.GlobalPosition);
                break;
            }
        }

        var count = 0;
        await foreach (var e in store.ReadAllAsync())
        {
            count++;
        }

        Assert.Equal(10, count);
    }

    private async Task<PostgresEventStore> StoreWithTenEventsAsync(int pageSize, Npgsql.NpgsqlDataSource? dataSource = null)
    {
        var store = new PostgresEventStore(dataSource ?? Db.DataSource, new TestEventSerializer(), TimeProvider.System, new PostgresStoreOptions { ReadPageSize = pageSize });
        await store.AppendAsync("paged", ExpectedVersion.NoStream, StoreTestData.Events(1, 10));
        return store;
    }
}
