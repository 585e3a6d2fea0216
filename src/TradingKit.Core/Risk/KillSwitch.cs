using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Notifications;

namespace TradingKit.Risk;

/// <summary>The kill switch position.</summary>
public enum KillSwitchState
{
    /// <summary>Orders may flow (subject to every other guard).</summary>
    Off = 0,

    /// <summary>Nothing reaches the venue.</summary>
    On = 1,
}

/// <summary>
/// One kill switch change: the history record and the event (<c>kill_switch_on</c> / <c>kill_switch_off</c>).
/// The history is append-only; the latest record wins.
/// </summary>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why (required).</param>
/// <param name="Actor">Who: an operator name, or <c>risk-guard</c> for an automatic change.</param>
/// <param name="OccurredAt">When.</param>
/// <param name="TripCause">For an automatic change, the trip cause; otherwise null.</param>
public sealed record KillSwitchTransition(KillSwitchState State, string Reason, string Actor, DateTimeOffset OccurredAt, string? TripCause = null);

/// <summary>
/// The port where kill switch changes are kept, append-only, latest wins. The in-memory implementation is
/// <see cref="InMemoryKillSwitchHistory"/>; a durable one is backed by the control-state store (<c>control_state</c>).
/// </summary>
public interface IKillSwitchHistory
{
    /// <summary>Appends one change.</summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <returns>A task that completes when the change is durable.</returns>
    ValueTask AppendAsync(KillSwitchTransition change, CancellationToken cancellationToken = default);

    /// <summary>The latest change, or null when there is none.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The latest change.</returns>
    ValueTask<KillSwitchTransition?> GetLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>Every change, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history.</returns>
    ValueTask<IReadOnlyList<KillSwitchTransition>> ReadAllAsync(CancellationToken cancellationToken = default);
}

/// <summary>An in-memory <see cref="IKillSwitchHistory"/> for tests and single-process paper runs.</summary>
public sealed class InMemoryKillSwitchHistory : IKillSwitchHistory
{
    private readonly Lock _lock = new();
    private readonly List<KillSwitchTransition> _changes = [];

    /// <inheritdoc />
    public ValueTask AppendAsync(KillSwitchTransition change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            _changes.Add(change);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<KillSwitchTransition?> GetLatestAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_changes.Count == 0 ? null : _changes[^1]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<KillSwitchTransition>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<KillSwitchTransition>>([.. _changes]);
        }
    }
}

/// <summary>A kill switch change asked for the state the switch is already in (<c>KILL_SWITCH_CONFLICT</c>, seed 000's 409).</summary>
public sealed class KillSwitchConflictException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="current">The current state record.</param>
    public KillSwitchConflictException(KillSwitchTransition current)
        : base(RiskCodes.KillSwitchConflict, $"The kill switch is already {current?.State.ToString().ToUpperInvariant()} " +
            $"(since {current?.OccurredAt:O} by {current?.Actor}: {current?.Reason}); nothing changed.")
    {
        ArgumentNullException.ThrowIfNull(current);
        Current = current;
    }

    /// <summary>The current state record.</summary>
    public KillSwitchTransition Current { get; }
}

/// <summary>
/// The kill switch: when on, nothing reaches the venue. Changes carry a reason and an actor and are appended to the
/// history before (off) or right after (on) they take effect, so a failure never leaves the switch off by mistake.
/// A request for the current state is a <see cref="KillSwitchConflictException"/>. <see cref="IsOn"/> is a single
/// volatile read, safe from any thread, cheap enough for the last gate before the venue.
/// </summary>
public sealed class KillSwitch : IDisposable
{
    /// <summary>The actor of automatic changes made for a risk trip.</summary>
    public const string RiskGuardActor = "risk-guard";

    private readonly IKillSwitchHistory _history;
    private readonly TimeProvider _timeProvider;
    private readonly INotifier? _notifier;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KillSwitchTransition _current;
    private volatile bool _isOn;

    private KillSwitch(IKillSwitchHistory history, TimeProvider timeProvider, INotifier? notifier, KillSwitchTransition current)
    {
        _history = history;
        _timeProvider = timeProvider;
        _notifier = notifier;
        _current = current;
        _isOn = current.State == KillSwitchState.On;
    }

    /// <summary>True when the switch is on.</summary>
    public bool IsOn => _isOn;

    /// <summary>The record of the current state. Before any change it is the initial state, which is not in the history.</summary>
    public KillSwitchTransition Current => _current;

