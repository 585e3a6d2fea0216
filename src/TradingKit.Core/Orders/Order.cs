using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Orders;

/// <summary>The result of one change asked of an <see cref="Order"/>.</summary>
/// <param name="Outcome">Applied, an idempotent no-op, or refused.</param>
/// <param name="From">The status before.</param>
/// <param name="To">The status after (equal to <paramref name="From"/> unless applied).</param>
/// <param name="ErrorCode">Why it was refused: <c>INVALID_ORDER_STATUS_TRANSITION</c>, <c>ORDER_STATE_CONFLICT</c> or <c>ORDER_OVERFILL</c>.</param>
public readonly record struct OrderUpdate(TransitionOutcome Outcome, OrderStatus From, OrderStatus To, string? ErrorCode = null)
{
    /// <summary>Gets the status that was asked for, on a refusal (where <see cref="To"/> stays equal to <see cref="From"/>).</summary>
    public OrderStatus? Requested { get; init; }

    /// <summary>Gets a value indicating whether the order changed.</summary>
    public bool IsApplied => Outcome == TransitionOutcome.Applied;

    /// <summary>Throws when the change was refused.</summary>
    /// <exception cref="OrderStateException">The change was refused.</exception>
    public void ThrowIfRefused()
    {
        if (Outcome == TransitionOutcome.Refused)
        {
            throw new OrderStateException(ErrorCode ?? ErrorCodes.InvalidOrderStatusTransition, From, Requested ?? To);
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
/// One order's state: status, quantities, prices and the fills applied. Every status change is checked against
/// <see cref="OrderStateMachine"/>; this class adds the memory the table cannot hold (the status a pending cancel
/// or modify stands in for, the trade ids applied). Not thread-safe (owned by the engine loop).
/// </summary>
/// <remarks>
/// <see cref="Version"/> increases by one exactly when a call returns <see cref="TransitionOutcome.Applied"/>
/// (or a fill returns <see cref="FillOutcome.Applied"/>/<see cref="FillOutcome.Overfill"/>); no-ops and refusals
/// change nothing, except that a late acknowledgement still records the venue order id.
/// </remarks>
public sealed class Order
{
    // Most orders fill once: the first trade id is kept in a field, and a set is made only for a second fill.
    private TradeId? _firstTradeId;
    private HashSet<TradeId>? _tradeIds;

    // True from the moment PENDING_UPDATE is entered until the modify is answered, even if a cancel request
    // (PENDING_CANCEL) overtook it: a refused cancel must then go back to waiting for the modify.
    private bool _updateInFlight;

    /// <summary>What the engine's recorder keeps with the order (its event stream), so recording a change needs no lookup.</summary>
    internal object? RecorderState { get; set; }

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

    /// <summary>Gets the request as first submitted.</summary>
    public OrderRequest Request { get; }

    /// <summary>Gets the idempotency key.</summary>
    public ClientOrderId ClientOrderId => Request.ClientOrderId;

    /// <summary>Gets the instrument.</summary>
    public Symbol Symbol => Request.Symbol;

    /// <summary>Gets the side: buy or sell.</summary>
    public OrderSide Side => Request.Side;

    /// <summary>Gets the order type.</summary>
    public OrderType Type => Request.Type;

    /// <summary>Gets the current status.</summary>
    public OrderStatus Status { get; private set; }

    /// <summary>
    /// Gets the working status the current pending cancel or modify stands in for; restored when the venue refuses
    /// it, and updated meanwhile by a late acknowledgement, a trigger or a partial fill. Null when not pending.
    /// </summary>
    public OrderStatus? StatusBeforePending { get; private set; }

    /// <summary>Gets the venue's id, once known.</summary>
    public VenueOrderId? VenueOrderId { get; private set; }

    /// <summary>Gets the order quantity (changes when a modify is confirmed).</summary>
    public decimal Quantity { get; private set; }

    /// <summary>Gets the limit price (changes when a modify is confirmed).</summary>
    public decimal? LimitPrice { get; private set; }

    /// <summary>Gets the trigger price (changes when a modify is confirmed).</summary>
    public decimal? StopPrice { get; private set; }

    /// <summary>Gets the modify waiting for the venue's answer.</summary>
    public ModifyRequest? PendingModify { get; private set; }

    /// <summary>Gets the quantity filled so far.</summary>
    public decimal FilledQuantity { get; private set; }

    /// <summary>Gets what is left to fill (never negative).</summary>
    public decimal LeavesQuantity => Math.Max(0m, Quantity - FilledQuantity);

    /// <summary>Gets the volume-weighted average fill price, or 0 when nothing filled.</summary>
    public decimal AverageFillPrice { get; private set; }

    /// <summary>Gets the fees of every applied fill.</summary>
    public decimal TotalFees { get; private set; }

    /// <summary>Gets why the order was rejected, denied, cancelled or expired (or why a cancel or modify was refused), when known.</summary>
    public string? Reason { get; private set; }

    /// <summary>Gets when the order was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Gets when the order last changed.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Gets the count of applied changes; useful for compare-and-set by version.</summary>
    public int Version { get; private set; }

    /// <summary>True when the trade id was already applied to this order.</summary>
    /// <param name="tradeId">The trade id.</param>
    /// <returns>Whether it was applied.</returns>
    public bool HasFill(TradeId tradeId) => _firstTradeId == tradeId || _tradeIds?.Contains(tradeId) == true;

    /// <summary>How many distinct fills (trade ids) the order has taken.</summary>
    public int FillCount => _tradeIds?.Count ?? (_firstTradeId is null ? 0 : 1);

    /// <summary>NEW → SUBMITTED: the order is about to be (or was) sent.</summary>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate MarkSubmitted(DateTimeOffset at) => Move(OrderStatus.Submitted, at);

    /// <summary>NEW → DENIED: refused before leaving (risk, kill switch, policy).</summary>
    /// <param name="reason">Why.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Deny(string reason, DateTimeOffset at) => Move(OrderStatus.Denied, at, reason);

    /// <summary>
    /// The venue accepted the order. A late acknowledgement (after a fill, a trigger, a cancel, or while a cancel
    /// requested from an acknowledged order is pending) is a no-op that only records the venue id; one that arrives
    /// while a cancel requested before the ack is pending makes ACKNOWLEDGED the status a refused cancel restores.
    /// </summary>
    /// <param name="venueOrderId">The venue's id, if given.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Acknowledge(VenueOrderId? venueOrderId, DateTimeOffset at)
    {
        if (OrderStateMachine.IsPending(Status))
        {
            VenueOrderId = venueOrderId ?? VenueOrderId;
            if (StatusBeforePending == OrderStatus.Submitted)
            {
                StatusBeforePending = OrderStatus.Acknowledged;
                return Touch(at, new OrderUpdate(TransitionOutcome.Applied, Status, Status));
            }

            return new OrderUpdate(TransitionOutcome.NoOp, Status, Status);
        }

        // The ack raced behind a fill, trigger or cancel: the later status already implies it.
        if (Status is OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.Triggered or OrderStatus.Cancelled or OrderStatus.Expired)
        {
            VenueOrderId = venueOrderId ?? VenueOrderId;
            return new OrderUpdate(TransitionOutcome.NoOp, Status, Status);
        }

        var update = Move(OrderStatus.Acknowledged, at);
        if (update.Outcome != TransitionOutcome.Refused)
        {
            VenueOrderId = venueOrderId ?? VenueOrderId;
        }

        return update;
    }

    /// <summary>The venue refused the order (also while a cancel or modify of a not yet filled order is pending).</summary>
    /// <param name="reason">The venue's reason.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Reject(string reason, DateTimeOffset at) => Move(OrderStatus.Rejected, at, reason);

    /// <summary>
    /// A stop or take-profit order's trigger price traded. A no-op once the order has fills (a fill implies the
    /// trigger); while a cancel or modify is pending, TRIGGERED becomes the status a refusal restores.
    /// </summary>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate Trigger(DateTimeOffset at)
    {
        if (Status is OrderStatus.PartiallyFilled or OrderStatus.Filled)
        {
            return new OrderUpdate(TransitionOutcome.NoOp, Status, Status);
        }

        if (OrderStateMachine.IsPending(Status))
        {
            if (StatusBeforePending is OrderStatus.Submitted or OrderStatus.Acknowledged)
            {
                StatusBeforePending = OrderStatus.Triggered;
                return Touch(at, new OrderUpdate(TransitionOutcome.Applied, Status, Status));
            }

            return new OrderUpdate(TransitionOutcome.NoOp, Status, Status);
        }

        return Move(OrderStatus.Triggered, at);
    }

    /// <summary>A cancel was requested: → PENDING_CANCEL, remembering the status to restore.</summary>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RequestCancel(DateTimeOffset at) => Move(OrderStatus.PendingCancel, at);

    /// <summary>
    /// A modify was requested: → PENDING_UPDATE, remembering the status and terms to restore. A second request
    /// while one is pending is a no-op (the first stands); a request while a cancel is pending is refused.
    /// </summary>
    /// <param name="modify">The requested change.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RequestUpdate(ModifyRequest modify, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(modify);
        if (Status == OrderStatus.PendingCancel)
        {
            return Refuse(OrderStatus.PendingUpdate, ErrorCodes.InvalidOrderStatusTransition);
        }

        var update = Move(OrderStatus.PendingUpdate, at);
        if (update.IsApplied)
        {
            PendingModify = modify;
        }

        return update;
    }

    /// <summary>
    /// The venue refused a cancel: the status held before PENDING_CANCEL is restored (PENDING_UPDATE when a modify
    /// requested earlier is still unanswered). A late refusal after the order ended is a no-op.
    /// </summary>
    /// <param name="reason">The venue's reason.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RejectCancel(string reason, DateTimeOffset at) => RestoreFrom(OrderStatus.PendingCancel, reason, at);

    /// <summary>
    /// The venue refused a modify: the status and terms held before PENDING_UPDATE are restored. When a cancel
    /// overtook the modify, the order stays PENDING_CANCEL and only forgets the modify.
    /// </summary>
    /// <param name="reason">The venue's reason.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome.</returns>
    public OrderUpdate RejectUpdate(string reason, DateTimeOffset at)
    {
        if (Status == OrderStatus.PendingCancel && _updateInFlight)
        {
            _updateInFlight = false;
            PendingModify = null;
            Reason = reason;
            return Touch(at, new OrderUpdate(TransitionOutcome.Applied, Status, Status));
        }

        return RestoreFrom(OrderStatus.PendingUpdate, reason, at);
    }

    /// <summary>
    /// The venue applied a modify: the new terms take effect and the previous status is restored (or, when a
    /// cancel overtook the modify, the order stays PENDING_CANCEL with the new terms). If the filled quantity now
    /// reaches the new quantity the order is FILLED.
    /// </summary>
    /// <param name="quantity">The new quantity, or null if unchanged.</param>
    /// <param name="limitPrice">The new limit price, or null if unchanged.</param>
    /// <param name="stopPrice">The new trigger price, or null if unchanged.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>
    /// The outcome; refused with <c>ORDER_OVERFILL</c> (nothing applied) when the new quantity is below the quantity
    /// already filled, which a venue does not confirm: the order should be reconciled.
    /// </returns>
    public OrderUpdate ConfirmUpdate(decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTimeOffset at)
    {
        var overtakenByCancel = Status == OrderStatus.PendingCancel && _updateInFlight;
        if (!overtakenByCancel && Status != OrderStatus.PendingUpdate)
        {
            return RestoreFrom(OrderStatus.PendingUpdate, null, at);
        }

        if (quantity < FilledQuantity)
        {
            return Refuse(Status, ErrorCodes.Overfill);
        }

        OrderUpdate update;
        if (overtakenByCancel)
        {
            _updateInFlight = false;
            PendingModify = null;
            update = Touch(at, new OrderUpdate(TransitionOutcome.Applied, Status, Status));
        }
        else
        {
            update = RestoreFrom(OrderStatus.PendingUpdate, null, at);
            if (!update.IsApplied)
            {
                return update;
            }
        }

        Quantity = quantity ?? Quantity;
        LimitPrice = limitPrice ?? LimitPrice;
        StopPrice = stopPrice ?? StopPrice;
        if (FilledQuantity > 0m && FilledQuantity >= Quantity)
        {
            Complete();
            update = update with { To = Status };
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
    /// Compare-and-set: moves to <paramref name="next"/> only when the status is still <paramref name="expected"/>,
    /// under the same rules as every other change. FILLED and PARTIALLY_FILLED follow from quantities, so they are
    /// reached through <see cref="ApplyFill"/> only (PARTIALLY_FILLED may still be restored from a pending status
    /// that stands in for it).
    /// </summary>
    /// <param name="expected">The status the caller believes the order holds.</param>
    /// <param name="next">The status to move to.</param>
    /// <param name="at">Engine time.</param>
    /// <returns>The outcome; refused with <c>ORDER_STATE_CONFLICT</c> when <paramref name="expected"/> no longer holds.</returns>
    public OrderUpdate CompareAndSet(OrderStatus expected, OrderStatus next, DateTimeOffset at)
    {
        if (Status != expected)
        {
            return Refuse(next, ErrorCodes.OrderStateConflict);
        }

        var setsFillStatus = next == OrderStatus.Filled || (next == OrderStatus.PartiallyFilled && !OrderStateMachine.IsPending(Status));
        return setsFillStatus && next != Status
            ? Refuse(next, ErrorCodes.InvalidOrderStatusTransition)
            : Move(next, at);
    }

    /// <summary>
    /// Applies one fill. Duplicates (same trade id) are refused without change; a fill before the
    /// acknowledgement or after a cancel acknowledgement or expiry is applied (the venue is the truth); a fill that
    /// takes the filled quantity above the order quantity, including one on a FILLED order, is applied and
    /// reported as an overfill. A fill on an order the venue never had (NEW, DENIED, REJECTED) is refused.
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

        // The table decides where a fill may land: wherever FILLED may follow (or FILLED itself, an overfill).
        if (OrderStateMachine.Classify(Status, OrderStatus.Filled) == TransitionOutcome.Refused)
        {
            return FillOutcome.Refused;
        }

        if (_firstTradeId is null)
        {
            _firstTradeId = fill.TradeId;
        }
        else
        {
            (_tradeIds ??= [_firstTradeId.Value]).Add(fill.TradeId);
        }
        var filled = FilledQuantity + fill.Quantity;
        AverageFillPrice = ((AverageFillPrice * FilledQuantity) + (fill.Price * fill.Quantity)) / filled;
        FilledQuantity = filled;
        TotalFees += fill.Fee;
        UpdatedAt = fill.Timestamp > UpdatedAt ? fill.Timestamp : UpdatedAt;
        Version++;

        if (filled >= Quantity)
        {
            Complete();
        }
        else if (Status is OrderStatus.Submitted or OrderStatus.Acknowledged or OrderStatus.Triggered)
        {
            Status = OrderStatus.PartiallyFilled;
        }
        else if (OrderStateMachine.IsPending(Status) && StatusBeforePending is OrderStatus.Submitted or OrderStatus.Acknowledged or OrderStatus.Triggered)
        {
            // Still waiting for the cancel or modify answer; a refusal must now restore PARTIALLY_FILLED.
            StatusBeforePending = OrderStatus.PartiallyFilled;
        }

        return filled > Quantity ? FillOutcome.Overfill : FillOutcome.Applied;
    }

    private void Complete()
    {
        Status = OrderStatus.Filled;
        ClearPending();
    }

    private void ClearPending()
    {
        StatusBeforePending = null;
        PendingModify = null;
        _updateInFlight = false;
    }

    private OrderUpdate RestoreFrom(OrderStatus pending, string? reason, DateTimeOffset at)
    {
        if (Status != pending)
        {
            // A late answer to a request already resolved (the order filled or was cancelled meanwhile) changes nothing.
            return OrderStateMachine.IsTerminal(Status)
                ? new OrderUpdate(TransitionOutcome.NoOp, Status, Status)
                : Refuse(Status, ErrorCodes.InvalidOrderStatusTransition);
        }

        var target = pending == OrderStatus.PendingCancel && _updateInFlight ? OrderStatus.PendingUpdate : StatusBeforePending;
        if (target is not { } restore)
        {
            return Refuse(Status, ErrorCodes.InvalidOrderStatusTransition);
        }

        return Move(restore, at, reason);
    }

    private OrderUpdate Move(OrderStatus to, DateTimeOffset at, string? reason = null)
    {
        var from = Status;
        var outcome = OrderStateMachine.Classify(from, to);
        if (outcome == TransitionOutcome.Applied && OrderStateMachine.IsPending(from) && !MayLeavePending(from, to))
        {
            outcome = TransitionOutcome.Refused;
        }

        if (outcome == TransitionOutcome.Refused)
        {
            return Refuse(to, ErrorCodes.InvalidOrderStatusTransition);
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

        if (OrderStateMachine.IsPending(to))
        {
            // From one pending status to the other the remembered working status stays the same.
            StatusBeforePending = OrderStateMachine.IsPending(from) ? StatusBeforePending : from;
            _updateInFlight |= to == OrderStatus.PendingUpdate;
        }
        else
        {
            ClearPending();
        }

        return Touch(at, new OrderUpdate(TransitionOutcome.Applied, from, to));
    }

    // The table's edges out of a pending status are the union over every status it may stand in for; this narrows
    // them to the one remembered: back to exactly that status, or to an end that status could reach.
    private bool MayLeavePending(OrderStatus from, OrderStatus to)
    {
        if (StatusBeforePending is not { } before)
        {
            return true;
        }

        if (to == OrderStatus.PendingCancel)
        {
            return true;
        }

        if (to == OrderStatus.PendingUpdate)
        {
            return from == OrderStatus.PendingCancel && _updateInFlight;
        }

        return OrderStateMachine.IsTerminal(to)
            ? OrderStateMachine.Classify(before, to) == TransitionOutcome.Applied
            : to == before;
    }

    private OrderUpdate Refuse(OrderStatus requested, string code)
        => new(TransitionOutcome.Refused, Status, Status, code) { Requested = requested };

    private OrderUpdate Touch(DateTimeOffset at, OrderUpdate update)
    {
        UpdatedAt = at > UpdatedAt ? at : UpdatedAt;
        Version++;
        return update;
    }
}
