using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IControlStateStore"/> shares.</summary>
public abstract class ControlStateContractTests : StoreContractTests<IControlStateStore>
{
    /// <summary>Get current: with nothing recorded, is kill switch on.</summary>
    [Fact]
    public async Task GetCurrent_WithNothingRecorded_IsKillSwitchOn()
    {
        var current = await Store.GetCurrentAsync();

        Assert.Equal(ControlState.Initial, current);
        Assert.True(current.KillSwitchOn);
        Assert.Empty(await Store.GetHistoryAsync());
    }

    /// <summary>Set kill switch: writes a row with reason actor and time.</summary>
    [Fact]
    public async Task SetKillSwitch_WritesARowWithReasonActorAndTime()
    {
        Time.Advance(TimeSpan.FromMinutes(1));

        var (state, changed) = await Store.SetKillSwitchAsync(false, "paper test approved", "admin");

        Assert.True(changed);
        Assert.Equal(new ControlState(false, null, "paper test approved", "admin", StoreTestData.Start.AddMinutes(1), 1), state);
        Assert.Equal(state, await Store.GetCurrentAsync());
    }

    /// <summary>Set kill switch: to its current value, writes nothing.</summary>
    [Fact]
    public async Task SetKillSwitch_ToItsCurrentValue_WritesNothing()
    {
        var (_, changedFromInitial) = await Store.SetKillSwitchAsync(true, "again", "ops");
        await Store.SetKillSwitchAsync(false, "go", "ops");

        var (state, changed) = await Store.SetKillSwitchAsync(false, "go again", "ops");

        Assert.False(changedFromInitial);
        Assert.False(changed);
        Assert.Equal("go", state.Reason);
        Assert.Single(await Store.GetHistoryAsync());
    }

    /// <summary>Set engine mode: keeps the kill switch, and the latest row wins.</summary>
    [Fact]
    public async Task SetEngineMode_KeepsTheKillSwitch_AndTheLatestRowWins()
    {
        await Store.SetKillSwitchAsync(false, "start", "ops");
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.SetEngineModeAsync("RUNNING", "start", "ops");
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.SetKillSwitchAsync(true, "daily loss", "risk-guard");
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.SetEngineModeAsync("SAFE", "tripped", "risk-guard");

        var current = await Store.GetCurrentAsync();
        var history = await Store.GetHistoryAsync();

        Assert.Equal(new ControlState(true, "SAFE", "tripped", "risk-guard", StoreTestData.Start.AddSeconds(3), 4), current);
        Assert.Equal([4L, 3, 2, 1], history.Select(h => h.Sequence));
        Assert.Equal([true, true, false, false], history.Select(h => h.KillSwitchOn));
        Assert.Equal(["SAFE", "RUNNING", "RUNNING", null], history.Select(h => h.EngineMode));
        Assert.Equal([4L, 3], (await Store.GetHistoryAsync(2)).Select(h => h.Sequence));
    }

    /// <summary>Set kill switch: by many callers at once, turns it on exactly once.</summary>
    [Fact]
    public async Task SetKillSwitch_ByManyCallersAtOnce_TurnsItOnExactlyOnce()
    {
        await Store.SetKillSwitchAsync(false, "start", "ops");

        var results = await RaceAsync(8, async i => await Store.SetKillSwitchAsync(true, "trip " + i, "guard-" + i));

        Assert.Single(results, r => r.Changed);
        Assert.Equal(2, (await Store.GetHistoryAsync()).Count);
        Assert.True((await Store.GetCurrentAsync()).KillSwitchOn);
    }

    /// <summary>Changes: from many callers, keep a contiguous history where each row carries the other field.</summary>
    [Fact]
    public async Task Changes_FromManyCallers_KeepAContiguousHistoryWhereEachRowCarriesTheOtherField()
    {
        await RaceAsync(6, async i =>
        {
            await Store.SetEngineModeAsync("MODE" + i, "m", "ops");
            await Store.SetKillSwitchAsync(i % 2 == 0, "k", "ops");
            return 0;
        });

        var history = (await Store.GetHistoryAsync(1000)).Reverse().ToList();

        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(h => h.Sequence));
        for (var i = 1; i < history.Count; i++)
        {
            var changedFields = (history[i].KillSwitchOn != history[i - 1].KillSwitchOn ? 1 : 0) + (history[i].EngineMode != history[i - 1].EngineMode ? 1 : 0);
            Assert.Equal(1, changedFields);
        }
    }
}
