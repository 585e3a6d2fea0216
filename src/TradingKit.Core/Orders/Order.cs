using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Orders;

/// <summary>The result of one change asked of an <see cref="Order"/>.</summary>
/// <param name="Outcome">Applied, an idempotent no-op, or refused.</param>
/// <param name="From">The status before.</param>
/// <param name="To">The status after (equal to <paramref name="From"/> unless applied).</param>
/// <param name="ErrorCode">Why it was refused: <c>INVALID_ORDER_STATUS_TRANSITION</c> or <c>ORDER_STATE_CONFLICT</c>.</param>
public readonly record struct OrderUpdate(TransitionOutcome Outcome, OrderStatus From, OrderStatus To, string? ErrorCode = null)
{
    /// <summary>True when the order changed.</summary>
    public bool IsApplied => Outcome == TransitionOutcome.Applied;

    /// <summary>Throws when the change was refused.</summary>
    /// <exception cref="OrderStateException">The change was refused.</exception>
    public void ThrowIfRefused()
    {
        if (Outcome == TransitionOutcome.Refused)
        {
            throw new OrderStateException(ErrorCode ?? ErrorCodes.InvalidOrderStatusTransition, From, To);
        }
    }
}

/// <summary>What happened to a fill given to <see cref="Order.ApplyFill"/>.</summary>
public enum FillOutcome : byte
{
    /// <summary>Applied.</summary>
    Applied = 0,

    /// <summary>Its trade id was already applied; nothing changed (<c>DUPLICATE_FILL</c>).</summary>
    Duplicate = 1,

    /// <summary>Applied, but the filled quantity now exceeds the order quantity (<c>ORDER_OVERFILL</c>); report it.</summary>
    Overfill = 2,

    /// <summary>Not applied: the order never reached the venue or was rejected (<c>INVALID_ORDER_STATUS_TRANSITION</c>).</summary>
    Refused = 3,
}

/// <summary>An order status change that was refused.</summary>
public sealed class OrderStateException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code"><c>INVALID_ORDER_STATUS_TRANSITION</c> or <c>ORDER_STATE_CONFLICT</c>.</param>
    /// <param name="from">The status held.</param>
    /// <param name="to">The status asked for.</param>
    public OrderStateException(string code, OrderStatus from, OrderStatus to)
        : base(code, $"Order status change {from} -> {to} refused ({code}).")
    {
        From = from;
        To = to;
    }

    /// <summary>The status held.</summary>
    public OrderStatus From { get; }

    /// <summary>The status asked for.</summary>
    public OrderStatus To { get; }
}

/// <summary>
/// One order's state: status, quantities, prices and the fills applied. Every status change goes through
/// <see cref="OrderStateMachine"/>; not thread-safe (owned by the engine loop).
/// </summary>
public sealed class Order
{
    private HashSet<TradeId>? _tradeIds;

    /// <summary>Creates an order in <see cref="OrderStatus.New"/>.</summary>
    /// <param name="request">The order request; validated.</param>
    /// <param name="createdAt">When it was created, on the engine clock.</param>
    /// <exception cref="TradingKitException">The request is malformed.</exception>
    public Order(OrderRequest request, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        Request = request;
        Quantity = request.Quantity;
        LimitPrice = request.LimitPrice;
        StopPrice = request.StopPrice;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
    }

    /// <summary>The request as first submitted.</summary>
    public OrderRequest Request { get; }

    /// <summary>The idempotency key.</summary>
    public ClientOrderId ClientOrderId => Request.ClientOrderId;

    /// <summary>The instrument.</summary>
    public Symbol Symbol => Request.Symbol;

    /// <summary>Buy or sell.</summary>
    public OrderSide Side => Request.Side;

    /// <summary>The order type.</summary>
    public OrderType Type => Request.Type;

    /// <summary>The current status.</summary>
    public OrderStatus Status { get; private set; }

    /// <summary>The status held before the current pending cancel or modify; restored when the venue refuses it.</summary>
    public OrderStatus? StatusBeforePending { get; private set; }

    /// <summary>The venue's id, once known.</summary>
    public VenueOrderId? VenueOrderId { get; private set; }

    /// <summary>The order quantity (changes when a modify is confirmed).</summary>
    public decimal Quantity { get; private set; }

    /// <summary>The limit price (changes when a modify is confirmed).</summary>
    public decimal? LimitPrice { get; private set; }

    /// <summary>The trigger price (changes when a modify is confirmed).</summary>
    public decimal? StopPrice { get; private set; }

    /// <summary>The modify waiting for the venue's answer.</summary>
    public ModifyRequest? PendingModify { get; private set; }

    /// <summary>The quantity filled so far.</summary>
    public decimal FilledQuantity { get; private set; }

    /// <summary>What is left to fill (never negative).</summary>
    public decimal LeavesQuantity => Math.Max(0m, Quantity - FilledQuantity);

