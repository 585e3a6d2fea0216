using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.Portfolio;
using static TradingKit.Core.Tests.Portfolio.PortfolioTestKit;

namespace TradingKit.Core.Tests.Portfolio;

public sealed class PortfolioTests
{
    private static readonly Symbol Btc = "BTCUSDT";
    private static readonly Symbol Eth = "ETHUSDT";

    [Fact]
    public void Long_OpenAddPartialReduceClose_FollowsAverageCostArithmetic()
    {
        var p = New(10_000m);

        var open = p.ApplyFill(Buy(Btc, 10m, 100m, fee: 1m));
        Assert.True(open.OpenedTrade);
        Assert.Equal(8_999m, p.Cash);
        Assert.Equal(100m, p.GetPosition(Btc).AveragePrice);
        Assert.Equal(9_999m, p.Equity);

        p.ApplyFill(Buy(Btc, 10m, 110m, fee: 1m));
        var added = p.GetPosition(Btc);
        Assert.Equal(20m, added.Quantity);
        Assert.Equal(105m, added.AveragePrice);
        Assert.Equal(7_898m, p.Cash);
        Assert.Equal(-100m, p.UnrealizedPnl); // still marked at the first fill's price, 100

        p.Mark(Btc, 120m, T0.AddMinutes(1));
        Assert.Equal(300m, p.UnrealizedPnl);
        Assert.Equal(10_298m, p.Equity);

        var reduce = p.ApplyFill(Sell(Btc, 5m, 120m, fee: 0.5m));
        Assert.Equal(75m, reduce.RealizedPnl);
        Assert.Null(reduce.ClosedTrade);
        var reduced = p.GetPosition(Btc);
        Assert.Equal(15m, reduced.Quantity);
        Assert.Equal(105m, reduced.AveragePrice);
        Assert.Equal(225m, reduced.UnrealizedPnl);
        Assert.Equal(8_497.5m, p.Cash);

        var close = p.ApplyFill(Sell(Btc, 15m, 110m, fee: 1.5m, at: T0.AddMinutes(5)));
        Assert.Equal(75m, close.RealizedPnl);
        Assert.Equal(0m, close.Quantity);
        Assert.Equal(150m, p.RealizedPnl);
        Assert.Equal(4m, p.TotalFees);
        Assert.Equal(10_146m, p.Cash);
        Assert.Equal(10_146m, p.Equity);
        Assert.Equal(0m, p.UnrealizedPnl);
        Assert.Equal(0m, p.GetPosition(Btc).AveragePrice);

        var trade = Assert.IsType<ClosedTrade>(close.ClosedTrade);
        Assert.Equal(TradeDirection.Long, trade.Direction);
        Assert.Equal("long", trade.SideName);
        Assert.Equal(20m, trade.MaxQuantity);
        Assert.Equal(20m, trade.Quantity);
        Assert.Equal(105m, trade.AverageEntryPrice);
        Assert.Equal(112.5m, trade.AverageExitPrice);
        Assert.Equal(T0, trade.EntryTime);
        Assert.Equal(T0.AddMinutes(5), trade.ExitTime);
        Assert.Equal(2m, trade.EntryFees);
        Assert.Equal(2m, trade.ExitFees);
        Assert.Equal(150m, trade.GrossPnl);
        Assert.Equal(146m, trade.NetPnl);
        Assert.Equal(4, trade.FillCount);
        Assert.Equal(1, trade.Sequence);
        Assert.False(trade.ClosedByFlip);
        Assert.Single(p.ClosedTrades);
    }

