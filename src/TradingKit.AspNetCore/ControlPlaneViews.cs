using System.Text.Json.Serialization;
using TradingKit.Execution.Approvals;
using TradingKit.Journal;
using TradingKit.Stores;

namespace TradingKit.AspNetCore;

/// <summary>The engine as <c>GET status</c> reports it.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="EngineState">The engine state (<c>Running</c>, <c>Paused</c>, <c>Safe</c>, ...).</param>
/// <param name="RiskState">The risk guard's trading state (<c>Active</c>, <c>Reducing</c>, <c>Halted</c>).</param>
/// <param name="KillSwitch"><c>on</c>, <c>off</c>, or <c>none</c> without a kill switch.</param>
/// <param name="ExecutionMode">The execution mode (<c>disabled</c>, <c>dry-run</c>, <c>paper</c>, <c>live</c>).</param>
/// <param name="HostedStatus">The hosted session's status; null without a hosted engine.</param>
/// <param name="MarketEvents">Market data items processed.</param>
/// <param name="LastTrip">The risk guard's last trip since its last reset; null when none (or a custom guard).</param>
/// <param name="WorkerId">The worker id in worker mode; null otherwise.</param>
/// <param name="WorkerState">The worker's state (<c>Idle</c>, <c>Scan</c>, <c>Hold</c>, <c>Exit</c>) in worker mode; null otherwise.</param>
public sealed record ControlPlaneStatus(
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("engine_state")] string EngineState,
    [property: JsonPropertyName("risk_state")] string RiskState,
    [property: JsonPropertyName("kill_switch")] string KillSwitch,
    [property: JsonPropertyName("execution_mode")] string ExecutionMode,
    [property: JsonPropertyName("hosted_status")] string? HostedStatus,
    [property: JsonPropertyName("market_events")] long MarketEvents,
    [property: JsonPropertyName("last_trip")] ControlPlaneTrip? LastTrip,
    [property: JsonPropertyName("worker_id")] string? WorkerId = null,
    [property: JsonPropertyName("worker_state")] string? WorkerState = null);

/// <summary>A risk guard trip in <see cref="ControlPlaneStatus"/>.</summary>
/// <param name="Cause">The trip cause (<c>daily_loss</c>, ...).</param>
/// <param name="State">The state it put the guard in.</param>
/// <param name="Message">Why.</param>
/// <param name="At">When (engine clock).</param>
public sealed record ControlPlaneTrip(
    [property: JsonPropertyName("cause")] string Cause,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("at")] DateTimeOffset At);

/// <summary>A command as the command store holds it.</summary>
/// <param name="CommandId">Its id.</param>
/// <param name="IdempotencyKey">Its idempotency key.</param>
/// <param name="Type">The catalogue type name (<c>pause_engine</c>, ...).</param>
/// <param name="Status"><c>new</c>, <c>sent</c>, <c>ack</c> or <c>failed</c>.</param>
/// <param name="Actor">Who issued it: the authenticated user.</param>
/// <param name="IssuedAt">When it was issued.</param>
/// <param name="ClaimedBy">The executor that claimed it; null before.</param>
/// <param name="Result">The engine's result (<c>code: message</c> when it failed); null before.</param>
public sealed record ControlPlaneCommand(
    [property: JsonPropertyName("command_id")] Guid CommandId,
    [property: JsonPropertyName("idempotency_key")] string IdempotencyKey,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonPropertyName("issued_at")] DateTimeOffset IssuedAt,
    [property: JsonPropertyName("claimed_by")] string? ClaimedBy,
    [property: JsonPropertyName("result")] string? Result)
{
    /// <summary>The view of a stored command.</summary>
    /// <param name="stored">The stored command.</param>
    /// <returns>The view.</returns>
    public static ControlPlaneCommand Of(StoredCommand stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var envelope = stored.Envelope;
        return new ControlPlaneCommand(envelope.CommandId, envelope.IdempotencyKey, TradingKit.Commands.CommandCatalog.GetTypeName(envelope.Payload),
            stored.Status.ToString().ToLowerInvariant(), envelope.Actor, envelope.IssuedAt, stored.ClaimedBy, stored.Result);
    }
}

