using TradingKit.Domain;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="ISymbolLockService"/> shares.</summary>
public abstract class SymbolLockContractTests : StoreContractTests<ISymbolLockService>
{
    private static readonly Symbol Btc = new("BTCUSDT");
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    /// <summary>Acquire: a free symbol, stores the lock with its times.</summary>
    [Fact]
    public async Task Acquire_AFreeSymbol_StoresTheLockWithItsTimes()
    {
        var result = await Store.AcquireAsync(Btc, "w1", Ttl);

        Assert.True(result.Acquired);
        Assert.Null(result.Replaced);
        var expected = new SymbolLock(Btc, "w1", StoreTestData.Start, Ttl, StoreTestData.Start);
        Assert.Equal(expected, result.Holder);
        Assert.Equal(expected, await Store.GetAsync(Btc));
    }

    /// <summary>Acquire: a symbol held by another worker, fails and reports the holder.</summary>
    [Fact]
    public async Task Acquire_ASymbolHeldByAnotherWorker_FailsAndReportsTheHolder()
    {
        await Store.AcquireAsync(Btc, "w1", Ttl);
        Time.Advance(TimeSpan.FromSeconds(10));

        var result = await Store.AcquireAsync(Btc, "w2", Ttl);

        Assert.False(result.Acquired);
        Assert.Equal("w1", result.Holder.WorkerId);
        Assert.Equal("w1", (await Store.GetAsync(Btc))!.WorkerId);
    }

    /// <summary>Acquire: again by same worker, renews the lock.</summary>
    [Fact]
    public async Task Acquire_AgainBySameWorker_RenewsTheLock()
    {
        await Store.AcquireAsync(Btc, "w1", Ttl);
        Time.Advance(TimeSpan.FromSeconds(20));

        var again = await Store.AcquireAsync(Btc, "w1", TimeSpan.FromMinutes(1));

        Assert.True(again.Acquired);
        Assert.Equal(StoreTestData.Start.AddSeconds(20), again.Holder.HeartbeatAt);
        Assert.Equal(TimeSpan.FromMinutes(1), again.Holder.Ttl);
    }

    /// <summary>Acquire: many workers at once, exactly one wins.</summary>
    [Fact]
    public async Task Acquire_ManyWorkersAtOnce_ExactlyOneWins()
    {
        for (var round = 0; round < 20; round++)
        {
            var symbol = new Symbol("SYM" + round);
            var results = await RaceAsync(6, async i => await Store.AcquireAsync(symbol, "w" + i, Ttl));

            var winner = Assert.Single(results, r => r.Acquired);
            Assert.All(results, r => Assert.Equal(winner.Holder.WorkerId, r.Holder.WorkerId));
            Assert.Equal(winner.Holder.WorkerId, (await Store.GetAsync(symbol))!.WorkerId);
        }
    }

    /// <summary>Acquire: after the ttl passed without heartbeat, takes the lock over.</summary>
    [Fact]
    public async Task Acquire_AfterTheTtlPassedWithoutHeartbeat_TakesTheLockOver()
    {
        await Store.AcquireAsync(Btc, "w1", Ttl);
        Time.Advance(Ttl);

        var result = await Store.AcquireAsync(Btc, "w2", Ttl);

        Assert.True(result.Acquired);
        Assert.Equal("w1", result.Replaced!.WorkerId);
        Assert.Equal(new SymbolLock(Btc, "w2", StoreTestData.Start + Ttl, Ttl, StoreTestData.Start + Ttl), result.Holder);
    }

    /// <summary>Heartbeat: by the holder, keeps the lock alive past the first ttl.</summary>
    [Fact]
    public async Task Heartbeat_ByTheHolder_KeepsTheLockAlivePastTheFirstTtl()
    {
        await Store.AcquireAsync(Btc, "w1", Ttl);
        Time.Advance(TimeSpan.FromSeconds(25));
        Assert.True(await Store.HeartbeatAsync(Btc, "w1"));
        Time.Advance(TimeSpan.FromSeconds(25));

        var other = await Store.AcquireAsync(Btc, "w2", Ttl);

        Assert.False(other.Acquired);
        Assert.Equal(StoreTestData.Start.AddSeconds(25), other.Holder.HeartbeatAt);
        Assert.Equal(StoreTestData.Start, other.Holder.LockedAt);
        Assert.Empty(await Store.ReapExpiredAsync());
    }

