using Microsoft.Extensions.Time.Testing;
using TradingKit.Risk;
using TradingKit.Stores.InMemory;

namespace TradingKit.Core.Tests.Risk;

public sealed class ControlStateKillSwitchHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task KillSwitchTurnedOn_SurvivesARestart_WhateverTheConfiguredInitialState()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryControlStateStore(time);
        var before = await KillSwitch.CreateAsync(new ControlStateKillSwitchHistory(store), KillSwitchState.Off, time);
        Assert.False(before.IsOn);
        await before.TurnOnAsync("incident 42", "operator-1");

        // A new process on the same store, configured to start OFF.
        var after = await KillSwitch.CreateAsync(new ControlStateKillSwitchHistory(store), KillSwitchState.Off, time);

        Assert.True(after.IsOn);
        Assert.Equal("incident 42", after.Current.Reason);
        Assert.Equal("operator-1", after.Current.Actor);
        await Assert.ThrowsAsync<KillSwitchConflictException>(() => after.TurnOnAsync("again", "operator-2").AsTask());
    }

    [Fact]
    public async Task History_IsTheFlipsOnly_OldestFirst_AndEmptyStoreMeansTheConfiguredState()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryControlStateStore(time);
        var history = new ControlStateKillSwitchHistory(store);
        Assert.Null(await history.GetLatestAsync());
        var killSwitch = await KillSwitch.CreateAsync(history, KillSwitchState.On, time);
        Assert.True(killSwitch.IsOn);

        await killSwitch.TurnOffAsync("checks passed", "operator-1");
        await store.SetEngineModeAsync("paper", "mode change", "operator-1");
        time.Advance(TimeSpan.FromMinutes(1));
        await killSwitch.TurnOnAsync("drill", "operator-2");

        var all = await history.ReadAllAsync();
        Assert.Equal([KillSwitchState.Off, KillSwitchState.On], all.Select(t => t.State));
        Assert.Equal(["checks passed", "drill"], all.Select(t => t.Reason));
        Assert.Equal(KillSwitchState.On, (await history.GetLatestAsync())!.State);
    }
}
