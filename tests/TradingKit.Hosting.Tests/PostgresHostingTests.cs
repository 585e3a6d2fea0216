using Microsoft.Extensions.DependencyInjection;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Hosting.Tests.Support;
using TradingKit.Postgres.Tests;
using TradingKit.Replay;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Hosting.Tests;

/// <summary>
/// The hosted services on a real PostgreSQL server (the fixture starts its own): the command executor woken by
/// <c>LISTEN tk_commands</c>, and the projection worker following the log through its subscription into the projection
/// tables.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHostingTests(PostgresServerFixture server) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-hosting-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task OnPostgres_CommandsRunFromTheCommandTable_AndTheProjectionTablesFollowTheLog()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var database = await server.CreateDatabaseAsync();
        var trade = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = new ListFeed(TestBars.RandomWalk(150), start: trade.Task);
        var (builder, tradingKit) = TestHosts.PaperSession("pg-hosted-1", _dir, stores: b => b.UsePostgres(database.ConnectionString));
        tradingKit.AddHostedEngine(_ => feed, o => o.StopHostWhenSessionEnds = false).AddCommandExecutor().AddProjectionWorker();
        using var host = builder.Build();
        var events = host.Services.GetRequiredService<IEventStore>();
        var commands = host.Services.GetRequiredService<ICommandStore>();
        Assert.IsType<TradingKit.Postgres.PostgresEventStore>(events);
        Assert.IsType<TradingKit.Postgres.PostgresCommandStore>(commands);
        Assert.IsType<TradingKit.Postgres.PostgresProjectionStore>(host.Services.GetRequiredService<IProjectionStore>());

        await host.StartAsync(timeout.Token);
        await feed.Opened.WaitAsync(timeout.Token);
        var worker = host.Services.GetRequiredService<ProjectionWorkerService>();
        await worker.WaitForPositionAsync(await events.GetLastPositionAsync(timeout.Token), timeout.Token);

        // An operator's command, written to the table as another process would: the executor wakes and the engine runs it.
        var executor = host.Services.GetRequiredService<CommandExecutorService>();
        var bothDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        executor.CommandCompleted += (_, _) =>
        {
            if (executor.Completed >= 2)
            {
                bothDone.TrySetResult();
            }
        };
        var (pause, _) = await commands.InsertAsync(new CommandEnvelope(Guid.NewGuid(), "pg-pause-1", new PauseEngine("before the open"), "alice",
            DateTimeOffset.UnixEpoch, CorrelationId.New()), timeout.Token);
        var resume = new CommandEnvelope(Guid.NewGuid(), "pg-resume-1", new ResumeEngine("open"), "alice", DateTimeOffset.UnixEpoch, CorrelationId.New());
        await commands.InsertAsync(resume, timeout.Token);
        await bothDone.Task.WaitAsync(timeout.Token);

        Assert.Equal(CommandStatus.Ack, (await commands.GetAsync(pause.Envelope.CommandId, timeout.Token))!.Status);
        Assert.Equal(CommandStatus.Ack, (await commands.GetAsync(resume.CommandId, timeout.Token))!.Status);
        Assert.Equal(EngineState.Running, host.Services.GetRequiredService<TradingEngine>().State);

        trade.SetResult();
        await host.Services.GetRequiredService<HostedEngineService>().SessionEnded.WaitAsync(timeout.Token);
        var end = await events.GetLastPositionAsync(timeout.Token);
        await worker.WaitForPositionAsync(end, timeout.Token);

        var engine = host.Services.GetRequiredService<TradingEngine>();
        Assert.True(engine.Orders.FillCount > 4, "the session must trade for the comparison to mean anything");
        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { AccountId = engine.AccountId, InitialCash = 100_000m, Currency = "USD" });
        await rebuilder.RebuildAsync(events, 1, timeout.Token);
        var expected = new InMemoryProjectionStore();
        await rebuilder.WriteToAsync(expected, timeout.Token);
        var actual = host.Services.GetRequiredService<IProjectionStore>();
        Assert.Equal(await expected.ListOrdersAsync(cancellationToken: timeout.Token), await actual.ListOrdersAsync(cancellationToken: timeout.Token));
        Assert.Equal(await expected.ListFillsAsync(cancellationToken: timeout.Token), await actual.ListFillsAsync(cancellationToken: timeout.Token));
        Assert.Equal(await expected.ListPositionsAsync(engine.AccountId, timeout.Token), await actual.ListPositionsAsync(engine.AccountId, timeout.Token));
        Assert.Equal(await expected.ListDailySummariesAsync(engine.AccountId, timeout.Token), await actual.ListDailySummariesAsync(engine.AccountId, timeout.Token));
        Assert.Equal(end, await actual.GetCheckpointAsync(ProjectionRebuilder.ProjectionName, timeout.Token));
        await host.StopAsync(timeout.Token);
    }
}