    /// <summary>Loads the latest state from the history, or starts in <paramref name="initialState"/> when it is empty.</summary>
    /// <param name="history">The history port.</param>
    /// <param name="initialState">The state when the history is empty (<see cref="KillSwitchOptions.ResolveInitialState"/>).</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="notifier">Receives <c>kill_switch_on</c> / <c>kill_switch_off</c> alerts; none when null.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The kill switch.</returns>
    public static async ValueTask<KillSwitch> CreateAsync(IKillSwitchHistory history, KillSwitchState initialState,
        TimeProvider? timeProvider = null, INotifier? notifier = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        var time = timeProvider ?? TimeProvider.System;
        var latest = await history.GetLatestAsync(cancellationToken).ConfigureAwait(false);
        return new KillSwitch(history, time, notifier,
            latest ?? new KillSwitchTransition(initialState, "initial state from configuration", "configuration", time.GetUtcNow()));
    }

    /// <summary>Turns the switch on.</summary>
    /// <param name="reason">Why (required).</param>
    /// <param name="actor">Who (required).</param>
    /// <param name="cancellationToken">Cancels the history append (the switch stays on).</param>
    /// <returns>The change.</returns>
    /// <exception cref="KillSwitchConflictException">The switch is already on.</exception>
    public ValueTask<KillSwitchTransition> TurnOnAsync(string reason, string actor, CancellationToken cancellationToken = default)
        => SetAsync(KillSwitchState.On, reason, actor, cancellationToken);

    /// <summary>Turns the switch off.</summary>
    /// <param name="reason">Why (required; seed 001 requires the release reason on record).</param>
    /// <param name="actor">Who (required).</param>
    /// <param name="cancellationToken">Cancels the history append (the switch stays on).</param>
    /// <returns>The change.</returns>
    /// <exception cref="KillSwitchConflictException">The switch is already off.</exception>
    public ValueTask<KillSwitchTransition> TurnOffAsync(string reason, string actor, CancellationToken cancellationToken = default)
        => SetAsync(KillSwitchState.Off, reason, actor, cancellationToken);

    /// <summary>Sets the switch to <paramref name="state"/>.</summary>
    /// <param name="state">The new state.</param>
    /// <param name="reason">Why (required).</param>
    /// <param name="actor">Who (required).</param>
    /// <param name="cancellationToken">Cancels the history append.</param>
    /// <returns>The change.</returns>
    /// <exception cref="KillSwitchConflictException">The switch is already in <paramref name="state"/>.</exception>
    public async ValueTask<KillSwitchTransition> SetAsync(KillSwitchState state, string reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var change = await ChangeAsync(state, reason, actor, null, conflictThrows: true, cancellationToken).ConfigureAwait(false);
        return change!;
    }

    /// <summary>
    /// Turns the switch on for a trip whose stop plan asks for it (<see cref="StopPlan.EngageKillSwitch"/>). Never a
    /// conflict: when the switch is already on (by an operator or an earlier trip) nothing changes and null is returned.
    /// </summary>
    /// <param name="trip">The trip.</param>
    /// <param name="cancellationToken">Cancels the history append (the switch stays on).</param>
    /// <returns>The change, or null when nothing changed.</returns>
    public ValueTask<KillSwitchTransition?> EngageForTripAsync(RiskTrip trip, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trip);
        if (trip.StopPlan is not { EngageKillSwitch: true } || _isOn)
        {
            return ValueTask.FromResult<KillSwitchTransition?>(null);
        }

        return ChangeAsync(KillSwitchState.On, $"risk guard tripped ({trip.Cause}): {trip.Message}", RiskGuardActor, trip.Cause, conflictThrows: false, cancellationToken);
    }

    /// <summary>Every change, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history.</returns>
    public ValueTask<IReadOnlyList<KillSwitchTransition>> GetHistoryAsync(CancellationToken cancellationToken = default)
        => _history.ReadAllAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async ValueTask<KillSwitchTransition?> ChangeAsync(KillSwitchState state, string reason, string actor, string? tripCause, bool conflictThrows,
        CancellationToken cancellationToken)
    {
        KillSwitchTransition change;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (current.State == state)
            {
                return conflictThrows ? throw new KillSwitchConflictException(current) : null;
            }

            change = new KillSwitchTransition(state, reason, actor, _timeProvider.GetUtcNow(), tripCause);
            if (state == KillSwitchState.On)
            {
                // Block first, record second: a failed append must not delay the stop.
                _isOn = true;
                _current = change;
                await _history.AppendAsync(change, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                // Record first, release second: a failed append leaves the switch on.
                await _history.AppendAsync(change, cancellationToken).ConfigureAwait(false);
                _current = change;
                _isOn = false;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (_notifier is not null)
        {
            await _notifier.NotifyAsync(Alert.ForKillSwitch(change), CancellationToken.None).ConfigureAwait(false);
        }

        return change;
    }
}
