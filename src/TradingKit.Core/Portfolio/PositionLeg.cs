using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Portfolio;

/// <summary>
/// The mutable state of one position (netting) or one hedge leg, with its open round trip kept inline so that a fill
/// allocates nothing unless it closes a round trip.
/// </summary>
internal sealed class PositionLeg
{
    /// <summary>
    /// The decimal places that split amounts (cost removed by a partial reduce, a flipping fill's fee share) are rounded
    /// to. A fixed scale keeps every later sum exact, so round trips reconcile with realised PnL to the last digit.
    /// </summary>
    internal const int SplitScale = 16;

    public PositionLeg(Symbol symbol, PositionSide side)
    {
        Symbol = symbol;
        Side = side;
    }

    public Symbol Symbol { get; }

    public PositionSide Side { get; }

    public decimal Quantity { get; private set; }

    /// <summary>Signed: the sum of signed quantity × price of the open lots, less the cost removed by reduces.</summary>
    public decimal CostBasis { get; private set; }

    public decimal RealizedPnl { get; private set; }

    public decimal Fees { get; private set; }

    public decimal AveragePrice => Quantity == 0m ? 0m : CostBasis / Quantity;

    // The open round trip.
    private int _tradeSign;
    private DateTimeOffset _tradeEntryTime;
    private decimal _tradeEntryQuantity;
    private decimal _tradeEntryNotional;
    private decimal _tradeExitQuantity;
    private decimal _tradeExitNotional;
    private decimal _tradeMaxQuantity;
    private decimal _tradeEntryFees;
    private decimal _tradeExitFees;
    private decimal _tradeGross;
    private int _tradeFills;

    public decimal OpenTradeRealizedPnl => _tradeGross;

    public decimal OpenTradeFees => _tradeEntryFees + _tradeExitFees;

    /// <summary>Applies a fill to this leg.</summary>
    /// <param name="signedQuantity">Positive buy, negative sell; not 0.</param>
    /// <param name="price">The fill price.</param>
    /// <param name="fee">The fill fee.</param>
    /// <param name="at">The fill time.</param>
    /// <param name="nextSequence">The sequence a closed round trip gets.</param>
    /// <param name="realized">Realised PnL produced.</param>
    /// <param name="costChange">Change of the cost basis.</param>
    /// <param name="closed">The closed round trip, or null.</param>
    /// <returns>True when a round trip was opened.</returns>
    public bool Apply(decimal signedQuantity, decimal price, decimal fee, DateTimeOffset at, int nextSequence,
        out decimal realized, out decimal costChange, out ClosedTrade? closed)
    {
        Fees += fee;
        var quantity = Quantity;
        if (quantity == 0m || (quantity > 0m) == (signedQuantity > 0m))
        {
            var opened = quantity == 0m;
            if (opened)
            {
                OpenTrade(Math.Sign(signedQuantity), at);
            }

            AddEntry(signedQuantity, price, fee);
            realized = 0m;
            costChange = signedQuantity * price;
            closed = null;
            return opened;
        }

        var size = Math.Abs(signedQuantity);
        var held = Math.Abs(quantity);
        var closeQuantity = Math.Min(size, held);
        var rest = size - closeQuantity;
        var closeFee = rest == 0m ? fee : decimal.Round(fee * closeQuantity / size, SplitScale, MidpointRounding.ToEven);
        var removed = closeQuantity == held
            ? CostBasis
            : decimal.Round(CostBasis * closeQuantity / held, SplitScale, MidpointRounding.ToEven);
        var signedClose = quantity > 0m ? -closeQuantity : closeQuantity;

        // Selling q from a long receives q × price and gives up the cost removed; covering a short pays q × price and
        // gives up a negative cost. Both are −(signed close × price) − removed.
        realized = -(signedClose * price) - removed;
        CostBasis -= removed;
        Quantity = quantity + signedClose;
        RealizedPnl += realized;
        _tradeExitQuantity += closeQuantity;
        _tradeExitNotional += closeQuantity * price;
        _tradeExitFees += closeFee;
        _tradeGross += realized;
        _tradeFills++;
        costChange = -removed;
        closed = null;

        if (Quantity != 0m)
        {
            return false;
        }

        closed = CloseTrade(nextSequence, at, rest > 0m);
        if (rest == 0m)
        {
            return false;
        }

        var signedRest = signedQuantity > 0m ? rest : -rest;
        OpenTrade(Math.Sign(signedRest), at);
        AddEntry(signedRest, price, fee - closeFee);
        costChange += signedRest * price;
        return true;
    }

    public PositionSnapshot Snapshot(decimal lastPrice) => new()
    {
        Symbol = Symbol,
        Side = Side,
        Quantity = Quantity,
        AveragePrice = AveragePrice,
        CostBasis = CostBasis,
        RealizedPnl = RealizedPnl,
        Fees = Fees,
        LastPrice = lastPrice,
        UnrealizedPnl = Quantity == 0m ? 0m : (Quantity * lastPrice) - CostBasis,
        OpenTradeRealizedPnl = _tradeGross,
        OpenTradeFees = OpenTradeFees,
    };

    private void AddEntry(decimal signedQuantity, decimal price, decimal fee)
    {
        var size = Math.Abs(signedQuantity);
        Quantity += signedQuantity;
        CostBasis += signedQuantity * price;
        _tradeEntryQuantity += size;
        _tradeEntryNotional += size * price;
        _tradeEntryFees += fee;
        _tradeFills++;
        var held = Math.Abs(Quantity);
        if (held > _tradeMaxQuantity)
        {
            _tradeMaxQuantity = held;
        }
    }

    private void OpenTrade(int sign, DateTimeOffset at)
    {
        _tradeSign = sign;
        _tradeEntryTime = at;
        _tradeEntryQuantity = 0m;
        _tradeEntryNotional = 0m;
        _tradeExitQuantity = 0m;
        _tradeExitNotional = 0m;
        _tradeMaxQuantity = 0m;
        _tradeEntryFees = 0m;
        _tradeExitFees = 0m;
        _tradeGross = 0m;
        _tradeFills = 0;
    }

    private ClosedTrade CloseTrade(int sequence, DateTimeOffset at, bool byFlip)
    {
        var trade = new ClosedTrade
        {
            Sequence = sequence,
            Symbol = Symbol,
            PositionSide = Side,
            Direction = _tradeSign > 0 ? TradeDirection.Long : TradeDirection.Short,
            MaxQuantity = _tradeMaxQuantity,
            Quantity = _tradeEntryQuantity,
            EntryTime = _tradeEntryTime,
            AverageEntryPrice = _tradeEntryNotional / _tradeEntryQuantity,
            ExitTime = at,
            AverageExitPrice = _tradeExitNotional / _tradeExitQuantity,
            EntryFees = _tradeEntryFees,
            ExitFees = _tradeExitFees,
            GrossPnl = _tradeGross,
            FillCount = _tradeFills,
            ClosedByFlip = byFlip,
        };

        // A flat leg has no open round trip: clear it so snapshots of a flat position show zeros.
        OpenTrade(0, default);
        return trade;
    }
}
