using System.Globalization;
using TradingKit.Domain;
using TradingKit.Events;

namespace TradingKit.Stores;

/// <summary>What the reaper's event factory is told about a released lock.</summary>
public enum LockReleaseReason : byte
{
    /// <summary>The lock's TTL passed without a heartbeat.</summary>
    Expired = 0,

    /// <summary>The lock's worker was declared gone, so all its locks were released.</summary>
    WorkerExited = 1,
}

/// <summary>
/// Recovers symbols from dead workers (seed 002, SC-009): deletes expired locks, declares their workers (and workers whose
/// heartbeat went silent) exited, releases every other lock those workers held, and appends one lock-released event per lock
/// so other workers and the audit trail see it.
/// </summary>
public sealed class SymbolLockReaper
{
    private readonly ISymbolLockService _locks;
    private readonly IWorkerRegistry _workers;
    private readonly IEventStore _events;
    private readonly Func<SymbolLock, LockReleaseReason, ITradingEvent> _lockReleased;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan? _workerTimeout;

    /// <summary>Creates a reaper.</summary>
    /// <param name="locks">The lock service.</param>
    /// <param name="workers">The workers registry.</param>
    /// <param name="events">The event log the lock-released events go to.</param>
    /// <param name="lockReleased">Builds the lock-released event payload for a lock.</param>
    /// <param name="timeProvider">The clock for the events' occurred time.</param>
    /// <param name="workerTimeout">How long a silent worker is trusted before it is declared exited; null to judge workers by their locks only.</param>
    public SymbolLockReaper(ISymbolLockService locks, IWorkerRegistry workers, IEventStore events,
        Func<SymbolLock, LockReleaseReason, ITradingEvent> lockReleased, TimeProvider timeProvider, TimeSpan? workerTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(lockReleased);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _locks = locks;
        _workers = workers;
        _events = events;
        _lockReleased = lockReleased;
        _timeProvider = timeProvider;
        _workerTimeout = workerTimeout;
    }

    /// <summary>The stream lock events of a symbol are appended to.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The stream id.</returns>
    public static string StreamOf(Symbol symbol) => "symbol-lock-" + symbol.Value;

    /// <summary>Runs one reaping pass.</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>Every lock released in this pass, with the reason.</returns>
    public async ValueTask<IReadOnlyList<(SymbolLock Lock, LockReleaseReason Reason)>> ReapAsync(CancellationToken cancellationToken = default)
    {
        var released = new List<(SymbolLock Lock, LockReleaseReason Reason)>();
        foreach (var expired in await _locks.ReapExpiredAsync(cancellationToken).ConfigureAwait(false))
        {
            released.Add((expired, LockReleaseReason.Expired));
        }

        var gone = new SortedSet<string>(released.Select(r => r.Lock.WorkerId), StringComparer.Ordinal);
        if (_workerTimeout is { } timeout)
        {
            foreach (var silent in await _workers.MarkSilentWorkersExitedAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                gone.Add(silent.WorkerId);
            }
        }

        foreach (var workerId in gone)
        {
            foreach (var held in await _locks.ReleaseAllAsync(workerId, cancellationToken).ConfigureAwait(false))
            {
                released.Add((held, LockReleaseReason.WorkerExited));
            }

            var worker = await _workers.GetAsync(workerId, cancellationToken).ConfigureAwait(false);
            if (worker is not null && worker.State != IWorkerRegistry.ExitState)
            {
                await _workers.SetStateAsync(workerId, IWorkerRegistry.ExitState, null, cancellationToken).ConfigureAwait(false);
            }
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var (held, reason) in released)
        {
            var dedupKey = string.Create(CultureInfo.InvariantCulture,
                $"lock-released:{held.Symbol.Value}:{held.WorkerId}:{held.LockedAt.UtcTicks}");
            var data = new EventData(Guid.NewGuid(), _lockReleased(held, reason), now, CorrelationId.New(), null, dedupKey);
            await _events.AppendAsync(StreamOf(held.Symbol), ExpectedVersion.Any, [data], cancellationToken).ConfigureAwait(false);
        }

        return released;
    }
}
