using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Hosting.Tests;

/// <summary>Seed 002 SC-009 in a host: the reaper service frees a dead worker's symbols on its timer, and options are checked at start.</summary>
public sealed class SymbolLockReaperServiceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SC009_ADeadWorkersLocks_AreReclaimedOnTheTimer_AndItIsSetToExit()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var clock = new FakeTimeProvider(T0);
        using var host = NewHost(clock, o => o.Interval = TimeSpan.FromSeconds(5)).Build();
        var locks = host.Services.GetRequiredService<ISymbolLockService>();
        var registry = host.Services.GetRequiredService<IWorkerRegistry>();
        var events = host.Services.GetRequiredService<IEventStore>();
        await registry.RegisterAsync("worker-dead", timeout.Token);
        await registry.SetStateAsync("worker-dead", "SCAN", null, timeout.Token);
        await registry.SetStateAsync("worker-dead", "HOLD", new Symbol("AAA"), timeout.Token);
        Assert.True((await locks.AcquireAsync(new Symbol("AAA"), "worker-dead", TimeSpan.FromSeconds(30), timeout.Token)).Acquired);
        // Its TTL outlasts any clock the waits below can reach (they move it a second at a time while they wait).
        Assert.True((await locks.AcquireAsync(new Symbol("BBB"), "worker-alive", TimeSpan.FromDays(365), timeout.Token)).Acquired);

        await host.StartAsync(timeout.Token);
        var reaper = host.Services.GetRequiredService<SymbolLockReaperService>();
        await using var released = events.SubscribeAsync(0, timeout.Token).GetAsyncEnumerator(timeout.Token);

        // The dead worker's heartbeats stop; 30 s later its lock has expired and the next pass takes it.
        Assert.True(await AdvanceUntilAsync(clock, released.MoveNextAsync().AsTask(), TimeSpan.FromSeconds(31)));
        var payload = Assert.IsType<LockReleased>(released.Current.Payload);
        var stream = released.Current.StreamId;

        // A second dead lock, after that pass: only a later pass, on the timer, can take it.
        Assert.True((await locks.AcquireAsync(new Symbol("CCC"), "worker-dead-2", TimeSpan.FromSeconds(30), timeout.Token)).Acquired);
        Assert.True(await AdvanceUntilAsync(clock, released.MoveNextAsync().AsTask(), TimeSpan.FromSeconds(31)));
        var second = Assert.IsType<LockReleased>(released.Current.Payload);
        await host.StopAsync(timeout.Token);

        Assert.Equal((new Symbol("AAA"), "worker-dead", "expired"), (payload.Symbol, payload.WorkerId, payload.Reason));
        Assert.Equal("symbol-lock-AAA", stream);
        Assert.Equal((new Symbol("CCC"), "worker-dead-2"), (second.Symbol, second.WorkerId));
        Assert.Null(await locks.GetAsync(new Symbol("AAA"), timeout.Token));
        Assert.Equal("worker-alive", (await locks.GetAsync(new Symbol("BBB"), timeout.Token))!.WorkerId);
        Assert.Equal(IWorkerRegistry.ExitState, (await registry.GetAsync("worker-dead", timeout.Token))!.State);
        Assert.True(reaper.Passes >= 2, $"{reaper.Passes} passes");
        Assert.Equal(2, reaper.Released);
        Assert.True((await locks.AcquireAsync(new Symbol("AAA"), "worker-next", TimeSpan.FromSeconds(30), timeout.Token)).Acquired);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(5, 0)]
    public async Task InvalidOptions_StopTheHostAtStart(int intervalSeconds, int? workerTimeoutSeconds)
    {
        using var host = NewHost(new FakeTimeProvider(T0), o =>
        {
            o.Interval = TimeSpan.FromSeconds(intervalSeconds);
            o.WorkerTimeout = workerTimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null;
        }).Build();

        await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
    }

    /// <summary>
    /// Moves the clock past <paramref name="atLeast"/>, then on in steps of a second until <paramref name="next"/> completes:
    /// the service's next delay may be registered just after a jump, and the clock must then move again for it to fire.
    /// </summary>
    private static async Task<bool> AdvanceUntilAsync(FakeTimeProvider clock, Task<bool> next, TimeSpan atLeast)
    {
        clock.Advance(atLeast);
        for (var step = 0; !next.IsCompleted && step < 100_000; step++)
        {
            await Task.Yield();
            if (step % 100 == 99)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await next;
    }

    private static HostApplicationBuilder NewHost(TimeProvider clock, Action<SymbolLockReaperOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(clock);
        builder.Services.AddTradingKit().UseInMemoryStores().AddSymbolLockReaper(configure);
        return builder;
    }
}