/// <summary>A proposal of approval mode (seed 001): an order waiting for, or past, a human decision.</summary>
/// <param name="ProposalId">The proposal id (the id <c>approve_proposal</c> and <c>reject_proposal</c> take).</param>
/// <param name="StoreId">Its key in the approval store (the <c>proposals</c> table's uuid).</param>
/// <param name="Status"><c>pending</c>, <c>approved</c>, <c>rejected</c> or <c>executed</c>.</param>
/// <param name="ClientOrderId">The order's client order id.</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Side"><c>buy</c> or <c>sell</c>.</param>
/// <param name="OrderType">The order type, as in the journal.</param>
/// <param name="Qty">The quantity.</param>
/// <param name="Price">The limit price; null for a market order.</param>
/// <param name="StopPrice">The trigger price; null when none.</param>
/// <param name="Reason">Why it was proposed (the strategy's reason codes).</param>
/// <param name="StrategyId">The proposing strategy; null when none was recorded.</param>
/// <param name="PayloadHash">The SHA-256 of the order that an approval token is bound to.</param>
/// <param name="CreatedAt">When it was proposed.</param>
/// <param name="DecidedBy">Who approved or rejected it; null while pending.</param>
/// <param name="DecidedAt">When; null while pending.</param>
/// <param name="RejectionReason">Why it was rejected; null otherwise.</param>
public sealed record ControlPlaneProposal(
    [property: JsonPropertyName("proposal_id")] string ProposalId,
    [property: JsonPropertyName("store_id")] Guid StoreId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("client_order_id")] string ClientOrderId,
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("order_type")] string OrderType,
    [property: JsonPropertyName("qty")] decimal Qty,
    [property: JsonPropertyName("price")] decimal? Price,
    [property: JsonPropertyName("stop_price")] decimal? StopPrice,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("strategy_id")] string? StrategyId,
    [property: JsonPropertyName("payload_hash")] string PayloadHash,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("decided_by")] string? DecidedBy,
    [property: JsonPropertyName("decided_at")] DateTimeOffset? DecidedAt,
    [property: JsonPropertyName("rejection_reason")] string? RejectionReason)
{
    /// <summary>The view of a proposal.</summary>
    /// <param name="proposal">The proposal.</param>
    /// <returns>The view.</returns>
    public static ControlPlaneProposal Of(OrderProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var order = proposal.Order;
        return new ControlPlaneProposal(proposal.Id.Value, proposal.StoreId, proposal.Status.ToString().ToLowerInvariant(), order.ClientOrderId.Value,
            order.Symbol.Value, FileSessionJournal.SideName(order.Side), FileSessionJournal.OrderTypeName(order.Type), order.Quantity, order.LimitPrice,
            order.StopPrice, proposal.Reason, proposal.Context?.StrategyId.Value, proposal.PayloadHash, proposal.CreatedAt, proposal.DecidedBy,
            proposal.DecidedAt, proposal.RejectionReason);
    }
}

/// <summary>A list the control plane returns (<c>GET proposals</c>, <c>GET workers</c>, <c>GET locks</c>).</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items.</param>
public sealed record ControlPlaneList<T>([property: JsonPropertyName("items")] IReadOnlyList<T> Items);

/// <summary>A worker of the registry (seed 002's <c>workers</c>).</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="State"><c>IDLE</c>, <c>SCAN</c>, <c>HOLD</c> or <c>EXIT</c>.</param>
/// <param name="CurrentSymbol">The symbol it holds a position in; null when none.</param>
/// <param name="RegisteredAt">When it (last) registered.</param>
/// <param name="HeartbeatAt">Its last heartbeat.</param>
/// <param name="UpdatedAt">When its state last changed.</param>
public sealed record ControlPlaneWorker(
    [property: JsonPropertyName("worker_id")] string WorkerId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("current_symbol")] string? CurrentSymbol,
    [property: JsonPropertyName("registered_at")] DateTimeOffset RegisteredAt,
    [property: JsonPropertyName("heartbeat_at")] DateTimeOffset HeartbeatAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt)
{
    /// <summary>The view of a registry record.</summary>
    /// <param name="worker">The record.</param>
    /// <returns>The view.</returns>
    public static ControlPlaneWorker Of(WorkerRecord worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return new ControlPlaneWorker(worker.WorkerId, worker.State, worker.CurrentSymbol?.Value, worker.RegisteredAt, worker.HeartbeatAt, worker.UpdatedAt);
    }
}

/// <summary>A symbol lock (seed 002's <c>stock_locks</c>).</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="WorkerId">The worker holding it.</param>
/// <param name="LockedAt">When it was taken.</param>
/// <param name="TtlSeconds">Its time to live after each heartbeat, in seconds.</param>
/// <param name="HeartbeatAt">Its last heartbeat.</param>
/// <param name="ExpiresAt">When it expires unless renewed.</param>
/// <param name="Expired">True when it has expired (a reaper will delete it; any worker may take the symbol).</param>
public sealed record ControlPlaneLock(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("worker_id")] string WorkerId,
    [property: JsonPropertyName("locked_at")] DateTimeOffset LockedAt,
    [property: JsonPropertyName("ttl_seconds")] double TtlSeconds,
    [property: JsonPropertyName("heartbeat_at")] DateTimeOffset HeartbeatAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("expired")] bool Expired)
{
    /// <summary>The view of a lock at <paramref name="now"/>.</summary>
    /// <param name="held">The lock.</param>
    /// <param name="now">The time expiry is judged at.</param>
    /// <returns>The view.</returns>
    public static ControlPlaneLock Of(SymbolLock held, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(held);
        return new ControlPlaneLock(held.Symbol.Value, held.WorkerId, held.LockedAt, held.Ttl.TotalSeconds, held.HeartbeatAt, held.ExpiresAt, held.IsExpiredAt(now));
    }
}
