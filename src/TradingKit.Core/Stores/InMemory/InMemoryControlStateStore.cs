namespace TradingKit.Stores.InMemory;

/// <summary>The embedded control state store: an append-only list where the latest row wins.</summary>
public sealed class InMemoryControlStateStore : IControlStateStore
{
    private readonly Lock _gate = new();
    private readonly List<ControlState> _history = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for change times; the system clock when null.</param>
    public InMemoryControlStateStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<ControlState> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_history.Count == 0 ? ControlState.Initial : _history[^1]);
        }
    }

    /// <inheritdoc />
    public ValueTask<(ControlState State, bool Changed)> SetKillSwitchAsync(bool on, string reason, string actor, CancellationToken cancellationToken = default) =>
        Change(reason, actor, current => current.KillSwitchOn == on ? null : current with { KillSwitchOn = on });

    /// <inheritdoc />
    public ValueTask<(ControlState State, bool Changed)> SetEngineModeAsync(string mode, string reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mode);
        return Change(reason, actor, current => string.Equals(current.EngineMode, mode, StringComparison.Ordinal) ? null : current with { EngineMode = mode });
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ControlState>> GetHistoryAsync(int maxCount = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        lock (_gate)
        {
            var take = Math.Min(maxCount, _history.Count);
            var rows = new ControlState[take];
            for (var i = 0; i < take; i++)
            {
                rows[i] = _history[_history.Count - 1 - i];
            }

            return ValueTask.FromResult<IReadOnlyList<ControlState>>(rows);
        }
    }

    private ValueTask<(ControlState State, bool Changed)> Change(string reason, string actor, Func<ControlState, ControlState?> change)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        lock (_gate)
        {
            var current = _history.Count == 0 ? ControlState.Initial : _history[^1];
            var next = change(current);
            if (next is null)
            {
                return ValueTask.FromResult((current, false));
            }

            next = next with { Reason = reason, Actor = actor, ChangedAt = _timeProvider.GetUtcNow(), Sequence = current.Sequence + 1 };
            _history.Add(next);
            return ValueTask.FromResult((next, true));
        }
    }
}
