using TradingKit.Orders;

namespace TradingKit.Oms;

/// <summary>How a submission ended.</summary>
public enum SubmitStatus
{
    /// <summary>The venue accepted the order (possibly after retries, or as found by a query after an unknown outcome).</summary>
    Accepted = 1,

    /// <summary>An order with this client order id already exists; nothing was sent (TEST-712).</summary>
    Duplicate = 2,

    /// <summary>Refused before leaving: risk guard, kill switch or policy. Zero venue calls.</summary>
    Denied = 3,

    /// <summary>The venue refused it permanently (<c>BROKER_REJECTED</c>); never retried.</summary>
    Rejected = 4,

    /// <summary>Transient failures outlasted the retries (<c>BROKER_TIMEOUT_TRANSIENT</c>); the order was not placed.</summary>
    Failed = 5,

    /// <summary>The outcome is still unknown after the queries allowed; the order stays SUBMITTED for the in-flight check.</summary>
    Unknown = 6,
}

/// <summary>The result of <see cref="OrderManager.SubmitAsync"/>.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Order">
/// The order (the existing one for a duplicate). Null only for a duplicate of an order the OMS has retired (see
/// <see cref="OmsOptions.RetainedTerminalOrders"/>): its id is known, the order object no longer kept.
/// </param>
/// <param name="Code">The stable code for denials, rejections and failures.</param>
/// <param name="Reason">A readable reason.</param>
public readonly record struct SubmitOutcome(SubmitStatus Status, Order? Order, string? Code = null, string? Reason = null);

/// <summary>The answer of the last gate before the venue.</summary>
/// <param name="Allowed">True to send.</param>
/// <param name="Code">The stable code when denied (for example <c>KILL_SWITCH_ACTIVE</c>).</param>
/// <param name="Reason">Why.</param>
public readonly record struct GateDecision(bool Allowed, string? Code = null, string? Reason = null)
{
    /// <summary>Allowed.</summary>
    public static GateDecision Allow => new(true);
}

/// <summary>The last check before an order reaches the venue (kill switch, risk guard, execution policy).</summary>
public interface IOrderGate
{
    /// <summary>Decides whether the order may be sent. Runs on the engine loop, right before the venue call.</summary>
    /// <param name="order">The order, in NEW.</param>
    /// <returns>The decision.</returns>
    GateDecision Check(Order order);
}
