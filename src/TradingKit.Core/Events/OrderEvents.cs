using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Events;

/// <summary>
/// The OMS persisted an order and is about to send it (L40). Carries the full order terms so the order can be
/// rebuilt from the log alone. Type name <c>order_submitted</c>.
/// </summary>
public sealed record OrderSubmitted : ITradingEvent
{
    /// <summary>The idempotency key of the order.</summary>
    public required ClientOrderId ClientOrderId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>Buy or sell.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>The order type.</summary>
    public required OrderType Type { get; init; }

    /// <summary>The quantity.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The limit price, for limit-type orders.</summary>
    public required decimal? LimitPrice { get; init; }

    /// <summary>The trigger price, for stop and take-profit orders.</summary>
    public required decimal? StopPrice { get; init; }

    /// <summary>The trailing distance, for trailing stops.</summary>
    public required decimal? TrailingOffset { get; init; }

    /// <summary>How long the order stays working.</summary>
    public required TimeInForce TimeInForce { get; init; }

    /// <summary>The expiry of a GTD order.</summary>
    public required DateTimeOffset? ExpireAt { get; init; }

    /// <summary>True when the order may only reduce a position.</summary>
    public required bool ReduceOnly { get; init; }

    /// <summary>The position leg.</summary>
    public required PositionSide PositionSide { get; init; }

    /// <summary>The strategy whose decision produced the order; null for manual orders.</summary>
    public required StrategyId? StrategyId { get; init; }

    /// <summary>The intent key the client order id was derived from (links the order to its decision).</summary>
    public required string? IntentKey { get; init; }

    /// <summary>
    /// The price the decision was made at: the reference of the order's slippage. Null for orders without one (manual
    /// orders) and for orders recorded at schema version 1, which did not carry it (read through the catalogue's upcaster).
    /// Since schema version 2.
    /// </summary>
    public required decimal? DecisionPrice { get; init; }

    /// <summary>Records an order request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="strategyId">The strategy that decided it, or null.</param>
    /// <param name="intentKey">The intent key, or null.</param>
    /// <param name="decisionPrice">The price the decision was made at, or null.</param>
    /// <returns>The event.</returns>
    public static OrderSubmitted From(OrderRequest request, StrategyId? strategyId, string? intentKey, decimal? decisionPrice = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            ClientOrderId = request.ClientOrderId,
            Symbol = request.Symbol,
            Side = request.Side,
            Type = request.Type,
            Quantity = request.Quantity,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            TrailingOffset = request.TrailingOffset,
            TimeInForce = request.TimeInForce,
            ExpireAt = request.ExpireAt,
            ReduceOnly = request.ReduceOnly,
            PositionSide = request.PositionSide,
            StrategyId = strategyId,
            IntentKey = intentKey,
            DecisionPrice = decisionPrice,
        };
    }

    /// <summary>The order request this event recorded.</summary>
    /// <returns>The request, term for term.</returns>
    public OrderRequest ToRequest() => new()
    {
        ClientOrderId = ClientOrderId,
        Symbol = Symbol,
        Side = Side,
        Type = Type,
        Quantity = Quantity,
        LimitPrice = LimitPrice,
        StopPrice = StopPrice,
        TrailingOffset = TrailingOffset,
        TimeInForce = TimeInForce,
        ExpireAt = ExpireAt,
        ReduceOnly = ReduceOnly,
        PositionSide = PositionSide,
    };
}

/// <summary>The venue acknowledged the order. Type name <c>order_accepted</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="VenueOrderId">The id the venue assigned.</param>
public sealed record OrderAccepted(ClientOrderId ClientOrderId, Symbol Symbol, VenueOrderId? VenueOrderId) : ITradingEvent;

/// <summary>The venue rejected the order permanently; it is not retried (PIPE-260 §4.2). Type name <c>order_rejected</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Reason">The venue's reason, readable.</param>
/// <param name="VenueCode">The venue's error code, when it gave one.</param>
public sealed record OrderRejected(ClientOrderId ClientOrderId, Symbol Symbol, string Reason, string? VenueCode) : ITradingEvent;

/// <summary>
/// TradingKit refused the order before it reached the venue (risk guard, kill switch, engine not running,
/// validation). Type name <c>order_denied</c>.
/// </summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="ReasonCode">The stable code (for example <c>KILL_SWITCH_ACTIVE</c>).</param>
/// <param name="RuleId">The risk rule, when a rule denied it.</param>
/// <param name="Message">A readable explanation.</param>
public sealed record OrderDenied(ClientOrderId ClientOrderId, Symbol Symbol, string ReasonCode, string? RuleId, string Message) : ITradingEvent;

/// <summary>A stop or take-profit order's trigger price traded; the order is now working. Type name <c>order_triggered</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="TriggerPrice">The price that triggered it, when known.</param>
public sealed record OrderTriggered(ClientOrderId ClientOrderId, Symbol Symbol, decimal? TriggerPrice) : ITradingEvent;

