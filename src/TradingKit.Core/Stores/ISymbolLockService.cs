using TradingKit.Domain;

namespace TradingKit.Stores;

/// <summary>A worker's exclusive claim on a symbol, kept alive by heartbeats (seed 002's <c>stock_locks</c>).</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="WorkerId">The holder.</param>
/// <param name="LockedAt">When it was acquired.</param>
/// <param name="Ttl">How long it lives after each heartbeat.</param>
/// <param name="HeartbeatAt">The last heartbeat (the acquisition counts as one).</param>
public sealed record SymbolLock(Symbol Symbol, string WorkerId, DateTimeOffset LockedAt, TimeSpan Ttl, DateTimeOffset HeartbeatAt)
{
    /// <summary>When the lock expires unless renewed.</summary>
    public DateTimeOffset ExpiresAt => HeartbeatAt + Ttl;

    /// <summary>True when the lock has expired at <paramref name="now"/>.</summary>
    /// <param name="now">The time to judge at.</param>
    /// <returns>Whether it has expired.</returns>
    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;
}

/// <summary>The outcome of <see cref="ISymbolLockService.AcquireAsync"/>.</summary>
/// <param name="Acquired">True when the caller now holds the lock.</param>
/// <param name="Holder">The lock as it stands: the caller's when acquired, otherwise the other worker's.</param>
/// <param name="Replaced">An expired lock of another worker that this acquisition took over, if any.</param>
public readonly record struct LockAcquireResult(bool Acquired, SymbolLock Holder, SymbolLock? Replaced);

/// <summary>
/// Exclusive, expiring symbol locks shared by many workers. A lock is expired when its last heartbeat is at least one TTL old,
/// judged on the service's <see cref="TimeProvider"/>. Acquiring a symbol succeeds when it is free, expired (taken over) or
/// already held by the same worker (renewed); otherwise the current holder is returned.
/// </summary>
public interface ISymbolLockService
{
    /// <summary>Tries to lock a symbol for a worker.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="ttl">How long the lock lives without a heartbeat; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Acquired, or held by another worker.</returns>
    ValueTask<LockAcquireResult> AcquireAsync(Symbol symbol, string workerId, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Renews a lock the worker holds and that has not expired.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the worker does not hold a live lock on the symbol (it expired, was reaped or taken over).</returns>
    ValueTask<bool> HeartbeatAsync(Symbol symbol, string workerId, CancellationToken cancellationToken = default);

    /// <summary>Releases a lock the worker holds.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the worker did not hold it.</returns>
    ValueTask<bool> ReleaseAsync(Symbol symbol, string workerId, CancellationToken cancellationToken = default);

    /// <summary>Releases every lock a worker holds, expired or not (the worker is gone).</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The locks deleted.</returns>
    ValueTask<IReadOnlyList<SymbolLock>> ReleaseAllAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every expired lock.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The locks deleted, each exactly once even when several reapers run.</returns>
    ValueTask<IReadOnlyList<SymbolLock>> ReapExpiredAsync(CancellationToken cancellationToken = default);

    /// <summary>The lock on a symbol, expired or not, or null.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lock.</returns>
    ValueTask<SymbolLock?> GetAsync(Symbol symbol, CancellationToken cancellationToken = default);

    /// <summary>Every stored lock, ordered by symbol.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The locks.</returns>
    ValueTask<IReadOnlyList<SymbolLock>> ListAsync(CancellationToken cancellationToken = default);
}
