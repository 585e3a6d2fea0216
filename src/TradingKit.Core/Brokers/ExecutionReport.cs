using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Brokers;

/// <summary>What an execution report says happened.</summary>
public enum ExecutionKind
{
    /// <summary>The venue accepted the order.</summary>
    Accepted = 1,

    /// <summary>The venue refused the order.</summary>
    Rejected = 2,

    /// <summary>A stop or take-profit order's trigger price traded.</summary>
    Triggered = 3,

    /// <summary>(Part of) the order filled; <see cref="ExecutionReport.Fill"/> is set.</summary>
    Trade = 4,

    /// <summary>The order was cancelled.</summary>
    Cancelled = 5,

    /// <summary>The order expired (IOC/FOK remainder, GTD, DAY).</summary>
    Expired = 6,

    /// <summary>A modify was applied.</summary>
    Updated = 7,

    /// <summary>A cancel request was refused; the order keeps working.</summary>
    CancelRejected = 8,

    /// <summary>A modify request was refused; the order keeps its previous terms.</summary>
    UpdateRejected = 9,
}

/// <summary>Something that came from the venue: an execution report or a connection change.</summary>
/// <param name="Timestamp">When the venue (or adapter) produced it.</param>
public abstract record VenueEvent(DateTimeOffset Timestamp);

/// <summary>One report about one order from the venue. The venue is the truth.</summary>
/// <param name="Timestamp">When the venue produced it.</param>
public sealed record ExecutionReport(DateTimeOffset Timestamp) : VenueEvent(Timestamp)
{
    /// <summary>What happened.</summary>
    public required ExecutionKind Kind { get; init; }

    /// <summary>The order's client id.</summary>
    public required ClientOrderId ClientOrderId { get; init; }

    /// <summary>The venue's id of the order, when known.</summary>
    public VenueOrderId? VenueOrderId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>The order's side.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>The order's status at the venue after this report.</summary>
    public required OrderStatus Status { get; init; }

    /// <summary>The order's quantity at the venue.</summary>
    public decimal OrderQuantity { get; init; }

    /// <summary>The total filled so far at the venue.</summary>
    public decimal CumulativeQuantity { get; init; }

    /// <summary>The execution, when <see cref="Kind"/> is <see cref="ExecutionKind.Trade"/>.</summary>
    public Fill? Fill { get; init; }

    /// <summary>The venue's reason (reject code and text, cancel reason), when it gave one.</summary>
    public string? Reason { get; init; }

    /// <summary>True when the venue created the order itself (liquidation, ADL, settlement).</summary>
    public bool IsExternal { get; init; }
}

/// <summary>The connection to a venue changed state.</summary>
/// <param name="Timestamp">When it changed.</param>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why, when known.</param>
public sealed record ConnectionStateChanged(DateTimeOffset Timestamp, Connectivity.ConnectionState State, string? Reason = null) : VenueEvent(Timestamp);

/// <summary>The state of an order as the venue knows it; the answer to a query.</summary>
public sealed record VenueOrderState
{
    /// <summary>The order's client id.</summary>
    public required ClientOrderId ClientOrderId { get; init; }

    /// <summary>The venue's id.</summary>
    public VenueOrderId? VenueOrderId { get; init; }

    /// <summary>The instrument.</summary>
    public required Symbol Symbol { get; init; }

    /// <summary>The side.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>The order type.</summary>
    public OrderType Type { get; init; } = OrderType.Limit;

    /// <summary>The status at the venue.</summary>
    public required OrderStatus Status { get; init; }

    /// <summary>The order's quantity.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The quantity filled so far.</summary>
    public decimal FilledQuantity { get; init; }

    /// <summary>The average fill price, or null when nothing filled.</summary>
    public decimal? AveragePrice { get; init; }

    /// <summary>The limit price, when the order has one.</summary>
    public decimal? LimitPrice { get; init; }

    /// <summary>The trigger price, when the order has one.</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>When the venue last changed it.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A position as the venue reports it.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Quantity">Signed quantity: positive long, negative short.</param>
/// <param name="AveragePrice">Average entry price.</param>
/// <param name="PositionSide">The leg in hedge mode.</param>
/// <param name="UnrealizedPnl">The venue's unrealised PnL, when reported.</param>
public sealed record VenuePosition(Symbol Symbol, decimal Quantity, decimal AveragePrice, PositionSide PositionSide = PositionSide.Both, decimal? UnrealizedPnl = null);

/// <summary>A balance of one asset.</summary>
/// <param name="Asset">The asset or currency.</param>
/// <param name="Total">The total (wallet) balance.</param>
/// <param name="Available">What can be used for new orders.</param>
public sealed record Balance(string Asset, decimal Total, decimal Available)
{
    /// <summary>What is held by open orders or margin.</summary>
    public decimal Locked => Total - Available;
}
