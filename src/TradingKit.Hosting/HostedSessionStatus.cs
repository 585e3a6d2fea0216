namespace TradingKit.Hosting;

/// <summary>Where the hosted engine's session stands.</summary>
public enum HostedSessionStatus
{
    /// <summary>The host has not started the service yet.</summary>
    NotStarted = 0,

    /// <summary>The session runs: start-up recovery, then market data through the engine loop.</summary>
    Running = 1,

    /// <summary>The feed ended and the session stopped gracefully (summary written).</summary>
    Completed = 2,

    /// <summary>The host shut down and the session stopped gracefully before its feed ended (summary written).</summary>
    Stopped = 3,

    /// <summary>The session failed: the engine or its feed threw. <see cref="HostedEngineService.Failure"/> holds why.</summary>
    Faulted = 4,
}