/// <summary>A cancel was sent for the order (PENDING_CANCEL). Type name <c>order_cancel_requested</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Reason">Why it is being cancelled (for example <c>operator</c>, <c>stop_plan</c>).</param>
public sealed record OrderCancelRequested(ClientOrderId ClientOrderId, Symbol Symbol, string Reason) : ITradingEvent;

/// <summary>The venue refused a cancel; the order keeps its previous status. Type name <c>order_cancel_rejected</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Reason">The venue's reason.</param>
/// <param name="VenueCode">The venue's error code, when it gave one.</param>
public sealed record OrderCancelRejected(ClientOrderId ClientOrderId, Symbol Symbol, string Reason, string? VenueCode) : ITradingEvent;

/// <summary>A modification was sent for the order (PENDING_UPDATE). Null fields are unchanged. Type name <c>order_update_requested</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="NewQuantity">The new total quantity, or null.</param>
/// <param name="NewLimitPrice">The new limit price, or null.</param>
/// <param name="NewStopPrice">The new trigger price, or null.</param>
public sealed record OrderUpdateRequested(ClientOrderId ClientOrderId, Symbol Symbol, decimal? NewQuantity, decimal? NewLimitPrice, decimal? NewStopPrice) : ITradingEvent;

/// <summary>The venue applied a modification; these are the order's terms now. Type name <c>order_updated</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Quantity">The total quantity now.</param>
/// <param name="LimitPrice">The limit price now, if any.</param>
/// <param name="StopPrice">The trigger price now, if any.</param>
public sealed record OrderUpdated(ClientOrderId ClientOrderId, Symbol Symbol, decimal Quantity, decimal? LimitPrice, decimal? StopPrice) : ITradingEvent;

/// <summary>The venue refused a modification; the order keeps its previous terms and status. Type name <c>order_update_rejected</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Reason">The venue's reason.</param>
/// <param name="VenueCode">The venue's error code, when it gave one.</param>
public sealed record OrderUpdateRejected(ClientOrderId ClientOrderId, Symbol Symbol, string Reason, string? VenueCode) : ITradingEvent;

/// <summary>The order was cancelled. Type name <c>order_cancelled</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="FilledQuantity">How much had filled before the cancel.</param>
/// <param name="Reason">Why, when known (for example <c>operator</c>, <c>ioc_remainder</c>).</param>
public sealed record OrderCancelled(ClientOrderId ClientOrderId, Symbol Symbol, decimal FilledQuantity, string? Reason) : ITradingEvent;

/// <summary>The order expired (GTD, DAY). Type name <c>order_expired</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="FilledQuantity">How much had filled before it expired.</param>
public sealed record OrderExpired(ClientOrderId ClientOrderId, Symbol Symbol, decimal FilledQuantity) : ITradingEvent;

/// <summary>
/// One execution of (part of) an order, as the venue reported it. The trade id is the dedup key. Type name
/// <c>order_filled</c>.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Json.OrderFilledJsonConverter))]
public sealed record OrderFilled : ITradingEvent
{
    /// <summary>The venue's id of this execution: the dedup key.</summary>
    public required TradeId TradeId { get; init; }

    /// <summary>The order that was filled.</summary>
    public required ClientOrderId ClientOrderId { get; init; }

    /// <summary>The venue's order id, when known.</summary>
    public required VenueOrderId? VenueOrderId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>The side of the filled order.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>The quantity of this execution.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The execution price.</summary>
    public required decimal Price { get; init; }

    /// <summary>The fee, in <see cref="FeeCurrency"/>; negative for a rebate.</summary>
    public required decimal Fee { get; init; }

    /// <summary>The fee's currency.</summary>
    public required string FeeCurrency { get; init; }

    /// <summary>Maker or taker.</summary>
    public required LiquiditySide Liquidity { get; init; }

    /// <summary>The position leg.</summary>
    public required PositionSide PositionSide { get; init; }

    /// <summary>When the venue executed it.</summary>
    public required DateTimeOffset ExecutedAt { get; init; }

    /// <summary>Records a fill.</summary>
    /// <param name="fill">The fill.</param>
    /// <returns>The event.</returns>
    public static OrderFilled From(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        return new()
        {
            TradeId = fill.TradeId,
            ClientOrderId = fill.ClientOrderId,
            VenueOrderId = fill.VenueOrderId,
            Symbol = fill.Symbol,
            Side = fill.Side,
            Quantity = fill.Quantity,
            Price = fill.Price,
            Fee = fill.Fee,
            FeeCurrency = fill.FeeCurrency,
            Liquidity = fill.Liquidity,
            PositionSide = fill.PositionSide,
            ExecutedAt = fill.Timestamp,
        };
    }

    /// <summary>The fill this event recorded.</summary>
    /// <returns>The fill, field for field.</returns>
    public Fill ToFill() => new()
    {
        TradeId = TradeId,
        ClientOrderId = ClientOrderId,
        VenueOrderId = VenueOrderId,
        Symbol = Symbol,
        Side = Side,
        Quantity = Quantity,
        Price = Price,
        Fee = Fee,
        FeeCurrency = FeeCurrency,
        Liquidity = Liquidity,
        PositionSide = PositionSide,
        Timestamp = ExecutedAt,
    };
}
