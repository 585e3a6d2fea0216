using TradingKit.Stores;

namespace TradingKit.Risk;

/// <summary>
/// Keeps the kill switch's history in the control-state store (append-only, latest row wins), so the switch survives a
/// restart: a kill switch turned on before a crash is still on when the process comes back, whatever the configured
/// initial state. With the PostgreSQL stores this is the <c>control_state</c> table.
/// </summary>
public sealed class ControlStateKillSwitchHistory : IKillSwitchHistory
{
    private readonly IControlStateStore _store;

    /// <summary>Wraps a control-state store.</summary>
    /// <param name="store">The store.</param>
    public ControlStateKillSwitchHistory(IControlStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <inheritdoc />
    public async ValueTask AppendAsync(KillSwitchTransition change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var reason = change.TripCause is { } cause ? $"{change.Reason} (trip: {cause})" : change.Reason;
        var on = change.State == KillSwitchState.On;
        var current = await _store.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        if (current.Sequence == 0 && current.KillSwitchOn == on)
        {
            // The store's implicit "nothing recorded" state equals the request, so it would write nothing; the switch ran in the
            // other state under configuration until now, so that baseline is recorded first and the change is kept.
            await _store.SetKillSwitchAsync(!on, "initial state from configuration", "configuration", cancellationToken).ConfigureAwait(false);
        }

        await _store.SetKillSwitchAsync(on, reason, change.Actor, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<KillSwitchTransition?> GetLatestAsync(CancellationToken cancellationToken = default)
    {
        var state = await _store.GetCurrentAsync(cancellationToken).ConfigureAwait(false);

        // Sequence 0 is the store's "nothing recorded yet": the configured initial state applies.
        return state.Sequence == 0 ? null : ToTransition(state);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<KillSwitchTransition>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _store.GetHistoryAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
        var transitions = new List<KillSwitchTransition>();
        bool? previous = null;
        foreach (var row in rows.OrderBy(r => r.Sequence))
        {
            // Engine-mode rows carry the switch forward unchanged; only flips are kill switch history.
            if (previous != row.KillSwitchOn)
            {
                transitions.Add(ToTransition(row));
                previous = row.KillSwitchOn;
            }
        }

        return transitions;
    }

    private static KillSwitchTransition ToTransition(ControlState state)
        => new(state.KillSwitchOn ? KillSwitchState.On : KillSwitchState.Off, state.Reason, state.Actor, state.ChangedAt);
}
