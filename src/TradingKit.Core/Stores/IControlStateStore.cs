namespace TradingKit.Stores;

/// <summary>
/// One row of control state: the kill switch and the engine mode as they stand after a change, with who changed what and why.
/// </summary>
/// <param name="KillSwitchOn">True when the kill switch blocks every order at the last gate.</param>
/// <param name="EngineMode">The engine mode an operator set (for example <c>RUNNING</c>, <c>PAUSED</c>, <c>SAFE</c>), or null when never set.</param>
/// <param name="Reason">Why it was changed.</param>
/// <param name="Actor">Who changed it.</param>
/// <param name="ChangedAt">When, on the store's clock.</param>
/// <param name="Sequence">The row's place in the history, starting at 1; 0 for <see cref="Initial"/>.</param>
public sealed record ControlState(bool KillSwitchOn, string? EngineMode, string Reason, string Actor, DateTimeOffset ChangedAt, long Sequence)
{
    /// <summary>
    /// The state before any change was recorded: kill switch ON and no mode. Safe by default: execution is blocked until an
    /// operator turns the kill switch off with a reason (seed 001's runbook, §2.1).
    /// </summary>
    public static ControlState Initial { get; } = new(true, null, "no control state recorded yet", "system", DateTimeOffset.MinValue, 0);
}

/// <summary>
/// The kill switch and engine mode: an append-only history where the latest row wins. Every change is a new row carrying the full
/// state; a change that would not change anything writes nothing (so a kill switch is never turned on twice).
/// </summary>
public interface IControlStateStore
{
    /// <summary>The latest state, or <see cref="ControlState.Initial"/> when nothing was recorded.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The current state.</returns>
    ValueTask<ControlState> GetCurrentAsync(CancellationToken cancellationToken = default);

    /// <summary>Turns the kill switch on or off, keeping the engine mode.</summary>
    /// <param name="on">The wanted kill switch state.</param>
    /// <param name="reason">Why (required: the history is an audit trail).</param>
    /// <param name="actor">Who.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state afterwards, and whether a row was written (false when it already was so).</returns>
    ValueTask<(ControlState State, bool Changed)> SetKillSwitchAsync(bool on, string reason, string actor, CancellationToken cancellationToken = default);

    /// <summary>Sets the engine mode, keeping the kill switch.</summary>
    /// <param name="mode">The wanted mode.</param>
    /// <param name="reason">Why.</param>
    /// <param name="actor">Who.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state afterwards, and whether a row was written (false when it already was so).</returns>
    ValueTask<(ControlState State, bool Changed)> SetEngineModeAsync(string mode, string reason, string actor, CancellationToken cancellationToken = default);

    /// <summary>The history, newest first.</summary>
    /// <param name="maxCount">The most rows to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    ValueTask<IReadOnlyList<ControlState>> GetHistoryAsync(int maxCount = 100, CancellationToken cancellationToken = default);
}
