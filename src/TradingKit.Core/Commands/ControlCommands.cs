using TradingKit.Domain;

namespace TradingKit.Commands;

/// <summary>Pause the engine: no new orders until resumed; working orders stay. Type name <c>pause_engine</c>.</summary>
/// <param name="Reason">Why, for the audit trail.</param>
public sealed record PauseEngine(string Reason) : ITradingCommand;

/// <summary>Resume a paused engine. Type name <c>resume_engine</c>.</summary>
/// <param name="Reason">Why.</param>
public sealed record ResumeEngine(string Reason) : ITradingCommand;

/// <summary>Switch the execution mode. Type name <c>set_engine_mode</c>.</summary>
/// <param name="Mode">The mode: <c>paper</c> or <c>live</c>. Live is refused without an enabled risk guard.</param>
/// <param name="Reason">Why.</param>
public sealed record SetEngineMode(string Mode, string Reason) : ITradingCommand;

/// <summary>Cancel every open order, or every open order of one symbol. Type name <c>cancel_all</c>.</summary>
/// <param name="Symbol">The symbol, or null for all symbols.</param>
/// <param name="Reason">Why.</param>
public sealed record CancelAll(Symbol? Symbol, string Reason) : ITradingCommand;

/// <summary>Run a reconciliation against the venue now. Type name <c>run_reconcile</c>.</summary>
/// <param name="Reason">Why.</param>
public sealed record RunReconcile(string Reason) : ITradingCommand;

/// <summary>Drop a projection and rebuild it from the event log. Type name <c>rebuild_projection</c>.</summary>
/// <param name="Projection">The projection's name (for example <c>orders</c>, <c>positions</c>).</param>
/// <param name="FromPosition">The global position to replay from; 1 for a full rebuild.</param>
public sealed record RebuildProjection(string Projection, long FromPosition) : ITradingCommand;

/// <summary>Change one configuration value. Type name <c>update_config</c>.</summary>
/// <param name="Key">The configuration key.</param>
/// <param name="Value">The new value, as invariant text.</param>
/// <param name="ExpectedVersion">The configuration version the change was made against; a stale version is refused.</param>
public sealed record UpdateConfig(string Key, string Value, long ExpectedVersion) : ITradingCommand;

/// <summary>Turn the kill switch on or off. Type name <c>set_kill_switch</c>.</summary>
/// <param name="Enabled">True to turn it on (nothing reaches the venue).</param>
/// <param name="Reason">Why; kept in the kill switch history.</param>
public sealed record SetKillSwitch(bool Enabled, string Reason) : ITradingCommand;

/// <summary>Leave SAFE mode and return to RUNNING; only an operator can do this. Type name <c>reset_safe_mode</c>.</summary>
/// <param name="Reason">Why it is safe to trade again.</param>
public sealed record ResetSafeMode(string Reason) : ITradingCommand;

/// <summary>Approve a trade proposal for one execution (seed 001). Type name <c>approve_proposal</c>.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="ValidFor">How long the approval stays usable.</param>
public sealed record ApproveProposal(string ProposalId, TimeSpan ValidFor) : ITradingCommand;

/// <summary>Reject a trade proposal (seed 001). Type name <c>reject_proposal</c>.</summary>
/// <param name="ProposalId">The proposal.</param>
/// <param name="Reason">Why.</param>
public sealed record RejectProposal(string ProposalId, string Reason) : ITradingCommand;
