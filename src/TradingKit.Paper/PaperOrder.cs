using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Paper;

/// <summary>One order as the paper venue holds it. Owned by <see cref="PaperVenue"/> and changed only under its lock.</summary>
internal sealed class PaperOrder
{
    private decimal _filledNotional;

    public PaperOrder(OrderRequest request, VenueOrderId venueOrderId, long sequence, DateTimeOffset acceptedAt, DateTimeOffset? expireAt)
    {
        Request = request;
        VenueOrderId = venueOrderId;
        Sequence = sequence;
        Quantity = request.Quantity;
        LimitPrice = request.LimitPrice;
        StopPrice = request.StopPrice;
        ExpireAt = expireAt;
        UpdatedAt = acceptedAt;
        Status = OrderStatus.Acknowledged;
    }

    public OrderRequest Request { get; }

    public VenueOrderId VenueOrderId { get; }

    /// <summary>Arrival order at the venue: the queue priority, re-set when a modify re-queues the order.</summary>
    public long Sequence { get; set; }

    public ClientOrderId ClientOrderId => Request.ClientOrderId;

    public Symbol Symbol => Request.Symbol;

    public OrderSide Side => Request.Side;

    public OrderType Type => Request.Type;

    public OrderStatus Status { get; set; }

    /// <summary>Counted among the finished orders the venue retains (set once, by the venue's finish step).</summary>
    public bool Finished { get; set; }

    /// <summary>The order that finished next, while this one is retained.</summary>
    public PaperOrder? NextFinished { get; set; }

    public decimal Quantity { get; set; }

    public decimal? LimitPrice { get; set; }

    /// <summary>The trigger price; for a trailing stop, the current stop level once tracking started.</summary>
    public decimal? StopPrice { get; set; }

    public DateTimeOffset? ExpireAt { get; }

    public DateTimeOffset UpdatedAt { get; set; }

    public decimal Filled { get; private set; }

    public decimal Leaves => Quantity - Filled;

    public decimal? AveragePrice => Filled == 0m ? null : _filledNotional / Filled;

    public bool IsTriggered { get; set; }

    /// <summary>A limit order that would have crossed the last known market when it arrived: its first fill takes liquidity.</summary>
    public bool MarketableAtEntry { get; set; }

    /// <summary>Set once the order has been matched against its first market data item after arrival.</summary>
    public bool Evaluated { get; set; }

    /// <summary>Trailing stop: the best price seen since tracking started.</summary>
    public decimal? TrailingBest { get; set; }

    /// <summary>Trailing stop: true once the activation price traded (immediately when it has none).</summary>
    public bool TrailingActive { get; set; }

    public bool IsWorking => Status is OrderStatus.Acknowledged or OrderStatus.Triggered or OrderStatus.PartiallyFilled;

    public bool IsConditional => Type is OrderType.StopMarket or OrderType.StopLimit or OrderType.TakeProfitMarket
        or OrderType.TakeProfitLimit or OrderType.TrailingStop;

    /// <summary>True when the order now fills as a market order: a market order, or a triggered stop/take-profit market or trailing stop.</summary>
    public bool FillsAsMarket => Type == OrderType.Market
        || (IsTriggered && Type is OrderType.StopMarket or OrderType.TakeProfitMarket or OrderType.TrailingStop);

    public void AddFill(decimal quantity, decimal price, DateTimeOffset at)
    {
        Filled += quantity;
        _filledNotional += quantity * price;
        Status = Filled >= Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        UpdatedAt = at;
    }

    public VenueOrderState ToState() => new()
    {
        ClientOrderId = ClientOrderId,
        VenueOrderId = VenueOrderId,
        Symbol = Symbol,
        Side = Side,
        Type = Type,
        Status = Status,
        Quantity = Quantity,
        FilledQuantity = Filled,
        AveragePrice = AveragePrice,
        LimitPrice = LimitPrice,
        StopPrice = StopPrice,
        UpdatedAt = UpdatedAt,
    };
}
