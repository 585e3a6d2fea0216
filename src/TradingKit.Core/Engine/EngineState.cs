namespace TradingKit.Engine;

/// <summary>The life-cycle states of one account's engine. Transitions are governed by <see cref="EngineStateMachine"/>.</summary>
public enum EngineState : byte
{
    /// <summary>Starting: configuration, guard and adapters are being wired. No orders.</summary>
    Booting = 0,

    /// <summary>Replaying the log and reconciling with the venue. No new orders until this succeeds.</summary>
    Recovering = 1,

    /// <summary>Recovered and reconciled; strategies run and new orders may be sent.</summary>
    Running = 2,

    /// <summary>Paused by an operator or by configuration: no new orders, working orders and reports still handled.</summary>
    Paused = 3,

    /// <summary>Tripped by the risk guard or killed: no new orders; only an operator command returns to <see cref="Running"/>.</summary>
    Safe = 4,

    /// <summary>A graceful stop is under way (stop plan: cancel, optionally flatten, flush the journal).</summary>
    Stopping = 5,

    /// <summary>Stopped. Terminal: a new engine instance starts from <see cref="Booting"/>.</summary>
    Stopped = 6,
}
