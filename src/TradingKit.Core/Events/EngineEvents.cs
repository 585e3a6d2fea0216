using TradingKit.Domain;

namespace TradingKit.Events;

/// <summary>The engine started a session (L00 preflight passed). Type name <c>engine_started</c>.</summary>
/// <param name="SessionId">The new session.</param>
/// <param name="Mode">The execution mode, <c>paper</c> or <c>live</c>.</param>
/// <param name="CodeVersion">The running code version, for reproducibility.</param>
/// <param name="ConfigHash">A hash of the effective configuration, for reproducibility.</param>
public sealed record EngineStarted(SessionId SessionId, string Mode, string CodeVersion, string ConfigHash) : ITradingEvent;

/// <summary>The engine stopped; no further events belong to the session. Type name <c>engine_stopped</c>.</summary>
/// <param name="SessionId">The session that ended.</param>
/// <param name="Reason">Why it stopped (for example <c>shutdown</c>, <c>fatal_error</c>).</param>
public sealed record EngineStopped(SessionId SessionId, string Reason) : ITradingEvent;

/// <summary>The engine paused: no new orders until resumed. Type name <c>engine_paused</c>.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Actor">Who paused it (operator or component).</param>
public sealed record EnginePaused(string Reason, string Actor) : ITradingEvent;

/// <summary>The engine resumed after a pause. Type name <c>engine_resumed</c>.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Actor">Who resumed it.</param>
public sealed record EngineResumed(string Reason, string Actor) : ITradingEvent;

/// <summary>The execution mode changed. Type name <c>engine_mode_changed</c>.</summary>
/// <param name="PreviousMode">The mode before (<c>paper</c> or <c>live</c>).</param>
/// <param name="NewMode">The mode after.</param>
/// <param name="Actor">Who changed it.</param>
/// <param name="Reason">Why.</param>
public sealed record EngineModeChanged(string PreviousMode, string NewMode, string Actor, string Reason) : ITradingEvent;

/// <summary>
/// The engine state machine moved (<c>BOOTING</c>, <c>RECOVERING</c>, <c>RUNNING</c>, <c>PAUSED</c>, <c>SAFE</c>,
/// <c>STOPPED</c>). Type name <c>engine_state_changed</c>.
/// </summary>
/// <param name="PreviousState">The state before, as the engine state machine names it.</param>
/// <param name="NewState">The state after.</param>
/// <param name="Reason">Why (for example <c>recovery_completed</c>, <c>risk_guard_tripped</c>, <c>operator_reset</c>).</param>
public sealed record EngineStateChanged(string PreviousState, string NewState, string Reason) : ITradingEvent;

/// <summary>An operator acted outside the normal flow (a manual order, a forced state). Type name <c>manual_override_executed</c>.</summary>
/// <param name="Actor">Who.</param>
/// <param name="Action">What was done (for example <c>close_position</c>).</param>
/// <param name="Reason">Why.</param>
/// <param name="CommandId">The command that carried it, when there was one.</param>
public sealed record ManualOverrideExecuted(string Actor, string Action, string Reason, Guid? CommandId) : ITradingEvent;

/// <summary>A configuration value changed. Type name <c>config_changed</c>.</summary>
/// <param name="Key">The configuration key.</param>
/// <param name="Version">The new configuration version: the idempotency key of config changes.</param>
/// <param name="Hash">A hash of the new effective configuration.</param>
/// <param name="Actor">Who changed it.</param>
public sealed record ConfigChanged(string Key, long Version, string Hash, string Actor) : ITradingEvent;

/// <summary>The kill switch was turned on or off. Type name <c>kill_switch_changed</c>.</summary>
/// <param name="Enabled">True when the switch is now on (nothing reaches the venue).</param>
/// <param name="Reason">Why.</param>
/// <param name="Actor">Who: an operator, or the risk guard for an automatic trip.</param>
/// <param name="Automatic">True when a trip condition turned it on, not a person.</param>
public sealed record KillSwitchChanged(bool Enabled, string Reason, string Actor, bool Automatic) : ITradingEvent;
