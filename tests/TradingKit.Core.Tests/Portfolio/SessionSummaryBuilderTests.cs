using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.Portfolio;
using static TradingKit.Core.Tests.Portfolio.PortfolioTestKit;

namespace TradingKit.Core.Tests.Portfolio;

public sealed class SessionSummaryBuilderTests
{
    private static readonly Symbol Btc = "BTCUSDT";
    private static readonly Symbol Eth = "ETHUSDT";

    [Fact]
    public void SC011_ClosedRoundTrips_GiveCountWinsLossesWinRateAveragePnlAndMaxLoss()
    {
        var p = New(10_000m);
        var summary = new SessionSummaryBuilder(p, T0);

        // Win: (110 − 100) × 2 − 1 = 19.
        p.ApplyFill(Buy(Btc, 2m, 100m, fee: 0.5m));
        p.ApplyFill(Sell(Btc, 2m, 110m, fee: 0.5m));
        // Loss: (95 − 100) × 1 − 0.2 = −5.2.
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 0.1m));
        p.ApplyFill(Sell(Btc, 1m, 95m, fee: 0.1m));
        // Loss: short (50 − 52) × 3 − 0.3 = −6.3.
        p.ApplyFill(Sell(Eth, 3m, 50m, fee: 0.15m));
        p.ApplyFill(Buy(Eth, 3m, 52m, fee: 0.15m));
        // Breakeven before fees: counts as a loss (net −0.2).
        p.ApplyFill(Buy(Eth, 1m, 60m, fee: 0.1m));
        p.ApplyFill(Sell(Eth, 1m, 60m, fee: 0.1m));
        // Still open: not a trade yet.
        p.ApplyFill(Buy(Btc, 1m, 100m));
        p.Mark(Btc, 104m, T0.AddHours(1));

        var s = summary.Build(T0.AddHours(8));

        Assert.Equal(T0, s.PeriodStart);
        Assert.Equal(T0.AddHours(8), s.PeriodEnd);
        Assert.Equal("USDT", s.Currency);
        Assert.Equal(4, s.Trades);
        Assert.Equal(1, s.Wins);
        Assert.Equal(3, s.Losses);
        Assert.Equal(0.25m, s.WinRate);
        Assert.Equal(19m - 5.2m - 6.3m - 0.2m, s.TradesNetPnl);
        Assert.Equal((19m - 5.2m - 6.3m - 0.2m) / 4m, s.AveragePnl);
        Assert.Equal(-6.3m, s.MaxLoss);
        Assert.Equal(19m, s.MaxWin);
        Assert.Equal(20m - 5m - 6m, s.RealizedPnl);
        Assert.Equal(1.7m, s.TotalFees);
        Assert.Equal(9, s.Fills);
        Assert.Equal(4m, s.UnrealizedPnl);
        Assert.Equal(p.Cash, s.FinalCash);
        Assert.Equal(p.Equity, s.FinalEquity);
        Assert.Equal(10_000m + 9m - 1.7m + 4m, s.FinalEquity);
        Assert.Equal(new Dictionary<string, decimal> { ["BTCUSDT"] = 1m }, s.FinalPositions);
        Assert.Equal(104m, s.LastPrices["BTCUSDT"]);
        Assert.Equal(50m, s.LastPrices["ETHUSDT"]); // never marked: the first fill seeded it
    }

    [Fact]
    public void NoTrades_GiveZeroWinRateAndAverage_NotNaNOrAnError()
    {
        var p = New(500m);
        var s = new SessionSummaryBuilder(p, T0).Build(T0.AddHours(1));

        Assert.Equal(0, s.Trades);
        Assert.Equal(0m, s.WinRate);
        Assert.Equal(0m, s.AveragePnl);
        Assert.Equal(0m, s.MaxLoss);
        Assert.Equal(0m, s.SlippageBps);
        Assert.Equal(0m, s.WorstSlippageBps);
        Assert.Equal(500m, s.FinalEquity);
        Assert.Empty(s.FinalPositions);
    }

    [Fact]
    public void RecordSlippage_CountsAdverseMovesAsCostOnBothSides_InQuoteAndBps()
    {
        var p = New();
        var builder = new SessionSummaryBuilder(p, T0);

        var buy = builder.RecordSlippage(Buy(Btc, 2m, 100.5m), referencePrice: 100m);  // paid 0.5 more: cost 1, 50 bps
        var sell = builder.RecordSlippage(Sell(Btc, 1m, 199m), referencePrice: 200m); // got 1 less: cost 1, 50 bps
        var better = builder.RecordSlippage(Buy(Btc, 1m, 99m), referencePrice: 100m); // price improvement: −1, −100 bps

        Assert.Equal(new SlippageSample(1m, 50m), buy);
        Assert.Equal(new SlippageSample(1m, 50m), sell);
        Assert.Equal(new SlippageSample(-1m, -100m), better);
        var s = builder.Build(T0);
        Assert.Equal(1m, s.TotalSlippage);
        Assert.Equal(3, s.SlippageSamples);
        Assert.Equal(50m, s.WorstSlippageBps);
        Assert.Equal(1m * 10_000m / (200m + 200m + 100m), s.SlippageBps); // weighted by reference notional
    }

    [Fact]
    public void RecordSlippage_WithoutAPositiveReferencePrice_IsRefused()
    {
        var builder = new SessionSummaryBuilder(New(), T0);
        var error = Assert.Throws<TradingKitException>(() => builder.RecordSlippage(Buy(Btc, 1m, 100m), 0m));
        Assert.Equal(PortfolioErrorCodes.InvalidPrice, error.Code);
    }

    [Fact]
    public void Reset_StartsANewPeriod_CountingOnlyItsTradesFeesPnlAndSlippage()
    {
        var p = New(1_000m);
        var builder = new SessionSummaryBuilder(p, T0, SummaryPeriod.TradingDay);
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 1m));
        p.ApplyFill(Sell(Btc, 1m, 90m, fee: 1m));
        builder.RecordSlippage(Sell(Btc, 1m, 90m), 91m);
        p.ApplyFunding(2m, T0);
        var day1 = builder.Build(T0.AddDays(1));
        Assert.Equal(1, day1.Trades);
        Assert.Equal(12m, day1.MaxDrawdown);

        p.StartDay(T0.AddDays(1));
        builder.Reset(T0.AddDays(1));
        p.ApplyFill(Buy(Btc, 1m, 100m, fee: 0.5m, at: T0.AddDays(1)));
        p.ApplyFill(Sell(Btc, 1m, 103m, fee: 0.5m, at: T0.AddDays(1)));
        var day2 = builder.Build(T0.AddDays(2));

        Assert.Equal(T0.AddDays(1), day2.PeriodStart);
        Assert.Equal(1, day2.Trades);
        Assert.Equal(1, day2.Wins);
        Assert.Equal(1m, day2.WinRate);
        Assert.Equal(3m, day2.RealizedPnl);
        Assert.Equal(1m, day2.TotalFees);
        Assert.Equal(0m, day2.Funding);
        Assert.Equal(2, day2.Fills);
        Assert.Equal(0, day2.SlippageSamples);
        Assert.Equal(0m, day2.TotalSlippage);
        Assert.Equal(0.5m, day2.MaxDrawdown); // the day's own drawdown: only the entry fee
        Assert.Equal(12m, p.MaxDrawdown);
    }

    [Fact]
    public void SessionPeriod_ReportsTheSessionDrawdownAcrossDays()
    {
        var p = New(1_000m);
        var builder = new SessionSummaryBuilder(p, T0);
        p.ApplyFill(Buy(Btc, 1m, 100m));
        p.Mark(Btc, 80m, T0);
        p.StartDay(T0.AddDays(1));
        p.Mark(Btc, 100m, T0.AddDays(1));

        var s = builder.Build(T0.AddDays(1));

        Assert.Equal(20m, s.MaxDrawdown);
        Assert.Equal(2m, s.MaxDrawdownPercent);
    }

    [Fact]
    public void FinalPositions_SumHedgeLegsPerSymbol()
    {
        var p = New();
        p.ApplyFill(Buy(Btc, 3m, 100m, side: PositionSide.Long));
        p.ApplyFill(Sell(Btc, 1m, 100m, side: PositionSide.Short));

        var s = new SessionSummaryBuilder(p, T0).Build(T0);

        Assert.Equal(2m, s.FinalPositions["BTCUSDT"]);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    public void RandomSessions_SummaryStatisticsAgreeWithTheClosedTrades(int seed)
    {
        var random = new Random(seed);
        for (var session = 0; session < 300; session++)
        {
            var p = New(50_000m);
            var builder = new SessionSummaryBuilder(p, T0);
            for (var i = 0; i < 40; i++)
            {
                var quantity = random.Next(1, 20);
                var price = random.Next(90, 110);
                var fee = random.Next(0, 3) / 10m;
                p.ApplyFill(random.Next(2) == 0 ? Buy(Btc, quantity, price, fee) : Sell(Btc, quantity, price, fee));
            }

            var s = builder.Build(T0.AddHours(1));
            var trades = p.ClosedTrades;
            var wins = trades.Count(t => t.NetPnl > 0m);
            Assert.Equal(trades.Count, s.Trades);
            Assert.Equal(wins, s.Wins);
            Assert.Equal(s.Trades, s.Wins + s.Losses);
            Assert.Equal(s.Trades == 0 ? 0m : (decimal)wins / s.Trades, s.WinRate);
            Assert.InRange(s.WinRate, 0m, 1m);
            Assert.Equal(trades.Sum(t => t.NetPnl), s.TradesNetPnl);
            Assert.Equal(s.Trades == 0 ? 0m : s.TradesNetPnl / s.Trades, s.AveragePnl);
            Assert.Equal(Math.Min(0m, trades.Select(t => t.NetPnl).DefaultIfEmpty(0m).Min()), s.MaxLoss);
            Assert.Equal(p.RealizedPnl, s.RealizedPnl);
            Assert.Equal(p.TotalFees, s.TotalFees);
        }
    }
}
