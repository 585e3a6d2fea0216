using TradingKit.Testing.Stores;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Postgres.Tests;

/// <summary>Subscriptions and command waits between processes: NOTIFY when on, polling when off.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresNotificationTests(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase? _db;

    private TestDatabase Db => _db!;

    public async Task InitializeAsync() => _db = await server.CreateDatabaseAsync();

    public async Task DisposeAsync() => await Db.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Subscribe_SeesEventsAppendedByAnotherProcess_WithNotificationsOrByPollingAlone(bool useNotifications)
    {
        // A second data source is a second process as far as the server can tell.
        await using var otherProcess = PostgresDataSource.Create(Db.ConnectionString);
        var writer = new PostgresEventStore(otherProcess, new TestEventSerializer());
        var options = new PostgresStoreOptions { UseNotifications = useNotifications, PollInterval = TimeSpan.FromMilliseconds(useNotifications ? 60_000 : 20) };
        var reader = new PostgresEventStore(Db.DataSource, new TestEventSerializer(), TimeProvider.System, options);
        await writer.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(1, 2));
        using var cts = new CancellationTokenSource(StoreTestData.Patience);
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new List<int>();

        var subscription = Task.Run(async () =>
        {
            await foreach (var e in reader.SubscribeAsync(1, cts.Token))
            {
                received.Add(((TestEvent)e.Payload).Number);
                if (received.Count == 2)
                {
                    caughtUp.SetResult();
                }

                if (received.Count == 5)
                {
                    return;
                }
            }
        });
        await caughtUp.Task.WaitAsync(cts.Token);
        await writer.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(3, 3));
        await subscription.WaitAsync(cts.Token);

        Assert.Equal([1, 2, 3, 4, 5], received);
    }

    [Fact]
    public async Task WaitForNewCommands_WakesOnAnInsertFromAnotherProcess()
    {
        await using var otherProcess = PostgresDataSource.Create(Db.ConnectionString);
        var web = new PostgresCommandStore(otherProcess, new TestCommandSerializer());
        var bot = new PostgresCommandStore(Db.DataSource, new TestCommandSerializer(), TimeProvider.System,
            new PostgresStoreOptions { PollInterval = TimeSpan.FromMinutes(1) });

        var waiting = bot.WaitForNewCommandsAsync(StoreTestData.Bounded()).AsTask();
        await web.InsertAsync(StoreTestData.Command("close-all"));
        await waiting;

        Assert.Single(await bot.ClaimAsync("bot", 10));
    }
}
