using System.Collections.Immutable;
using TradingKit.Domain;

namespace TradingKit.Events;

/// <summary>A scanner worker started and registered (seed 002 SC-001). Type name <c>worker_started</c>.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="ProcessId">Its operating-system process id.</param>
/// <param name="Host">The machine it runs on.</param>
public sealed record WorkerStarted(string WorkerId, int ProcessId, string Host) : ITradingEvent;

/// <summary>A worker finished one scan of its universe (seed 002 SC-002). Type name <c>candidate_scanned</c>.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="ScannedCount">How many symbols were looked at.</param>
/// <param name="Candidates">The symbols that passed the filters, best first.</param>
public sealed record CandidateScanned(string WorkerId, int ScannedCount, ImmutableArray<Symbol> Candidates) : ITradingEvent
{
    /// <summary>The symbols that passed the filters, best first.</summary>
    public ImmutableArray<Symbol> Candidates { get; init; } = Candidates.IsDefault ? [] : Candidates;
}

/// <summary>A worker acquired the lock on a symbol (seed 002 SC-003). Type name <c>lock_acquired</c>.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="WorkerId">The worker now holding it.</param>
/// <param name="Ttl">How long the lock lives without a heartbeat.</param>
public sealed record LockAcquired(Symbol Symbol, string WorkerId, TimeSpan Ttl) : ITradingEvent;

/// <summary>A worker was refused the lock on a symbol another worker holds (seed 002 SC-004). Type name <c>lock_rejected</c>.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="WorkerId">The worker refused.</param>
/// <param name="HeldBy">The worker holding it.</param>
public sealed record LockRejected(Symbol Symbol, string WorkerId, string HeldBy) : ITradingEvent;

/// <summary>A symbol lock was released or reaped (seed 002 SC-007, SC-009). Type name <c>lock_released</c>.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="WorkerId">The worker that held it.</param>
/// <param name="Reason">Why: <c>position_exited</c>, <c>order_failed</c>, <c>ttl_expired</c>, <c>heartbeat_lost</c>.</param>
public sealed record LockReleased(Symbol Symbol, string WorkerId, string Reason) : ITradingEvent;

/// <summary>A worker's entry order filled and it now holds the symbol (seed 002 SC-005). Type name <c>position_entered</c>.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Quantity">The signed position quantity.</param>
/// <param name="AveragePrice">The average entry price.</param>
/// <param name="ClientOrderId">The entry order.</param>
public sealed record PositionEntered(string WorkerId, Symbol Symbol, decimal Quantity, decimal AveragePrice, ClientOrderId ClientOrderId) : ITradingEvent;

/// <summary>A worker's exit order filled and the symbol is flat again (seed 002 SC-007). Type name <c>position_exited</c>.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Quantity">The signed quantity closed.</param>
/// <param name="ExitPrice">The average exit price.</param>
/// <param name="RealizedPnl">The trade's realised PnL, after fees.</param>
/// <param name="Reason">Why: <c>stop_loss</c>, <c>take_profit</c>, <c>trend_break</c>, <c>mandatory_liquidation</c>.</param>
public sealed record PositionExited(string WorkerId, Symbol Symbol, decimal Quantity, decimal ExitPrice, decimal RealizedPnl, string Reason) : ITradingEvent;

/// <summary>A holding worker checked its exit conditions and none held (seed 002 SC-006 "MonitoringEvent"). Type name <c>position_monitored</c>.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="Symbol">The symbol held.</param>
/// <param name="LastPrice">The price checked.</param>
/// <param name="UnrealizedPnl">The open position's unrealised PnL.</param>
public sealed record PositionMonitored(string WorkerId, Symbol Symbol, decimal LastPrice, decimal UnrealizedPnl) : ITradingEvent;

/// <summary>The forced-liquidation cutoff arrived: every position is being closed (seed 002 SC-008). Type name <c>mandatory_liquidation_triggered</c>.</summary>
/// <param name="Cutoff">The cutoff time that triggered it.</param>
/// <param name="Symbols">The symbols being liquidated.</param>
public sealed record MandatoryLiquidationTriggered(DateTimeOffset Cutoff, ImmutableArray<Symbol> Symbols) : ITradingEvent
{
    /// <summary>The symbols being liquidated.</summary>
    public ImmutableArray<Symbol> Symbols { get; init; } = Symbols.IsDefault ? [] : Symbols;
}

/// <summary>A worker's order was blocked by a risk limit (seed 002 EC-004 "RiskViolationEvent"). Type name <c>risk_violation_recorded</c>.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="Symbol">The symbol it wanted to trade.</param>
/// <param name="RuleId">The limit (for example <c>daily_loss_limit</c>, <c>capital_limit</c>).</param>
/// <param name="Threshold">The limit's value.</param>
/// <param name="Observed">The value that broke it.</param>
/// <param name="Message">A readable explanation.</param>
public sealed record RiskViolationRecorded(string WorkerId, Symbol Symbol, string RuleId, decimal Threshold, decimal Observed, string Message) : ITradingEvent;
