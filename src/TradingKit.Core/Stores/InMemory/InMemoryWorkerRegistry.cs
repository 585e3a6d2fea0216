using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Stores.InMemory;

/// <summary>The embedded workers registry.</summary>
public sealed class InMemoryWorkerRegistry : IWorkerRegistry
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, WorkerRecord> _workers = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public InMemoryWorkerRegistry(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<WorkerRecord> RegisterAsync(string workerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var record = new WorkerRecord(workerId, IWorkerRegistry.IdleState, null, now, now, now);
            _workers[workerId] = record;
            return ValueTask.FromResult(record);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> HeartbeatAsync(string workerId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_workers.TryGetValue(workerId, out var record))
            {
                return ValueTask.FromResult(false);
            }

            _workers[workerId] = record with { HeartbeatAt = _timeProvider.GetUtcNow() };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<WorkerRecord> SetStateAsync(string workerId, string state, Symbol? currentSymbol, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state);
        lock (_gate)
        {
            if (!_workers.TryGetValue(workerId, out var record))
            {
                throw new TradingKitException(StoreErrorCodes.WorkerNotFound, $"Worker '{workerId}' is not registered.");
            }

            var updated = record with { State = state, CurrentSymbol = currentSymbol, UpdatedAt = _timeProvider.GetUtcNow() };
            _workers[workerId] = updated;
            return ValueTask.FromResult(updated);
        }
    }

    /// <inheritdoc />
    public ValueTask<WorkerRecord?> GetAsync(string workerId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_workers.TryGetValue(workerId, out var record) ? record : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WorkerRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<WorkerRecord>>([.. _workers.Values]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WorkerRecord>> MarkSilentWorkersExitedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var silent = _workers.Values
                .Where(w => w.State != IWorkerRegistry.ExitState && now - w.HeartbeatAt >= timeout)
                .Select(w => w with { State = IWorkerRegistry.ExitState, CurrentSymbol = null, UpdatedAt = now })
                .ToList();
            foreach (var record in silent)
            {
                _workers[record.WorkerId] = record;
            }

            return ValueTask.FromResult<IReadOnlyList<WorkerRecord>>(silent);
        }
    }
}
