using Microsoft.Extensions.Time.Testing;
using TradingKit.Notifications;
using TradingKit.Orders;
using TradingKit.Risk;
using static TradingKit.Core.Tests.Risk.RiskTestData;

namespace TradingKit.Core.Tests.Risk;

public sealed class KillSwitchTests
{
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly InMemoryKillSwitchHistory _history = new();

    [Theory]
    [InlineData(null, false, KillSwitchState.Off)]
    [InlineData(null, true, KillSwitchState.On)]
    [InlineData(KillSwitchState.Off, true, KillSwitchState.Off)]
    [InlineData(KillSwitchState.On, false, KillSwitchState.On)]
    public async Task InitialState_IsConfigurable_AndOnInPhaseZeroByDefault(KillSwitchState? configured, bool phaseZero, KillSwitchState expected)
    {
        var options = new KillSwitchOptions { InitialState = configured };

        using var killSwitch = await KillSwitch.CreateAsync(_history, options.ResolveInitialState(phaseZero), _clock);

        Assert.Equal(expected, killSwitch.Current.State);
        Assert.Equal(expected == KillSwitchState.On, killSwitch.IsOn);
    }

    [Fact]
    public async Task LatestHistoryRecord_WinsOverTheInitialState()
    {
        await _history.AppendAsync(new KillSwitchTransition(KillSwitchState.On, "incident", "alice", T0));
        await _history.AppendAsync(new KillSwitchTransition(KillSwitchState.Off, "resolved", "bob", T0 + TimeSpan.FromMinutes(5)));

        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.On, _clock);

