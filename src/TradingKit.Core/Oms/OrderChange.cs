using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Oms;

/// <summary>What changed on an order; each maps to one event in the catalogue and one journal record.</summary>
public enum OrderChangeKind
{
    /// <summary>Recorded and about to be sent (written before the venue call).</summary>
    Submitted = 1,

    /// <summary>The venue accepted it.</summary>
    Accepted = 2,

    /// <summary>The venue refused it.</summary>
    Rejected = 3,

    /// <summary>Refused before leaving (risk guard, kill switch, policy).</summary>
    Denied = 4,

    /// <summary>Its trigger price traded.</summary>
    Triggered = 5,

    /// <summary>A cancel was requested.</summary>
    CancelRequested = 6,

    /// <summary>The venue refused the cancel; the previous status is restored.</summary>
    CancelRejected = 7,

    /// <summary>A modify was requested.</summary>
    UpdateRequested = 8,

    /// <summary>The venue applied the modify.</summary>
    Updated = 9,

    /// <summary>The venue refused the modify; the previous status and terms are restored.</summary>
    UpdateRejected = 10,

    /// <summary>Cancelled.</summary>
    Cancelled = 11,

    /// <summary>Expired.</summary>
    Expired = 12,

    /// <summary>A fill was applied.</summary>
    Filled = 13,
}

/// <summary>The context an order was created in: who decided it, why, and at what price.</summary>
/// <param name="StrategyId">The deciding strategy.</param>
/// <param name="CorrelationId">Ties the decision, the order and its fills together.</param>
/// <param name="DecisionPrice">The price the decision saw (for slippage), if any.</param>
/// <param name="DecisionTime">When the decision was made.</param>
public sealed record OrderContext(StrategyId StrategyId, CorrelationId CorrelationId, decimal? DecisionPrice, DateTimeOffset DecisionTime);

/// <summary>
/// One change to one order, as handed to the recorder (event store) and the observers (journal, metrics). A value, because
/// the OMS makes one for every change of every order: handing it on allocates nothing, and a recorder or observer that keeps
/// it keeps its own copy. The OMS never hands out <c>default</c>.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Order">The order after the change.</param>
/// <param name="Context">The order's context.</param>
/// <param name="Timestamp">Engine time of the change.</param>
/// <param name="Reason">The reason (reject, deny, cancel), if any.</param>
/// <param name="Fill">The fill, for <see cref="OrderChangeKind.Filled"/>.</param>
/// <param name="VenueCode">The venue's or risk guard's code, if any.</param>
public readonly record struct OrderChange(OrderChangeKind Kind, Order Order, OrderContext Context, DateTimeOffset Timestamp, string? Reason = null, Fill? Fill = null, string? VenueCode = null);

/// <summary>
/// Persists order changes. The OMS awaits it, so an order is durably recorded <b>before</b> the venue call.
/// The default writes catalogue events to the event store.
/// </summary>
public interface IOrderRecorder
{
    /// <summary>Records one change.</summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when durable.</returns>
    ValueTask RecordAsync(OrderChange change, CancellationToken cancellationToken = default);
}

/// <summary>Observes order changes after they are recorded (journal, metrics, portfolio). Called on the engine loop.</summary>
public interface IOrderObserver
{
    /// <summary>Called after a change is recorded.</summary>
    /// <param name="change">The change.</param>
    void OnOrderChanged(OrderChange change);
}