    [Fact]
    public void Short_OpenAddCover_RealisesAverageMinusExit()
    {
        var p = New(1_000m);
        p.ApplyFill(Sell(Eth, 4m, 50m, fee: 0.2m));
        p.ApplyFill(Sell(Eth, 4m, 60m, fee: 0.2m));
        var held = p.GetPosition(Eth);
        Assert.Equal(-8m, held.Quantity);
        Assert.Equal(55m, held.AveragePrice);
        Assert.Equal(1_439.6m, p.Cash);

        p.Mark(Eth, 52m, T0);
        Assert.Equal(24m, p.UnrealizedPnl);
        Assert.Equal(1_023.6m, p.Equity);

        var cover = p.ApplyFill(Buy(Eth, 8m, 45m, fee: 0.2m));
        Assert.Equal(80m, cover.RealizedPnl);
        Assert.Equal(1_079.4m, p.Cash);
        var trade = Assert.IsType<ClosedTrade>(cover.ClosedTrade);
        Assert.Equal(TradeDirection.Short, trade.Direction);
        Assert.Equal(55m, trade.AverageEntryPrice);
        Assert.Equal(45m, trade.AverageExitPrice);
        Assert.Equal(80m, trade.GrossPnl);
        Assert.Equal(0.6m, trade.Fees);
        Assert.Equal(79.4m, trade.NetPnl);
    }

    [Fact]
    public void Flip_LongToShortInOneFill_ClosesOneTradeAtTheFillPriceAndOpensTheNext()
    {
        var p = New(10_000m);
        p.ApplyFill(Buy(Btc, 10m, 100m, fee: 1m, at: T0));

        var flip = p.ApplyFill(Sell(Btc, 15m, 110m, fee: 3m, at: T0.AddMinutes(1)));

        Assert.Equal(10m, flip.PreviousQuantity);
        Assert.Equal(-5m, flip.Quantity);
        Assert.Equal(100m, flip.RealizedPnl);
        Assert.True(flip.OpenedTrade);
        var closed = Assert.IsType<ClosedTrade>(flip.ClosedTrade);
        Assert.True(closed.ClosedByFlip);
        Assert.Equal(10m, closed.Quantity);
        Assert.Equal(110m, closed.AverageExitPrice);
        Assert.Equal(1m, closed.EntryFees);
        Assert.Equal(2m, closed.ExitFees); // 10 of the fill's 15 carry 2 of its 3 fee
        Assert.Equal(97m, closed.NetPnl);

        var after = p.GetPosition(Btc);
        Assert.Equal(-5m, after.Quantity);
        Assert.Equal(110m, after.AveragePrice);
        Assert.Equal(1m, after.OpenTradeFees);
        Assert.Equal(0m, after.OpenTradeRealizedPnl);
        Assert.Equal(10_646m, p.Cash);

        var cover = p.ApplyFill(Buy(Btc, 5m, 100m, fee: 0.5m, at: T0.AddMinutes(2)));
        var second = Assert.IsType<ClosedTrade>(cover.ClosedTrade);
        Assert.Equal(TradeDirection.Short, second.Direction);
        Assert.Equal(T0.AddMinutes(1), second.EntryTime);
        Assert.Equal(110m, second.AverageEntryPrice);
        Assert.Equal(5m, second.Quantity);
        Assert.Equal(50m, second.GrossPnl);
        Assert.Equal(1.5m, second.Fees);
        Assert.Equal(2, second.Sequence);
        Assert.Equal(2, second.FillCount);
        Assert.Equal(closed.NetPnl + second.NetPnl, p.RealizedPnl - p.FillFees);
    }