        Assert.False(killSwitch.IsOn);
        Assert.Equal("bob", killSwitch.Current.Actor);
    }

    [Fact]
    public async Task TurnOn_WhenAlreadyOn_IsAConflict_AndRecordsNothing()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);
        await killSwitch.TurnOnAsync("incident", "alice");

        var conflict = await Assert.ThrowsAsync<KillSwitchConflictException>(() => killSwitch.TurnOnAsync("again", "bob").AsTask());

        Assert.Equal(RiskCodes.KillSwitchConflict, conflict.Code);
        Assert.Equal("alice", conflict.Current.Actor);
        Assert.Single(await killSwitch.GetHistoryAsync());
    }

    [Fact]
    public async Task TurnOff_WhenAlreadyOff_IsAConflict()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);

        var conflict = await Assert.ThrowsAsync<KillSwitchConflictException>(() => killSwitch.TurnOffAsync("nothing to do", "bob").AsTask());

        Assert.Equal(RiskCodes.KillSwitchConflict, conflict.Code);
        Assert.Empty(await killSwitch.GetHistoryAsync());
    }

    [Fact]
    public async Task History_IsAppendOnly_InOrder_WithReasonActorAndTime()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);

        await killSwitch.TurnOnAsync("incident", "alice");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await killSwitch.TurnOffAsync("resolved", "bob");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await killSwitch.TurnOnAsync("end of day", "carol");

        var history = await killSwitch.GetHistoryAsync();
        Assert.Equal([KillSwitchState.On, KillSwitchState.Off, KillSwitchState.On], history.Select(h => h.State));
        Assert.Equal(["alice", "bob", "carol"], history.Select(h => h.Actor));
        Assert.Equal(["incident", "resolved", "end of day"], history.Select(h => h.Reason));
        Assert.Equal([T0, T0 + TimeSpan.FromMinutes(1), T0 + TimeSpan.FromMinutes(2)], history.Select(h => h.OccurredAt));
        Assert.Same(history[^1], killSwitch.Current);
    }

    [Fact]
    public async Task ChangesNeedAReasonAndAnActor()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);

        await Assert.ThrowsAsync<ArgumentException>(() => killSwitch.TurnOnAsync(" ", "alice").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => killSwitch.TurnOnAsync("incident", "").AsTask());
        Assert.False(killSwitch.IsOn);
    }

    [Fact]
    public async Task Trip_TurnsTheKillSwitchOnAutomatically_Once()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);
        var guard = new RiskGuard(new RiskOptions(), killSwitch);
        guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0);
        guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0);
        var trip = guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0)!;

        var change = await killSwitch.EngageForTripAsync(trip);
        var again = await killSwitch.EngageForTripAsync(trip);

        Assert.NotNull(change);
        Assert.True(killSwitch.IsOn);
        Assert.Equal(KillSwitch.RiskGuardActor, change.Actor);
        Assert.Equal(TripCauses.ConsecutiveFailures, change.TripCause);
        Assert.Null(again);
        Assert.Single(await killSwitch.GetHistoryAsync());
    }

    [Fact]
    public async Task Trip_DoesNotConflictWithAnOperatorWhoTurnedItOnFirst()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);
        await killSwitch.TurnOnAsync("manual stop", "alice");
        var trip = new RiskTrip(TripCauses.DailyLoss, 1m, 2m, TradingState.Halted, "loss") { StopPlan = new StopPlan { EngageKillSwitch = true } };

        Assert.Null(await killSwitch.EngageForTripAsync(trip));
        Assert.Equal("alice", killSwitch.Current.Actor);
    }

    [Fact]
    public async Task ReducingTrip_LeavesTheKillSwitchOff_SoReducingOrdersCanFlow()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);
        var trip = new RiskTrip(TripCauses.SlippageSpike, 1m, 2m, TradingState.Reducing, "slippage") { StopPlan = StopPlan.For(TradingState.Reducing, new RiskOptions()) };

        Assert.Null(await killSwitch.EngageForTripAsync(trip));
        Assert.False(killSwitch.IsOn);
    }

    [Fact]
    public async Task KillSwitchOn_MakesZeroVenueCalls()
    {
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock);
        var guard = new RiskGuard(Bare(), killSwitch);
        var venue = new CountingVenue();
        await killSwitch.TurnOnAsync("incident", "alice");

        for (var i = 0; i < 5; i++)
        {
            LastGate(guard, venue, Order(OrderSide.Buy));
            LastGate(guard, venue, Order(OrderSide.Sell));
        }

        Assert.Equal(0, venue.Calls);

        await killSwitch.TurnOffAsync("resolved", "alice");
        LastGate(guard, venue, Order());
        Assert.Equal(1, venue.Calls);
    }

    [Fact]
    public async Task Changes_AreSentToTheNotifier()
    {
        var notifier = new RecordingNotifier();
        using var killSwitch = await KillSwitch.CreateAsync(_history, KillSwitchState.Off, _clock, notifier);

        await killSwitch.TurnOnAsync("incident", "alice");
        await killSwitch.TurnOffAsync("resolved", "bob");

        Assert.Equal([AlertEvents.KillSwitchOn, AlertEvents.KillSwitchOff], notifier.Alerts.Select(a => a.Event));
        Assert.All(notifier.Alerts, a => Assert.Equal(AlertSeverity.Critical, a.Severity));
        Assert.Equal("alice", notifier.Alerts[0].Details["actor"]);
    }

    [Fact]
    public async Task TurnOff_WhoseHistoryAppendFails_LeavesTheSwitchOn()
    {
        var history = new FailingHistory();
        using var killSwitch = await KillSwitch.CreateAsync(history, KillSwitchState.On, _clock);

        await Assert.ThrowsAsync<InvalidOperationException>(() => killSwitch.TurnOffAsync("resolved", "bob").AsTask());

        Assert.True(killSwitch.IsOn);
    }

    private static void LastGate(IRiskGuard guard, CountingVenue venue, OrderRequest order)
    {
        if (guard.CheckPreTrade(Context(order, position: 1m)).Allowed)
        {
            venue.Submit(order);
        }
    }

    private sealed class CountingVenue
    {
        public int Calls { get; private set; }

        public void Submit(OrderRequest order) => Calls++;
    }

    private sealed class FailingHistory : IKillSwitchHistory
    {
        public ValueTask AppendAsync(KillSwitchTransition change, CancellationToken cancellationToken = default) => throw new InvalidOperationException("store down");

        public ValueTask<KillSwitchTransition?> GetLatestAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<KillSwitchTransition?>(null);

        public ValueTask<IReadOnlyList<KillSwitchTransition>> ReadAllAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<IReadOnlyList<KillSwitchTransition>>([]);
    }
}

internal sealed class RecordingNotifier : INotifier
{
    public List<Alert> Alerts { get; } = [];

    public ValueTask NotifyAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        Alerts.Add(alert);
        return ValueTask.CompletedTask;
    }
}
