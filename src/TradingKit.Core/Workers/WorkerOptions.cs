namespace TradingKit.Workers;

/// <summary>
/// Worker mode (seed 002): the engine is one of several workers trading one venue, and never opens a position in a symbol
/// another worker holds. Before an order that may open or add to a position, the engine takes the symbol's lock in the
/// shared <see cref="Stores.ISymbolLockService"/> (PostgreSQL's for workers in several processes); a symbol held by another
/// worker refuses the order (<c>lock_rejected</c>) and the strategy goes on with other symbols. The lock is kept alive by
/// heartbeats while the engine holds a position or an open order in the symbol, and released when it is flat again. The
/// worker's state (IDLE → SCAN ⇄ HOLD → EXIT) and current symbol are kept in the <see cref="Stores.IWorkerRegistry"/>.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>The worker's id in the registry and on its locks; null (the default) turns worker mode off.</summary>
    public string? WorkerId { get; set; }

    /// <summary>How long a lock lives without a heartbeat; a dead worker's symbols become free after it.</summary>
    /// <value>Defaults to 60 seconds.</value>
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often (engine clock) the engine renews its locks and its registry heartbeat; less than a third of <see cref="LockTtl"/>.</summary>
    /// <value>Defaults to 15 seconds.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>True when <see cref="WorkerId"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(WorkerId);

    /// <summary>Adds what is wrong with the options to <paramref name="problems"/>.</summary>
    /// <param name="problems">The list of problems.</param>
    internal void Check(List<string> problems)
    {
        if (WorkerId is not null && (WorkerId.Length == 0 || WorkerId.Trim() != WorkerId || WorkerId.Length > 128))
        {
            problems.Add($"Worker:WorkerId must be 1 to 128 characters without surrounding spaces (got '{WorkerId}')");
        }

        if (LockTtl <= TimeSpan.Zero)
        {
            problems.Add($"Worker:LockTtl must be positive (got {LockTtl})");
        }

        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval * 3 > LockTtl)
        {
            problems.Add($"Worker:HeartbeatInterval must be positive and at most a third of Worker:LockTtl (got {HeartbeatInterval} for {LockTtl})");
        }
    }
}