    [Fact]
    public void Fees_FromFillsAndApplyFee_ReduceCashAndAccumulate_RebatesAddCash()
    {
        var p = New(1_000m);
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 0.4m));
        p.ApplyFill(Sell(Btc, 1m, 100m, fee: -0.1m)); // maker rebate
        p.ApplyFee(2m, T0);

        Assert.Equal(0.3m, p.FillFees);
        Assert.Equal(2m, p.OtherFees);
        Assert.Equal(2.3m, p.TotalFees);
        Assert.Equal(997.7m, p.Cash);
        Assert.Equal(-0.3m, p.ClosedTrades[0].NetPnl);
        Assert.Equal(p.Equity, EquityFromPnl(p));
    }

    [Fact]
    public void HedgeMode_TwoLegsOfOneSymbol_AreKeptApartAndNetted()
    {
        var p = New(10_000m);
        p.ApplyFill(Buy(Btc, 2m, 100m, side: PositionSide.Long));
        p.ApplyFill(Sell(Btc, 1m, 101m, side: PositionSide.Short));

        Assert.Equal(2m, p.GetPosition(Btc, PositionSide.Long).Quantity);
        Assert.Equal(-1m, p.GetPosition(Btc, PositionSide.Short).Quantity);
        Assert.Equal(0m, p.GetPosition(Btc).Quantity);
        Assert.Equal(1m, p.GetNetQuantity(Btc));
        Assert.Equal(2, p.Positions.Count);

        p.Mark(Btc, 105m, T0);
        Assert.Equal(10m, p.GetPosition(Btc, PositionSide.Long).UnrealizedPnl);
        Assert.Equal(-4m, p.GetPosition(Btc, PositionSide.Short).UnrealizedPnl);
        Assert.Equal(6m, p.UnrealizedPnl);

        var close = p.ApplyFill(Sell(Btc, 2m, 105m, side: PositionSide.Long));
        Assert.Equal(10m, close.RealizedPnl);
        Assert.Equal(PositionSide.Long, close.ClosedTrade!.PositionSide);
        Assert.Equal(-1m, p.GetNetQuantity(Btc));
        Assert.Equal(-4m, p.UnrealizedPnl);
    }

    [Fact]
    public void HedgeMode_FillThatWouldCrossALeg_IsRefusedAndChangesNothing()
    {
        var p = New(10_000m);
        p.ApplyFill(Buy(Btc, 1m, 100m, side: PositionSide.Long));
        var cash = p.Cash;

        var error = Assert.Throws<TradingKitException>(() => p.ApplyFill(Sell(Btc, 2m, 100m, side: PositionSide.Long)));
        Assert.Equal(PortfolioErrorCodes.HedgeLegCrossed, error.Code);
        Assert.Throws<TradingKitException>(() => p.ApplyFill(Buy(Btc, 1m, 100m, side: PositionSide.Short)));

        Assert.Equal(1m, p.GetPosition(Btc, PositionSide.Long).Quantity);
        Assert.Equal(0m, p.GetPosition(Btc, PositionSide.Short).Quantity);
        Assert.Equal(cash, p.Cash);
        Assert.Equal(1, p.FillCount);
    }

    [Fact]
    public void Mark_RevaluesOpenPositions_AndAFillDoesNotOverrideAMarkedPrice()
    {
        var p = New(10_000m);
        p.Mark(Btc, 100m, T0);
        p.ApplyFill(Buy(Btc, 3m, 101m));

        Assert.True(p.TryGetLastPrice(Btc, out var last, out var at));
        Assert.Equal(100m, last);
        Assert.Equal(T0, at);
        Assert.Equal(-3m, p.UnrealizedPnl); // the 1 paid above the market shows at once
        Assert.Equal(9_997m, p.Equity);

        p.Mark(Btc, 110m, T0.AddSeconds(1));
        Assert.Equal(27m, p.GetPosition(Btc).UnrealizedPnl);
        Assert.Equal(110m, p.LastPrices[Btc]);
        Assert.False(p.TryGetLastPrice(Eth, out _, out _));
    }

    [Fact]
    public void Drawdown_TracksPeakAndTheLargestDropInAmountAndPercent()
    {
        var p = New(1_000m);
        p.ApplyFill(Buy(Btc, 10m, 100m));

        p.Mark(Btc, 110m, T0); // equity 1100, the peak
        p.Mark(Btc, 90m, T0);  // 900: drop 200 = 18.18 %
        Assert.Equal(1_100m, p.PeakEquity);
        Assert.Equal(200m, p.MaxDrawdown);
        Assert.Equal(200m * 100m / 1_100m, p.MaxDrawdownPercent);

        p.Mark(Btc, 120m, T0); // 1200, new peak
        p.Mark(Btc, 105m, T0); // 1050: drop 150, smaller
        Assert.Equal(1_200m, p.PeakEquity);
        Assert.Equal(150m, p.Drawdown);
        Assert.Equal(200m, p.MaxDrawdown);

        p.Mark(Btc, 60m, T0);  // 600: drop 600 = 50 %
        Assert.Equal(600m, p.MaxDrawdown);
        Assert.Equal(50m, p.MaxDrawdownPercent);
        Assert.Equal(600m, p.RiskView.Drawdown);
    }

    [Fact]
    public void Drawdown_IsUpdatedByFillFees()
    {
        var p = New(1_000m);
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 5m));
        Assert.Equal(5m, p.MaxDrawdown);
        Assert.Equal(1_000m, p.PeakEquity);
    }

    [Fact]
    public void Funding_MovesCashAndCountsAsDailyPnl()
    {
        var p = New(1_000m);
        p.ApplyFunding(5m, T0);
        p.ApplyFunding(-2m, T0);

        Assert.Equal(1_003m, p.Cash);
        Assert.Equal(3m, p.TotalFunding);
        Assert.Equal(3m, p.DailyRealizedPnl);
        Assert.Equal(p.Equity, EquityFromPnl(p));
    }

    [Fact]
    public void DepositAndWithdraw_MoveCashAndPeak_ButNotDrawdown()
    {
        var p = New(1_000m);
        p.ApplyFill(Buy(Btc, 10m, 100m));
        p.Mark(Btc, 90m, T0);
        Assert.Equal(100m, p.Drawdown);

        p.Deposit(500m, T0);
        Assert.Equal(500m, p.Cash);
        Assert.Equal(1_500m, p.PeakEquity);
        Assert.Equal(100m, p.Drawdown);

        p.Withdraw(200m, T0);
        Assert.Equal(300m, p.Cash);
        Assert.Equal(100m, p.Drawdown);
        Assert.Equal(300m, p.NetDeposits);
        Assert.Equal(0m, p.DailyRealizedPnl);
        Assert.Equal(p.Equity, EquityFromPnl(p));

        Assert.Equal(PortfolioErrorCodes.InvalidAmount, Assert.Throws<TradingKitException>(() => p.Deposit(0m, T0)).Code);
        Assert.Equal(PortfolioErrorCodes.InvalidAmount, Assert.Throws<TradingKitException>(() => p.Withdraw(-1m, T0)).Code);
    }

    [Fact]
    public void DailyRealizedPnl_IsNetOfFees_AndResetsAtTheConfiguredUtcDayRoll()
    {
        var p = New(10_000m, dayRoll: TimeSpan.Zero);
        var day1 = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 1m, at: day1));
        p.ApplyFill(Sell(Btc, 1m, 110m, fee: 1m, at: day1.AddHours(1)));

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), p.DayStart);
        Assert.Equal(8m, p.DailyRealizedPnl);
        Assert.Equal(8m, p.RiskView.DailyRealizedPnl);
        var midnight = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        Assert.False(p.IsDayRollDue(midnight.AddTicks(-1)));
        Assert.True(p.IsDayRollDue(midnight));

        p.Mark(Btc, 120m, midnight.AddMinutes(1));

        Assert.Equal(midnight, p.DayStart);
        Assert.Equal(midnight.AddDays(1), p.NextDayStart);
        Assert.Equal(0m, p.DailyRealizedPnl);
        Assert.Equal(10m, p.RealizedPnl);
    }

    [Fact]
    public void DayRoll_HonoursALocalOffsetInTheInputTime()
    {
        // 22:00 UTC roll; 08:30 at +09:00 is 23:30 UTC, which is already the next trading day.
        var p = New(1_000m, dayRoll: TimeSpan.FromHours(22));
        p.ApplyFunding(1m, new DateTimeOffset(2026, 3, 2, 8, 30, 0, TimeSpan.FromHours(9)));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 22, 0, 0, TimeSpan.Zero), p.DayStart);
    }

    [Fact]
    public void StartDay_ResetsDailyPnlAndDayDrawdown_ButNotSessionFigures()
    {
        var p = New(1_000m);
        p.ApplyFill(Buy(Btc, 10m, 100m));
        p.Mark(Btc, 80m, T0);
        p.ApplyFill(Sell(Btc, 5m, 80m));
        Assert.Equal(-100m, p.DailyRealizedPnl);
        Assert.Equal(200m, p.DayMaxDrawdown);
        Assert.Null(p.NextDayStart);

        p.StartDay(T0.AddDays(1));

        Assert.Equal(T0.AddDays(1), p.DayStart);
        Assert.Equal(0m, p.DailyRealizedPnl);
        Assert.Equal(0m, p.DayMaxDrawdown);
        Assert.Equal(p.Equity, p.DayPeakEquity);
        Assert.Equal(200m, p.MaxDrawdown);
        Assert.Equal(-100m, p.RealizedPnl);
        Assert.False(p.IsDayRollDue(T0.AddDays(5)));
    }

    [Fact]
    public void RiskView_CarriesTheFiguresTheGuardReads()
    {
        var p = New(1_000m);
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 1m));
        p.Mark(Btc, 90m, T0);

        var view = p.RiskView;
        Assert.Equal(p.Cash, view.Cash);
        Assert.Equal(989m, view.Equity);
        Assert.Equal(1_000m, view.PeakEquity);
        Assert.Equal(-1m, view.DailyRealizedPnl);
        Assert.Equal(-10m, view.UnrealizedPnl);
        Assert.Equal(11m, view.DailyLoss);
    }

    [Fact]
    public void GetPosition_OfAnUnknownSymbol_IsFlat()
    {
        var p = New();
        var position = p.GetPosition(Eth);
        Assert.True(position.IsFlat);
        Assert.Equal(Eth, position.Symbol);
        Assert.Empty(p.Positions);
        Assert.Empty(p.AllPositions);
    }

    [Fact]
    public void Positions_ListOpenLegs_AllPositionsAlsoFlatOnesWithTheirRealisedPnl()
    {
        var p = New();
        p.ApplyFill(Buy(Btc, 1m, 100m));
        p.ApplyFill(Sell(Btc, 1m, 130m));
        p.ApplyFill(Buy(Eth, 2m, 10m));

        var open = Assert.Single(p.Positions);
        Assert.Equal(Eth, open.Symbol);
        var btc = Assert.Single(p.AllPositions, x => x.Symbol == Btc);
        Assert.Equal(30m, btc.RealizedPnl);
        Assert.True(btc.IsFlat);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(-1, 100)]
    [InlineData(1, 0)]
    [InlineData(1, -5)]
    public void ApplyFill_WithNonPositiveQuantityOrPrice_IsRefused(int quantity, int price)
    {
        var p = New();
        var error = Assert.Throws<TradingKitException>(() => p.ApplyFill(Buy(Btc, quantity, price)));
        Assert.Equal(PortfolioErrorCodes.InvalidFill, error.Code);
        Assert.Equal(0, p.FillCount);
        Assert.Equal(10_000m, p.Cash);
    }

    [Fact]
    public void Mark_WithNonPositivePrice_IsRefused()
    {
        var p = New();
        Assert.Equal(PortfolioErrorCodes.InvalidPrice, Assert.Throws<TradingKitException>(() => p.Mark(Btc, 0m, T0)).Code);
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Equal(ErrorCodes.InvalidOptions, Assert.Throws<TradingKitException>(() => New(-1m)).Code);
        Assert.Throws<TradingKitException>(() => New(1m, dayRoll: TimeSpan.FromHours(24)));
        Assert.Throws<TradingKitException>(() => new TradingKit.Portfolio.PortfolioLedger(1m, " "));
    }

    [Fact]
    public void PartialReduce_KeepsTheAveragePrice_WhenItDoesNotDivideEvenly()
    {
        var p = New();
        p.ApplyFill(Buy(Btc, 1m, 100m));
        p.ApplyFill(Buy(Btc, 2m, 101m)); // average 100.666...
        var before = p.GetPosition(Btc).AveragePrice;

        var reduce = p.ApplyFill(Sell(Btc, 1m, 102m));
        var after = p.GetPosition(Btc).AveragePrice;

        Assert.True(Math.Abs(after - before) < 1e-14m, $"{before} -> {after}");
        Assert.True(Math.Abs(reduce.RealizedPnl - ((102m - before) * 1m)) < 1e-14m);
        var close = p.ApplyFill(Sell(Btc, 2m, 99m));
        Assert.Equal((1m * 102m) + (2m * 99m) - 302m, close.ClosedTrade!.GrossPnl); // exact over the round trip
        Assert.Equal(p.RealizedPnl, close.ClosedTrade.GrossPnl);
    }
}
