using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Commands;

/// <summary>
/// Place an order by hand. It passes the same risk guard and kill switch as strategy orders. Type name
/// <c>place_order</c>.
/// </summary>
public sealed record PlaceOrder : ITradingCommand
{
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

    /// <summary>The client order id to use; null to let the engine derive one from the command id.</summary>
    public required ClientOrderId? ClientOrderId { get; init; }

    /// <summary>The order request this command asks for.</summary>
    /// <param name="clientOrderId">The id to use when <see cref="ClientOrderId"/> is null.</param>
    /// <returns>The request (not yet validated).</returns>
    public OrderRequest ToRequest(ClientOrderId clientOrderId) => new()
    {
        ClientOrderId = ClientOrderId ?? clientOrderId,
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

/// <summary>Cancel one order. Type name <c>cancel_order</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="Reason">Why.</param>
public sealed record CancelOrder(ClientOrderId ClientOrderId, Symbol Symbol, string Reason) : ITradingCommand;

/// <summary>Change a working order's quantity or prices; null fields are unchanged. Type name <c>modify_order</c>.</summary>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="NewQuantity">The new total quantity, or null.</param>
/// <param name="NewLimitPrice">The new limit price, or null.</param>
/// <param name="NewStopPrice">The new trigger price, or null.</param>
public sealed record ModifyOrder(ClientOrderId ClientOrderId, Symbol Symbol, decimal? NewQuantity, decimal? NewLimitPrice, decimal? NewStopPrice) : ITradingCommand
{
    /// <summary>The modify request this command asks for.</summary>
    /// <returns>The request.</returns>
    public ModifyRequest ToRequest() => new(ClientOrderId, Symbol, NewQuantity, NewLimitPrice, NewStopPrice);
}

/// <summary>Close a position (all of it, or part) with a reduce-only market order. Type name <c>close_position</c>.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="PositionSide">The position leg (<c>BOTH</c> in netting mode).</param>
/// <param name="Quantity">How much to close, or null for all of it.</param>
/// <param name="Reason">Why.</param>
public sealed record ClosePosition(Symbol Symbol, PositionSide PositionSide, decimal? Quantity, string Reason) : ITradingCommand;

/// <summary>Set the leverage of a futures symbol. Type name <c>set_leverage</c>.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Leverage">The leverage, 1 or more.</param>
public sealed record SetLeverage(Symbol Symbol, int Leverage) : ITradingCommand;