    /// <summary>Heartbeat: by a non holder or after expiry, returns false.</summary>
    [Fact]
    public async Task Heartbeat_ByANonHolderOrAfterExpiry_ReturnsFalse()
    {
        await Store.AcquireAsync(Btc, "w1", Ttl);

        Assert.False(await Store.HeartbeatAsync(Btc, "w2"));
        Assert.False(await Store.HeartbeatAsync(new Symbol("ETHUSDT"), "w1"));
        Time.Advance(Ttl);
        Assert.False(await Store.HeartbeatAsync(Btc, "w1"));
        Assert.Equal(StoreTestData.Start, (await Store.GetAsync(Btc))!.HeartbeatAt);
    }

    /// <summary>Release: by the holder, frees the symbol, by another worker, does nothing.</summary>
    [Fact]
    public async Task Release_ByTheHolder_FreesTheSymbol_ByAnotherWorker_DoesNothing()
    {
        await Store.AcquireAsync(Btc, "w1", Ttl);

        Assert.False(await Store.ReleaseAsync(Btc, "w2"));
        Assert.NotNull(await Store.GetAsync(Btc));
        Assert.True(await Store.ReleaseAsync(Btc, "w1"));
        Assert.Null(await Store.GetAsync(Btc));
        Assert.False(await Store.ReleaseAsync(Btc, "w1"));
        Assert.True((await Store.AcquireAsync(Btc, "w2", Ttl)).Acquired);
    }

    /// <summary>Release all: removes every lock of that worker only.</summary>
    [Fact]
    public async Task ReleaseAll_RemovesEveryLockOfThatWorkerOnly()
    {
        await Store.AcquireAsync("A", "w1", Ttl);
        await Store.AcquireAsync("B", "w2", Ttl);
        await Store.AcquireAsync("C", "w1", Ttl);

        var released = await Store.ReleaseAllAsync("w1");

        Assert.Equal(["A", "C"], released.Select(l => l.Symbol.Value).Order());
        Assert.Equal(["B"], (await Store.ListAsync()).Select(l => l.Symbol.Value));
    }

    /// <summary>Reap expired: deletes only expired locks and returns them.</summary>
    [Fact]
    public async Task ReapExpired_DeletesOnlyExpiredLocksAndReturnsThem()
    {
        await Store.AcquireAsync("A", "w1", TimeSpan.FromSeconds(10));
        await Store.AcquireAsync("B", "w2", TimeSpan.FromSeconds(60));
        Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(await Store.ReapExpiredAsync());
        Time.Advance(TimeSpan.FromSeconds(1));

        var reaped = await Store.ReapExpiredAsync();

        var gone = Assert.Single(reaped);
        Assert.Equal(new SymbolLock("A", "w1", StoreTestData.Start, TimeSpan.FromSeconds(10), StoreTestData.Start), gone);
        Assert.Equal(["B"], (await Store.ListAsync()).Select(l => l.Symbol.Value));
    }

    /// <summary>Reap expired: by concurrent reapers, returns each lock exactly once.</summary>
    [Fact]
    public async Task ReapExpired_ByConcurrentReapers_ReturnsEachLockExactlyOnce()
    {
        for (var i = 0; i < 30; i++)
        {
            await Store.AcquireAsync("S" + i, "w" + (i % 3), Ttl);
        }

        Time.Advance(Ttl);
        var reaped = await RaceAsync(4, async _ => await Store.ReapExpiredAsync());

        Assert.Equal(30, reaped.Sum(r => r.Count));
        Assert.Equal(30, reaped.SelectMany(r => r).Select(l => l.Symbol).Distinct().Count());
        Assert.Empty(await Store.ListAsync());
    }

    /// <summary>List: returns locks ordered by symbol.</summary>
    [Fact]
    public async Task List_ReturnsLocksOrderedBySymbol()
    {
        await Store.AcquireAsync("C", "w1", Ttl);
        await Store.AcquireAsync("A", "w2", Ttl);
        await Store.AcquireAsync("B", "w3", Ttl);

        Assert.Equal(["A", "B", "C"], (await Store.ListAsync()).Select(l => l.Symbol.Value));
    }
}
