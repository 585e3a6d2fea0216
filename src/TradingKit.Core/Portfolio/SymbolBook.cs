using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Portfolio;

/// <summary>Everything the portfolio keeps about one symbol: its last price and its netting position or hedge legs.</summary>
internal sealed class SymbolBook
{
    public SymbolBook(Symbol symbol)
    {
        Symbol = symbol;
    }

    public Symbol Symbol { get; }

    public bool HasPrice { get; private set; }

    public decimal LastPrice { get; private set; }

    public DateTimeOffset LastPriceAt { get; private set; }

    /// <summary>The sum of the legs' signed quantities.</summary>
    public decimal NetQuantity { get; set; }

    public PositionLeg? Both { get; private set; }

    public PositionLeg? Long { get; private set; }

    public PositionLeg? Short { get; private set; }

    public void SetPrice(decimal price, DateTimeOffset at)
    {
        LastPrice = price;
        LastPriceAt = at;
        HasPrice = true;
    }

    public PositionLeg? Find(PositionSide side) => side switch
    {
        PositionSide.Long => Long,
        PositionSide.Short => Short,
        _ => Both,
    };

    public PositionLeg GetOrAdd(PositionSide side) => side switch
    {
        PositionSide.Long => Long ??= new PositionLeg(Symbol, PositionSide.Long),
        PositionSide.Short => Short ??= new PositionLeg(Symbol, PositionSide.Short),
        _ => Both ??= new PositionLeg(Symbol, PositionSide.Both),
    };
}