    /// <summary>The volume-weighted average fill price, or 0 when nothing filled.</summary>
    public decimal AverageFillPrice { get; private set; }

    /// <summary>The fees of every applied fill.</summary>
    public decimal TotalFees { get; private set; }

    /// <summary>Why the order was rejected, denied, cancelled or expired, when known.</summary>
    public string? Reason { get; private set; }

    /// <summary>When the order was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the order last changed.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Counts every applied change; useful for compare-and-set by version.</summary>
    public int Version { get; private set; }

    /// <summary>True when the trade id was already applied to this order.</summary>
    /// <param name="tradeId">The trade id.</param>
    /// <returns>Whether it was applied.</returns>
    public bool HasFill(TradeId tradeId) => _tradeIds?.Contains(tradeId) == true;

    /// <summary>NEW → SUBMITTED: the order is about to be (or was) sent.</summary>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate MarkSubmitted(DateTimeOffset at) => Move(OrderStatus.Submitted, at);

    /// <summary>NEW → DENIED: refused before leaving (risk, kill switch, policy).</summary>
    /// <param name="reason">Why.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Deny(string reason, DateTimeOffset at) => Move(OrderStatus.Denied, at, reason);

    /// <summary>The venue accepted the order. A late acknowledgement (after a fill or a cancel request) only records the venue id.</summary>
    /// <param name="venueOrderId">The venue's id, if given.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Acknowledge(VenueOrderId? venueOrderId, DateTimeOffset at)
    {
        if (venueOrderId is not null)
        {
            VenueOrderId = venueOrderId;
        }

        // The ack raced behind a fill, trigger or cancel request: the later state already implies it.
        if (Status is OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.Triggered or OrderStatus.Cancelled or OrderStatus.Expired)
        {
            return new OrderUpdate(TransitionOutcome.NoOp, Status, Status);
        }

        if (IsPendingFrom(OrderStatus.Submitted))
        {
            StatusBeforePending = OrderStatus.Acknowledged;
            return Touch(at, new OrderUpdate(TransitionOutcome.Applied, Status, Status));
        }

        return Move(OrderStatus.Acknowledged, at);
    }

    /// <summary>The venue refused the order.</summary>
    /// <param name="reason">The venue's reason.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Reject(string reason, DateTimeOffset at) => Move(OrderStatus.Rejected, at, reason);

    /// <summary>A stop or take-profit order's trigger price traded.</summary>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Trigger(DateTimeOffset at)
    {
        if (Status == OrderStatus.PartiallyFilled)
        {
            return new OrderUpdate(TransitionOutcome.NoOp, Status, Status);
        }

        return Move(OrderStatus.Triggered, at);
    }

    /// <summary>A cancel was requested: → PENDING_CANCEL, remembering the status to restore.</summary>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RequestCancel(DateTimeOffset at)
    {
        var before = Status == OrderStatus.PendingUpdate ? StatusBeforePending : Status;
        var update = Move(OrderStatus.PendingCancel, at);
        if (update.IsApplied)
        {
            StatusBeforePending = before;
        }

        return update;
    }

    /// <summary>A modify was requested: → PENDING_UPDATE, remembering the status to restore.</summary>
    /// <param name="modify">The requested change.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RequestUpdate(ModifyRequest modify, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(modify);
        var before = Status;
        var update = Move(OrderStatus.PendingUpdate, at);
        if (update.IsApplied)
        {
            StatusBeforePending = before;
            PendingModify = modify;
        }

