using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Orders;

/// <summary>
/// Everything a venue needs to place one order. Built by the OMS from an order intent; carries the
/// deterministic <see cref="ClientOrderId"/> that makes every retry idempotent.
/// </summary>
public sealed record OrderRequest
{
    /// <summary>The idempotency key of this order.</summary>
    public required ClientOrderId ClientOrderId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>Buy or sell.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>The order type.</summary>
    public required OrderType Type { get; init; }

    /// <summary>The quantity; positive.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The limit price: required for limit, stop-limit and take-profit-limit orders; null otherwise.</summary>
    public decimal? LimitPrice { get; init; }

    /// <summary>The trigger price: required for stop and take-profit orders; for a trailing stop, the activation price (optional).</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>For a trailing stop, the distance from the best price, in price units.</summary>
    public decimal? TrailingOffset { get; init; }

    /// <summary>How long the order stays working.</summary>
    /// <value>Defaults to <see cref="TimeInForce.Gtc"/>.</value>
    public TimeInForce TimeInForce { get; init; } = TimeInForce.Gtc;

    /// <summary>Expiry for <see cref="TimeInForce.Gtd"/> orders; required then, ignored otherwise.</summary>
    public DateTimeOffset? ExpireAt { get; init; }

    /// <summary>When true the order may only reduce an existing position.</summary>
    public bool ReduceOnly { get; init; }

    /// <summary>The position leg in hedge mode; <see cref="PositionSide.Both"/> in netting mode.</summary>
    public PositionSide PositionSide { get; init; } = PositionSide.Both;

    /// <summary>Checks that the fields make a well-formed order of its type.</summary>
    /// <exception cref="TradingKitException"><c>OMS_IDEMPOTENCY_MISSING</c> without a client order id; <c>INVALID_ORDER_REQUEST</c> otherwise.</exception>
    public void Validate()
    {
        if (ClientOrderId.IsEmpty)
        {
            throw new TradingKitException(ErrorCodes.OmsIdempotencyMissing, "Every order needs a client order id; the OMS generates one per intent.");
        }

        if (Quantity <= 0m)
        {
            Fail($"quantity must be positive, got {Quantity}");
        }

        var needsLimit = Type is OrderType.Limit or OrderType.StopLimit or OrderType.TakeProfitLimit;
        var needsStop = Type is OrderType.StopMarket or OrderType.StopLimit or OrderType.TakeProfitMarket or OrderType.TakeProfitLimit;
        if (needsLimit != LimitPrice.HasValue)
        {
            Fail(needsLimit ? $"a {Type} order needs a limit price" : $"a {Type} order must not carry a limit price");
        }

        if (needsStop && StopPrice is null)
        {
            Fail($"a {Type} order needs a stop (trigger) price");
        }

        if (Type == OrderType.TrailingStop && TrailingOffset is not > 0m)
        {
            Fail("a trailing stop needs a positive trailing offset");
        }

        if (LimitPrice is <= 0m || StopPrice is <= 0m)
        {
            Fail("prices must be positive");
        }

        if (TimeInForce == TimeInForce.Gtd && ExpireAt is null)
        {
            Fail("a GTD order needs an expiry time");
        }

        if (TimeInForce == TimeInForce.PostOnly && Type != OrderType.Limit)
        {
            Fail("post-only applies to limit orders");
        }
    }

    private void Fail(string reason)
        => throw new TradingKitException(ErrorCodes.InvalidOrderRequest, $"Order {ClientOrderId} for {Symbol}: {reason}.");
}

/// <summary>A request to change a working order's quantity and/or price.</summary>
/// <param name="ClientOrderId">The order to change.</param>
/// <param name="Symbol">The order's instrument.</param>
/// <param name="NewQuantity">The new total quantity, or null to keep it.</param>
/// <param name="NewLimitPrice">The new limit price, or null to keep it.</param>
/// <param name="NewStopPrice">The new trigger price, or null to keep it.</param>
public sealed record ModifyRequest(ClientOrderId ClientOrderId, Symbol Symbol, decimal? NewQuantity, decimal? NewLimitPrice, decimal? NewStopPrice = null);
