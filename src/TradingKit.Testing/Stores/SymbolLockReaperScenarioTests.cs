using TradingKit.Domain;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The stores a worker fleet shares, as one implementation provides them.</summary>
/// <param name="Locks">The symbol lock service.</param>
/// <param name="Workers">The workers registry.</param>
/// <param name="Events">The event log.</param>
public sealed record WorkerFleetStores(ISymbolLockService Locks, IWorkerRegistry Workers, IEventStore Events);

/// <summary>Seed 002's lock scenarios (SC-003, SC-004, SC-009, SC-010) over one implementation's stores.</summary>
public abstract class SymbolLockReaperScenarioTests : StoreContractTests<WorkerFleetStores>
{
    private static readonly Symbol Samsung = new("005930");
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    /// <summary>SC-003: lock on a free symbol: is acquired and stored.</summary>
    [Fact]
    public async Task SC003_LockOnAFreeSymbol_IsAcquiredAndStored()
    {
        await Store.Workers.RegisterAsync("worker-a");

        var result = await Store.Locks.AcquireAsync(Samsung, "worker-a", Ttl);

        Assert.True(result.Acquired);
        var stored = await Store.Locks.GetAsync(Samsung);
        Assert.Equal(new SymbolLock(Samsung, "worker-a", StoreTestData.Start, Ttl, StoreTestData.Start), stored);
    }

    /// <summary>SC-004: lock held by another worker: is refused and the holder is unchanged.</summary>
    [Fact]
    public async Task SC004_LockHeldByAnotherWorker_IsRefusedAndTheHolderIsUnchanged()
    {
        await Store.Locks.AcquireAsync(Samsung, "worker-a", Ttl);

        var result = await Store.Locks.AcquireAsync(Samsung, "worker-b", Ttl);

        Assert.False(result.Acquired);
        Assert.Equal("worker-a", result.Holder.WorkerId);
        Assert.Equal("worker-a", (await Store.Locks.GetAsync(Samsung))!.WorkerId);
        Assert.Single(await Store.Locks.ListAsync());
    }

    /// <summary>SC-009: heartbeat stops: locks are reaped worker exits and lock released is appended.</summary>
    [Fact]
    public async Task SC009_HeartbeatStops_LocksAreReapedWorkerExitsAndLockReleasedIsAppended()
    {
        await Store.Workers.RegisterAsync("worker-a");
        await Store.Workers.RegisterAsync("worker-b");
        await Store.Workers.SetStateAsync("worker-a", "HOLD", Samsung);
        await Store.Locks.AcquireAsync(Samsung, "worker-a", Ttl);
        Time.Advance(TimeSpan.FromSeconds(20));
        await Store.Locks.AcquireAsync("000660", "worker-a", Ttl);
        await Store.Locks.AcquireAsync("035420", "worker-b", Ttl);
        var reaper = new SymbolLockReaper(Store.Locks, Store.Workers, Store.Events,
            (held, reason) => new TestLockReleased(held.Symbol.Value, held.WorkerId, reason.ToString()), Time);

        Time.Advance(TimeSpan.FromSeconds(10));
        await Store.Locks.HeartbeatAsync("035420", "worker-b");
        var released = await reaper.ReapAsync();

        Assert.Equal([("005930", LockReleaseReason.Expired), ("000660", LockReleaseReason.WorkerExited)],
            released.Select(r => (r.Lock.Symbol.Value, r.Reason)));
        Assert.Equal(["035420"], (await Store.Locks.ListAsync()).Select(l => l.Symbol.Value));
        var worker = await Store.Workers.GetAsync("worker-a");
        Assert.Equal(("EXIT", (Symbol?)null), (worker!.State, worker.CurrentSymbol));
        Assert.Equal("IDLE", (await Store.Workers.GetAsync("worker-b"))!.State);
        var events = await Store.Events.ReadAllAsync().ToListAsync();
        Assert.Equal([new TestLockReleased("005930", "worker-a", "Expired"), new TestLockReleased("000660", "worker-a", "WorkerExited")],
            events.Select(e => e.Payload));
        Assert.Equal(SymbolLockReaper.StreamOf(Samsung), events[0].StreamId);
        Assert.True((await Store.Locks.AcquireAsync(Samsung, "worker-b", Ttl)).Acquired);
        Assert.Empty(await reaper.ReapAsync());
    }

    /// <summary>SC-009: silent worker with live locks: is declared exited and its locks released.</summary>
    [Fact]
    public async Task SC009_SilentWorkerWithLiveLocks_IsDeclaredExitedAndItsLocksReleased()
    {
        await Store.Workers.RegisterAsync("worker-a");
        await Store.Locks.AcquireAsync(Samsung, "worker-a", TimeSpan.FromMinutes(10));
        var reaper = new SymbolLockReaper(Store.Locks, Store.Workers, Store.Events,
            (held, reason) => new TestLockReleased(held.Symbol.Value, held.WorkerId, reason.ToString()), Time, TimeSpan.FromSeconds(15));
        Time.Advance(TimeSpan.FromSeconds(15));

        var released = await reaper.ReapAsync();

        Assert.Equal((Samsung, LockReleaseReason.WorkerExited), Assert.Single(released.Select(r => (r.Lock.Symbol, r.Reason))));
        Assert.Equal("EXIT", (await Store.Workers.GetAsync("worker-a"))!.State);
        Assert.Empty(await Store.Locks.ListAsync());
        Assert.Single(await Store.Events.ReadAllAsync().ToListAsync());
    }

    /// <summary>SC-010: concurrent acquirers of one symbol: exactly one wins, repeated 100 times.</summary>
    [Fact]
    public async Task SC010_ConcurrentAcquirersOfOneSymbol_ExactlyOneWins_Repeated100Times()
    {
        for (var round = 0; round < 100; round++)
        {
            var symbol = new Symbol("R" + round);
            var results = await RaceAsync(4, async i => await Store.Locks.AcquireAsync(symbol, "worker-" + i, Ttl));

            var winner = Assert.Single(results, r => r.Acquired);
            Assert.Equal(3, results.Count(r => !r.Acquired && r.Holder.WorkerId == winner.Holder.WorkerId));
            Assert.Equal(winner.Holder.WorkerId, (await Store.Locks.GetAsync(symbol))!.WorkerId);
        }
    }
}
