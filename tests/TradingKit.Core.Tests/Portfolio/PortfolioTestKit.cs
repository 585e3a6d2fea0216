using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Portfolio;

namespace TradingKit.Core.Tests.Portfolio;

/// <summary>Builds fills and portfolios for the portfolio tests.</summary>
internal static class PortfolioTestKit
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static long _tradeIds;

    public static TradingKit.Portfolio.PortfolioLedger New(decimal cash = 10_000m, TimeSpan? dayRoll = null)
        => new(new PortfolioOptions { InitialCash = cash, Currency = "USDT", DayRollTimeUtc = dayRoll });

    public static Fill Buy(Symbol symbol, decimal quantity, decimal price, decimal fee = 0m, DateTimeOffset? at = null,
        PositionSide side = PositionSide.Both)
        => Make(symbol, OrderSide.Buy, quantity, price, fee, at, side);

    public static Fill Sell(Symbol symbol, decimal quantity, decimal price, decimal fee = 0m, DateTimeOffset? at = null,
        PositionSide side = PositionSide.Both)
        => Make(symbol, OrderSide.Sell, quantity, price, fee, at, side);

    public static Fill Make(Symbol symbol, OrderSide orderSide, decimal quantity, decimal price, decimal fee, DateTimeOffset? at,
        PositionSide side)
    {
        var id = Interlocked.Increment(ref _tradeIds);
        return new Fill
        {
            TradeId = new TradeId($"t{id}"),
            ClientOrderId = new ClientOrderId($"c{id}"),
            Symbol = symbol,
            Side = orderSide,
            Quantity = quantity,
            Price = price,
            Fee = fee,
            FeeCurrency = "USDT",
            PositionSide = side,
            Timestamp = at ?? T0,
        };
    }

    /// <summary>initial cash + realised + unrealised − fees + funding + deposits: what equity must equal.</summary>
    public static decimal EquityFromPnl(TradingKit.Portfolio.PortfolioLedger p)
        => p.InitialCash + p.RealizedPnl + p.UnrealizedPnl - p.TotalFees + p.TotalFunding + p.NetDeposits;
}
