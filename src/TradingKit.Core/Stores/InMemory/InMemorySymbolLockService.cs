using TradingKit.Domain;

namespace TradingKit.Stores.InMemory;

/// <summary>The embedded symbol lock service: exclusive locks in one process, TTL judged on the injected clock.</summary>
public sealed class InMemorySymbolLockService : ISymbolLockService
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, SymbolLock> _locks = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty lock table.</summary>
    /// <param name="timeProvider">The clock TTLs are judged on; the system clock when null.</param>
    public InMemorySymbolLockService(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<LockAcquireResult> AcquireAsync(Symbol symbol, string workerId, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            SymbolLock? replaced = null;
            if (_locks.TryGetValue(symbol.Value, out var held))
            {
                if (held.WorkerId == workerId)
                {
                    var renewed = held with { Ttl = ttl, HeartbeatAt = now };
                    _locks[symbol.Value] = renewed;
                    return ValueTask.FromResult(new LockAcquireResult(true, renewed, null));
                }

                if (!held.IsExpiredAt(now))
                {
                    return ValueTask.FromResult(new LockAcquireResult(false, held, null));
                }

                replaced = held;
            }

            var mine = new SymbolLock(symbol, workerId, now, ttl, now);
            _locks[symbol.Value] = mine;
            return ValueTask.FromResult(new LockAcquireResult(true, mine, replaced));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> HeartbeatAsync(Symbol symbol, string workerId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            if (!_locks.TryGetValue(symbol.Value, out var held) || held.WorkerId != workerId || held.IsExpiredAt(now))
            {
                return ValueTask.FromResult(false);
            }

            _locks[symbol.Value] = held with { HeartbeatAt = now };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(Symbol symbol, string workerId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_locks.TryGetValue(symbol.Value, out var held) || held.WorkerId != workerId)
            {
                return ValueTask.FromResult(false);
            }

            _locks.Remove(symbol.Value);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SymbolLock>> ReleaseAllAsync(string workerId, CancellationToken cancellationToken = default) =>
        RemoveWhere(held => held.WorkerId == workerId);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SymbolLock>> ReapExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        return RemoveWhere(held => held.IsExpiredAt(now));
    }

    /// <inheritdoc />
    public ValueTask<SymbolLock?> GetAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_locks.TryGetValue(symbol.Value, out var held) ? held : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SymbolLock>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<SymbolLock>>([.. _locks.Values]);
        }
    }

    private ValueTask<IReadOnlyList<SymbolLock>> RemoveWhere(Func<SymbolLock, bool> match)
    {
        lock (_gate)
        {
            var removed = _locks.Values.Where(match).ToList();
            foreach (var held in removed)
            {
                _locks.Remove(held.Symbol.Value);
            }

            return ValueTask.FromResult<IReadOnlyList<SymbolLock>>(removed);
        }
    }
}
