using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IWorkerRegistry"/> shares.</summary>
public abstract class WorkerRegistryContractTests : StoreContractTests<IWorkerRegistry>
{
    /// <summary>Register: stores the worker idle.</summary>
    [Fact]
    public async Task Register_StoresTheWorkerIdle()
    {
        var record = await Store.RegisterAsync("w1");

        var expected = new WorkerRecord("w1", "IDLE", null, StoreTestData.Start, StoreTestData.Start, StoreTestData.Start);
        Assert.Equal(expected, record);
        Assert.Equal(expected, await Store.GetAsync("w1"));
    }

    /// <summary>Set state: records state and symbol.</summary>
    [Fact]
    public async Task SetState_RecordsStateAndSymbol()
    {
        await Store.RegisterAsync("w1");
        Time.Advance(TimeSpan.FromSeconds(3));

        await Store.SetStateAsync("w1", "SCAN", null);
        var hold = await Store.SetStateAsync("w1", "HOLD", new Symbol("005930"));

        Assert.Equal(("HOLD", (Symbol?)new Symbol("005930"), StoreTestData.Start.AddSeconds(3)), (hold.State, hold.CurrentSymbol, hold.UpdatedAt));
        Assert.Equal(hold, await Store.GetAsync("w1"));
    }

    /// <summary>Set state: of an unknown worker, throws worker not found.</summary>
    [Fact]
    public async Task SetState_OfAnUnknownWorker_ThrowsWorkerNotFound()
    {
        var error = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.SetStateAsync("ghost", "SCAN", null));

        Assert.Equal(StoreErrorCodes.WorkerNotFound, error.Code);
        Assert.Null(await Store.GetAsync("ghost"));
    }

    /// <summary>Heartbeat: updates only the heartbeat.</summary>
    [Fact]
    public async Task Heartbeat_UpdatesOnlyTheHeartbeat()
    {
        await Store.RegisterAsync("w1");
        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await Store.HeartbeatAsync("w1"));
        Assert.False(await Store.HeartbeatAsync("ghost"));

        var record = await Store.GetAsync("w1");
        Assert.Equal((StoreTestData.Start.AddSeconds(5), StoreTestData.Start, "IDLE"), (record!.HeartbeatAt, record.UpdatedAt, record.State));
    }

    /// <summary>Register: again after a restart, resets to idle.</summary>
    [Fact]
    public async Task Register_AgainAfterARestart_ResetsToIdle()
    {
        await Store.RegisterAsync("w1");
        await Store.SetStateAsync("w1", "HOLD", new Symbol("A"));
        Time.Advance(TimeSpan.FromMinutes(1));

        var again = await Store.RegisterAsync("w1");

        Assert.Equal(new WorkerRecord("w1", "IDLE", null, StoreTestData.Start.AddMinutes(1), StoreTestData.Start.AddMinutes(1), StoreTestData.Start.AddMinutes(1)), again);
        Assert.Single(await Store.ListAsync());
    }

    /// <summary>Mark silent workers exited: exits only workers silent for the timeout, and each once.</summary>
    [Fact]
    public async Task MarkSilentWorkersExited_ExitsOnlyWorkersSilentForTheTimeout_AndEachOnce()
    {
        await Store.RegisterAsync("quiet");
        await Store.SetStateAsync("quiet", "HOLD", new Symbol("A"));
        await Store.RegisterAsync("alive");
        Time.Advance(TimeSpan.FromSeconds(20));
        await Store.HeartbeatAsync("alive");
        Time.Advance(TimeSpan.FromSeconds(10));

        var results = await RaceAsync(3, async _ => await Store.MarkSilentWorkersExitedAsync(TimeSpan.FromSeconds(30)));

        var exited = Assert.Single(results.SelectMany(r => r));
        Assert.Equal(new WorkerRecord("quiet", "EXIT", null, StoreTestData.Start, StoreTestData.Start, StoreTestData.Start.AddSeconds(30)), exited);
        Assert.Equal("IDLE", (await Store.GetAsync("alive"))!.State);
        Assert.Equal(exited, await Store.GetAsync("quiet"));
    }

    /// <summary>List: returns workers ordered by id.</summary>
    [Fact]
    public async Task List_ReturnsWorkersOrderedById()
    {
        await Store.RegisterAsync("w2");
        await Store.RegisterAsync("w1");

        Assert.Equal(["w1", "w2"], (await Store.ListAsync()).Select(w => w.WorkerId));
    }
}
