using TradingKit.Domain;

namespace TradingKit.Stores;

/// <summary>A registered worker (seed 002's <c>workers</c> table).</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="State">Its state name: <c>IDLE</c>, <c>SCAN</c>, <c>HOLD</c> or <c>EXIT</c> (the worker state machine's names).</param>
/// <param name="CurrentSymbol">The symbol it holds a position in, if any.</param>
/// <param name="RegisteredAt">When it (last) registered.</param>
/// <param name="HeartbeatAt">Its last heartbeat.</param>
/// <param name="UpdatedAt">When its state last changed.</param>
public sealed record WorkerRecord(string WorkerId, string State, Symbol? CurrentSymbol, DateTimeOffset RegisteredAt, DateTimeOffset HeartbeatAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The workers registry. States are stored by name so the registry does not depend on the worker state machine; the state
/// machine decides which transitions are legal, the registry records them. Times come from the registry's <see cref="TimeProvider"/>.
/// </summary>
public interface IWorkerRegistry
{
    /// <summary>The state a worker registers in.</summary>
    const string IdleState = "IDLE";

    /// <summary>The state a stopped or dead worker is set to.</summary>
    const string ExitState = "EXIT";

    /// <summary>Registers a worker in <see cref="IdleState"/>, or re-registers a restarted one (state reset, heartbeat renewed).</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record.</returns>
    ValueTask<WorkerRecord> RegisterAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Records a heartbeat.</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the worker is not registered.</returns>
    ValueTask<bool> HeartbeatAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Sets a worker's state and current symbol.</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="state">The state name.</param>
    /// <param name="currentSymbol">The symbol it now holds, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated record.</returns>
    /// <exception cref="Errors.TradingKitException">The worker is not registered (<c>WORKER_NOT_FOUND</c>).</exception>
    ValueTask<WorkerRecord> SetStateAsync(string workerId, string state, Symbol? currentSymbol, CancellationToken cancellationToken = default);

    /// <summary>A worker, or null.</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record.</returns>
    ValueTask<WorkerRecord?> GetAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Every worker, ordered by id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<WorkerRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets every worker whose last heartbeat is at least <paramref name="timeout"/> old, and that is not already there, to <see cref="ExitState"/>.</summary>
    /// <param name="timeout">How long a silent worker is trusted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The workers changed, as they are now, each exactly once even when several callers race.</returns>
    ValueTask<IReadOnlyList<WorkerRecord>> MarkSilentWorkersExitedAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
