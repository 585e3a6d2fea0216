using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.MarketData;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Hosting.Tests.Support;
using TradingKit.Time;

namespace TradingKit.Hosting.Tests;

/// <summary>
/// The engine in a real generic host, on the real paper venue and in-memory stores: the session runs as a hosted service,
/// a host shutdown stops it gracefully, a failure reaches the exit code and the health check.
/// </summary>
public sealed class HostedEngineTests : IDisposable
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
    public async Task SessionOverAFiniteFeed_RunsToTheEnd_WritesItsSummary_AndStopsTheHost()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var bars = TestBars.RandomWalk(400);
        using var host = NewHost(new ListFeed(bars)).Build();

        await host.StartAsync(timeout.Token);
        await host.WaitForShutdownAsync(timeout.Token);

        var hosted = host.Services.GetRequiredService<HostedEngineService>();
        Assert.Equal(HostedSessionStatus.Completed, hosted.Status);
        Assert.Null(hosted.Failure);
        Assert.NotNull(hosted.Summary);
        Assert.True(hosted.Summary.Fills > 0, "the session must trade for the test to mean anything");
        Assert.Equal(400, hosted.Engine.MarketEventsProcessed);
        Assert.Equal(EngineState.Stopped, hosted.Engine.State);
        Assert.True(File.Exists(Path.Combine(_dir, "sessions", "hosted-1", "summary.json")));
        Assert.Contains(await LogAsync(host), e => e.Payload is EngineStopped);

        var health = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("feed ended", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostShutdown_StopsALiveSessionGracefully()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var feed = new LiveFeed(TestBars.RandomWalk(60));
        using var host = NewHost(feed).Build();
        await host.StartAsync(timeout.Token);
        await feed.AllGiven.WaitAsync(timeout.Token);

        // Trading: the engine started (recovery done) before it asked the feed for anything.
        var running = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal("Running", running.Data["engine_state"]);

        await host.StopAsync(timeout.Token);

        var hosted = host.Services.GetRequiredService<HostedEngineService>();
        Assert.Equal(HostedSessionStatus.Stopped, hosted.Status);
        Assert.NotNull(hosted.Summary);
        Assert.Equal(EngineState.Stopped, hosted.Engine.State);
        Assert.True(File.Exists(Path.Combine(_dir, "sessions", "hosted-1", "summary.json")));
        Assert.Contains(await LogAsync(host), e => e.Payload is EngineStopped);
        Assert.True(feed.Cancelled, "the feed's wait must be cancelled by the stop");
    }

    [Fact]
    public async Task InWorkerMode_TheHealthCheckNamesTheWorkerAndItsState_AndAStopSetsItToExit()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var feed = new LiveFeed(TestBars.RandomWalk(30));
        var builder = NewHost(feed);
        builder.Services.Configure<TradingKit.Engine.EngineOptions>(o => o.Worker.WorkerId = "hosted-worker");
        using var host = builder.Build();
        await host.StartAsync(timeout.Token);
        await feed.AllGiven.WaitAsync(timeout.Token);

        var running = await CheckAsync(host);
        var registry = host.Services.GetRequiredService<IWorkerRegistry>();
        var whileRunning = (await registry.GetAsync("hosted-worker", timeout.Token))!.State;
        await host.StopAsync(timeout.Token);

        // The engine may still be trading the last bars (and hold a position): scanning or holding, never idle or exited.
        Assert.Equal("hosted-worker", (string)running.Data["worker_id"]);
        Assert.Contains((string)running.Data["worker_state"], new[] { "Scan", "Hold" });
        Assert.Contains(whileRunning, new[] { "SCAN", "HOLD" });
        Assert.Equal(IWorkerRegistry.ExitState, (await registry.GetAsync("hosted-worker", timeout.Token))!.State);
        Assert.Contains(await LogAsync(host), e => e.Payload is WorkerStarted { WorkerId: "hosted-worker" });
    }

    [Fact]
    public async Task WithoutWorkerMode_TheHealthCheckHasNoWorkerData()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var feed = new LiveFeed(TestBars.RandomWalk(10));
        using var host = NewHost(feed).Build();
        await host.StartAsync(timeout.Token);
        await feed.AllGiven.WaitAsync(timeout.Token);

        var running = await CheckAsync(host);
        await host.StopAsync(timeout.Token);

        Assert.False(running.Data.ContainsKey("worker_id"));
        Assert.Empty(await host.Services.GetRequiredService<IWorkerRegistry>().ListAsync(timeout.Token));
    }

    [Fact]
    public async Task FailingFeed_FaultsTheSession_SetsTheExitCode_ReportsUnhealthy_AndStopsTheHost()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var host = NewHost(new ListFeed(TestBars.RandomWalk(50), failAfter: 30)).Build();
        var exitCode = Environment.ExitCode;
        try
        {
            await host.StartAsync(timeout.Token);
            await host.WaitForShutdownAsync(timeout.Token);

            var hosted = host.Services.GetRequiredService<HostedEngineService>();
            Assert.Equal(HostedSessionStatus.Faulted, hosted.Status);
            Assert.Equal("the feed broke", hosted.Failure!.Message);
            Assert.Equal(3, Environment.ExitCode);

            // The engine still stopped gracefully after what the feed gave.
            Assert.Equal(30, hosted.Engine.MarketEventsProcessed);
            Assert.Equal(EngineState.Stopped, hosted.Engine.State);
            Assert.True(File.Exists(Path.Combine(_dir, "sessions", "hosted-1", "summary.json")));

            var health = await CheckAsync(host);
            Assert.Equal(HealthStatus.Unhealthy, health.Status);
            Assert.Same(hosted.Failure, health.Exception);
            Assert.Equal("Faulted", health.Data["hosted_status"]);
        }
        finally
        {
            Environment.ExitCode = exitCode;
        }
    }

    [Fact]
    public async Task WithoutStopHostWhenSessionEnds_TheHostOutlivesTheSession_AndAFailureLeavesTheExitCodeAlone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var host = NewHost(new ListFeed(TestBars.RandomWalk(50), failAfter: 10), o =>
        {
            o.StopHostWhenSessionEnds = false;
            o.SetExitCodeOnFailure = false;
        }).Build();
        var exitCode = Environment.ExitCode;
        await host.StartAsync(timeout.Token);
        var hosted = host.Services.GetRequiredService<HostedEngineService>();

        await hosted.ExecuteTask!.WaitAsync(timeout.Token);

        Assert.Equal(HostedSessionStatus.Faulted, hosted.Status);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.Equal(exitCode, Environment.ExitCode);
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task Health_IsDegraded_WhileTheKillSwitchIsOn_OrAnOperatorPaused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var feed = new LiveFeed(TestBars.RandomWalk(5));
        using var host = NewHost(feed, risk: new RiskOptions { KillSwitch = { InitialState = KillSwitchState.On } }).Build();
        await host.StartAsync(timeout.Token);
        await feed.AllGiven.WaitAsync(timeout.Token);
        var engine = host.Services.GetRequiredService<TradingEngine>();

        var killed = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, killed.Status);
        Assert.Contains("kill switch is on", killed.Description, StringComparison.Ordinal);
        Assert.Equal("on", killed.Data["kill_switch"]);

        var paused = await engine.ExecuteAsync(new CommandEnvelope(Guid.NewGuid(), "pause-1", new PauseEngine("lunch"), "alice", DateTimeOffset.UnixEpoch, CorrelationId.New()), timeout.Token);
        Assert.True(paused.Succeeded, paused.Message);
        var health = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("paused", health.Description, StringComparison.Ordinal);

        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task InvalidOptions_AreRefusedWhenTheHostStarts()
    {
        using var host = NewHost(new ListFeed(TestBars.RandomWalk(5)), o => o.FailureExitCode = 0).Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("FailureExitCode", error.Message, StringComparison.Ordinal);
    }

    private HostApplicationBuilder NewHost(IMarketDataFeed feed, Action<HostedEngineOptions>? configure = null, RiskOptions? risk = null)
    {
        var (builder, tradingKit) = TestHosts.PaperSession("hosted-1", _dir);
        if (risk is not null)
        {
            tradingKit.UseRiskGuard(risk);
        }

        tradingKit.AddHostedEngine(_ => feed, o =>
        {
            o.FailureExitCode = 3;
            configure?.Invoke(o);
        });
        builder.Services.AddHealthChecks().AddTradingKitEngine();
        return builder;
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host)
        => (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["tradingkit-engine"];

    private static async Task<List<EventEnvelope>> LogAsync(IHost host)
    {
        var events = new List<EventEnvelope>();
        await foreach (var envelope in host.Services.GetRequiredService<IEventStore>().ReadAllAsync())
        {
            events.Add(envelope);
        }

        return events;
    }
}
