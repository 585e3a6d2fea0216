namespace TradingKit.Workers;

/// <summary>
/// The states of a worker process (seed 002, SPEC-BACKEND-WORKER-004). Transitions are governed by
/// <see cref="WorkerStateMachine"/>.
/// </summary>
public enum WorkerState : byte
{
    /// <summary>Registered and initialised, not yet scanning (SC-001).</summary>
    Idle = 0,

    /// <summary>Polling the universe for candidates; no position held (SC-002).</summary>
    Scan = 1,

    /// <summary>Holding a position in its locked symbol and watching the exit conditions (SC-005, SC-006).</summary>
    Hold = 2,

    /// <summary>Shut down or failed; its locks are released or reaped (SC-009). Terminal.</summary>
    Exit = 3,
}