        return update;
    }

    /// <summary>The venue refused a cancel: the status held before PENDING_CANCEL is restored.</summary>
    /// <param name="reason">The venue's reason.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RejectCancel(string reason, DateTimeOffset at) => RestoreFrom(OrderStatus.PendingCancel, reason, at);

    /// <summary>The venue refused a modify: the status and terms held before PENDING_UPDATE are restored.</summary>
    /// <param name="reason">The venue's reason.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RejectUpdate(string reason, DateTimeOffset at) => RestoreFrom(OrderStatus.PendingUpdate, reason, at);

    /// <summary>The venue applied a modify: the new terms take effect and the previous status is restored.</summary>
    /// <param name="quantity">The new quantity, or null if unchanged.</param>
    /// <param name="limitPrice">The new limit price, or null if unchanged.</param>
    /// <param name="stopPrice">The new trigger price, or null if unchanged.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate ConfirmUpdate(decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTimeOffset at)
    {
        var update = RestoreFrom(OrderStatus.PendingUpdate, null, at);
        if (update.IsApplied)
        {
            Quantity = quantity ?? Quantity;
            LimitPrice = limitPrice ?? LimitPrice;
            StopPrice = stopPrice ?? StopPrice;
            if (FilledQuantity >= Quantity && FilledQuantity > 0m)
            {
                Status = OrderStatus.Filled;
                update = update with { To = Status };
            }
        }

        return update;
    }

    /// <summary>The order was cancelled (by request or by the venue).</summary>
    /// <param name="reason">Why, if known.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Cancel(string? reason, DateTimeOffset at) => Move(OrderStatus.Cancelled, at, reason);

    /// <summary>The order expired.</summary>
    /// <param name="reason">Why, if known.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Expire(string? reason, DateTimeOffset at) => Move(OrderStatus.Expired, at, reason);

    /// <summary>
    /// Compare-and-set: moves to <paramref name="next"/> only when the status is still <paramref name="expected"/>.
    /// </summary>
    /// <param name="expected">The status the caller believes the order holds.</param>
    /// <param name="next">The status to move to.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome; refused with <c>ORDER_STATE_CONFLICT</c> when <paramref name="expected"/> no longer holds.</returns>
    public OrderUpdate CompareAndSet(OrderStatus expected, OrderStatus next, DateTimeOffset at)
        => Status != expected
            ? new OrderUpdate(TransitionOutcome.Refused, Status, next, ErrorCodes.OrderStateConflict)
            : Move(next, at);

    /// <summary>
    /// Applies one fill. Duplicates (same trade id) are refused without change; a fill before the
    /// acknowledgement or after a cancel acknowledgement is applied (the venue is the truth); an overfill is
    /// applied and reported.
    /// </summary>
    /// <param name="fill">The fill.</param>
    /// <returns>What happened.</returns>
    public FillOutcome ApplyFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (fill.ClientOrderId != ClientOrderId || fill.Quantity <= 0m)
        {
            return FillOutcome.Refused;
        }

        if (HasFill(fill.TradeId))
        {
            return FillOutcome.Duplicate;
        }

        if (Status is OrderStatus.New or OrderStatus.Denied or OrderStatus.Rejected or OrderStatus.Filled)
        {
            return FillOutcome.Refused;
        }

        (_tradeIds ??= []).Add(fill.TradeId);
        var filled = FilledQuantity + fill.Quantity;
        AverageFillPrice = ((AverageFillPrice * FilledQuantity) + (fill.Price * fill.Quantity)) / filled;
        FilledQuantity = filled;
        TotalFees += fill.Fee;
        UpdatedAt = fill.Timestamp > UpdatedAt ? fill.Timestamp : UpdatedAt;
        Version++;

        if (filled >= Quantity)
        {
            StatusBeforePending = null;
            PendingModify = null;
            Status = OrderStatus.Filled;
        }
        else if (Status is OrderStatus.Submitted or OrderStatus.Acknowledged or OrderStatus.Triggered)
        {
            Status = OrderStatus.PartiallyFilled;
        }
        else if (OrderStateMachine.IsPending(Status) && StatusBeforePending is OrderStatus.Submitted or OrderStatus.Acknowledged or OrderStatus.Triggered)
        {
            StatusBeforePending = OrderStatus.PartiallyFilled;
        }

        return filled > Quantity ? FillOutcome.Overfill : FillOutcome.Applied;
    }

    private bool IsPendingFrom(OrderStatus before) => OrderStateMachine.IsPending(Status) && StatusBeforePending == before;

    private OrderUpdate RestoreFrom(OrderStatus pending, string? reason, DateTimeOffset at)
    {
        if (Status != pending || StatusBeforePending is not { } previous)
        {
            // A late answer to a request already resolved (for example the order filled meanwhile) changes nothing.
            return OrderStateMachine.IsTerminal(Status) || Status != pending
                ? new OrderUpdate(OrderStateMachine.IsTerminal(Status) ? TransitionOutcome.NoOp : TransitionOutcome.Refused, Status, Status,
                    OrderStateMachine.IsTerminal(Status) ? null : ErrorCodes.InvalidOrderStatusTransition)
                : new OrderUpdate(TransitionOutcome.Refused, Status, Status, ErrorCodes.InvalidOrderStatusTransition);
        }

        var update = Move(previous, at, reason);
        if (update.IsApplied)
        {
            StatusBeforePending = null;
            PendingModify = null;
        }

        return update;
    }

    private OrderUpdate Move(OrderStatus to, DateTimeOffset at, string? reason = null)
    {
        var from = Status;
        var outcome = OrderStateMachine.Classify(from, to);
        if (outcome == TransitionOutcome.Refused)
        {
            return new OrderUpdate(outcome, from, from, ErrorCodes.InvalidOrderStatusTransition);
        }

        if (outcome == TransitionOutcome.NoOp)
        {
            return new OrderUpdate(outcome, from, from);
        }

        Status = to;
        if (reason is not null)
        {
            Reason = reason;
        }

        if (!OrderStateMachine.IsPending(to))
        {
            StatusBeforePending = OrderStateMachine.IsTerminal(to) ? null : StatusBeforePending;
        }

        return Touch(at, new OrderUpdate(TransitionOutcome.Applied, from, to));
    }

    private OrderUpdate Touch(DateTimeOffset at, OrderUpdate update)
    {
        UpdatedAt = at > UpdatedAt ? at : UpdatedAt;
        Version++;
        return update;
    }
}
