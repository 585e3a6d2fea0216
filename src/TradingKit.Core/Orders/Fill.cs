using TradingKit.Domain;

namespace TradingKit.Orders;

/// <summary>One execution of (part of) an order, as the venue reported it. Deduplicated by <see cref="TradeId"/>.</summary>
public sealed record Fill
{
    /// <summary>The venue's id of this execution: the dedup key.</summary>
    public required TradeId TradeId { get; init; }

    /// <summary>The order that was filled.</summary>
    public required ClientOrderId ClientOrderId { get; init; }

    /// <summary>The venue's order id, when known.</summary>
    public VenueOrderId? VenueOrderId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>The side of the filled order.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>The quantity of this execution; positive.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The execution price.</summary>
    public required decimal Price { get; init; }

    /// <summary>The fee charged for this execution, in <see cref="FeeCurrency"/>; negative for a rebate.</summary>
    public decimal Fee { get; init; }

    /// <summary>The currency of the fee.</summary>
    public string FeeCurrency { get; init; } = "USD";

    /// <summary>Maker or taker.</summary>
    public LiquiditySide Liquidity { get; init; } = LiquiditySide.Taker;

    /// <summary>The position leg in hedge mode.</summary>
    public PositionSide PositionSide { get; init; } = PositionSide.Both;

    /// <summary>When the venue executed it.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Signed quantity: positive for buys, negative for sells.</summary>
    public decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;

    /// <summary>Price × quantity.</summary>
    public decimal Notional => Price * Quantity;
}
