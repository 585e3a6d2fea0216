namespace TradingKit.Hosting;

/// <summary>How <see cref="HostedEngineService"/> runs the engine's session inside a generic host.</summary>
public sealed class HostedEngineOptions
{
    /// <summary>
    /// Stops the host when the session ends on its own: the feed ended (a backtest or a replayed day) or the session
    /// failed. A host that serves other things (a control plane) while the session is over turns it off.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool StopHostWhenSessionEnds { get; set; } = true;

    /// <summary>
    /// Sets <see cref="Environment.ExitCode"/> to <see cref="FailureExitCode"/> when the session fails, so a supervisor
    /// (systemd, a container orchestrator) sees the failure in the process's exit code.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool SetExitCodeOnFailure { get; set; } = true;

    /// <summary>The exit code of a failed session (see <see cref="SetExitCodeOnFailure"/>); not 0.</summary>
    /// <value>Defaults to 1.</value>
    public int FailureExitCode { get; set; } = 1;

    /// <summary>Checks the options.</summary>
    /// <returns>The problems found; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
        => FailureExitCode == 0 ? ["Hosting:FailureExitCode must not be 0 (a failed session would look like a clean exit)"] : [];
}
