using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.MarketData;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Hosting.Tests.Support;
using TradingKit.Time;

namespace TradingKit.Hosting.Tests;

/// <summary>
/// Commands operators write to the command store reach the hosted engine and come back ACK or FAILED with the engine's
/// result (the store's NEW → SENT → ACK | FAILED), on a real host with the paper venue.
/// </summary>
public sealed class CommandExecutorTests : IDisposable
{
    private static readonly Symbol Spx = TestBars.Spx;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-hosting-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task CommandsWrittenToTheStore_RunOnTheEngine_AndCompleteWithItsResult()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var store = new SignallingCommandStore();
        var feed = new LiveFeed(TestBars.RandomWalk(20));
        using var host = NewHost(feed, store).Build();
        await host.StartAsync(timeout.Token);
        await feed.AllGiven.WaitAsync(timeout.Token);
        var engine = host.Services.GetRequiredService<TradingEngine>();
        var executor = host.Services.GetRequiredService<CommandExecutorService>();

        var pause = await store.RunAsync(Command("pause-1", new PauseEngine("lunch")), timeout.Token);
        Assert.Equal(CommandStatus.Ack, pause.Status);
        Assert.Equal(executor.ClaimerId, pause.ClaimedBy);
        Assert.Equal("engine-hosted-2", executor.ClaimerId);
        Assert.Equal(EngineState.Paused, engine.State);

        var resume = await store.RunAsync(Command("resume-1", new ResumeEngine("back")), timeout.Token);
        Assert.Equal(CommandStatus.Ack, resume.Status);
        Assert.Equal(EngineState.Running, engine.State);

        // The engine's refusal comes back as FAILED, with its code.
        var again = await store.RunAsync(Command("resume-2", new ResumeEngine("back again")), timeout.Token);
        Assert.Equal(CommandStatus.Failed, again.Status);
        Assert.StartsWith("INVALID_STATE_TRANSITION: ", again.Result, StringComparison.Ordinal);

        // A command inserted twice under one idempotency key runs once.
        var (stored, inserted) = await store.InsertAsync(Command("pause-1", new PauseEngine("lunch, again")), timeout.Token);
        Assert.False(inserted);
        Assert.Equal(CommandStatus.Ack, stored.Status);
        Assert.Equal(3, executor.Completed);
        Assert.Equal(EngineState.Running, engine.State);

        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task CommandClaimedAfterTheSessionEnded_IsCompletedFailed_AndLaterOnesStayNew()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var store = new SignallingCommandStore { HoldClaims = true };
        var endOfData = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = new LiveFeed(TestBars.RandomWalk(30), endOfData.Task);
        using var host = NewHost(feed, store, o => o.StopHostWhenSessionEnds = false).Build();
        await host.StartAsync(timeout.Token);
        await feed.AllGiven.WaitAsync(timeout.Token);
        var session = host.Services.GetRequiredService<HostedEngineService>();
        var executor = host.Services.GetRequiredService<CommandExecutorService>();

        // The executor wakes for the command, but its claim is held until the feed has ended and the session with it.
        var pending = store.RunAsync(Command("pause-late", new PauseEngine("too late")), timeout.Token);
        await store.ClaimStarted.WaitAsync(timeout.Token);
        endOfData.SetResult();
        await session.SessionEnded.WaitAsync(timeout.Token);
        store.ReleaseClaims();

        var late = await pending;
        Assert.Equal(CommandStatus.Failed, late.Status);
        Assert.Equal("COMMAND_SESSION_ENDED: the session ended before the command ran", late.Result);
        Assert.Equal(HostedSessionStatus.Completed, session.Status);

        // The executor stops with the session: what comes later is left for the next process.
        await executor.ExecuteTask!.WaitAsync(timeout.Token);
        var (after, _) = await store.InsertAsync(Command("pause-after", new PauseEngine("after")), timeout.Token);
        Assert.Equal(CommandStatus.New, (await store.GetAsync(after.Envelope.CommandId, timeout.Token))!.Status);
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task CommandAnEarlierProcessClaimedAndNeverCompleted_IsCompletedInterrupted_WhenTheExecutorStarts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var store = new SignallingCommandStore();

        // An earlier process of this session claimed two commands and died; another claimer's command is not ours.
        var (first, _) = await store.InsertAsync(Command("pause-before-crash", new PauseEngine("lunch")), timeout.Token);
        var (second, _) = await store.InsertAsync(Command("resume-before-crash", new ResumeEngine("back")), timeout.Token);
        await store.ClaimAsync("engine-hosted-2", 2, timeout.Token);
        var (foreign, _) = await store.InsertAsync(Command("other-engine", new PauseEngine("theirs")), timeout.Token);
        await store.ClaimAsync("engine-other", 1, timeout.Token);
        var feed = new LiveFeed(TestBars.RandomWalk(5));
        using var host = NewHost(feed, store).Build();

        await host.StartAsync(timeout.Token);
        var interrupted = await store.CompletionOf(first.Envelope.CommandId, timeout.Token);
        var alsoInterrupted = await store.CompletionOf(second.Envelope.CommandId, timeout.Token);

        Assert.Equal(CommandStatus.Failed, interrupted.Status);
        Assert.StartsWith("COMMAND_INTERRUPTED: ", interrupted.Result, StringComparison.Ordinal);
        Assert.Contains("may or may not have run", interrupted.Result, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, alsoInterrupted.Status);
        Assert.Equal(CommandStatus.Sent, (await store.GetAsync(foreign.Envelope.CommandId, timeout.Token))!.Status);

        // Nothing of them ran in this process: the engine trades on.
        await feed.AllGiven.WaitAsync(timeout.Token);
        Assert.Equal(EngineState.Running, host.Services.GetRequiredService<TradingEngine>().State);
        await host.StopAsync(timeout.Token);
    }

    private static CommandEnvelope Command(string key, ITradingCommand payload)
        => new(Guid.NewGuid(), key, payload, "alice", DateTimeOffset.UnixEpoch, CorrelationId.New());

    private HostApplicationBuilder NewHost(IMarketDataFeed feed, ICommandStore store, Action<HostedEngineOptions>? configure = null)
    {
        var (builder, tradingKit) = TestHosts.PaperSession("hosted-2", _dir);
        tradingKit.AddHostedEngine(_ => feed, configure).AddCommandExecutor();
        builder.Services.RemoveAll<ICommandStore>();
        builder.Services.AddSingleton(store);
        return builder;
    }
}
