using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Portfolio;
using static TradingKit.Core.Tests.Portfolio.PortfolioTestKit;

namespace TradingKit.Core.Tests.Portfolio;

/// <summary>
/// The curve start-up recovery uses to give a resumed session its drawdown back (UC-05): the session's changes of cash
/// and positions, replayed among the marks of the market data it processed, must observe what the live ledger observed.
/// </summary>
public sealed class SessionEquityCurveTests
{
    private static readonly Symbol Aaa = "AAA";
    private static readonly Symbol Bbb = "BBB";

    [Theory]
    [InlineData(7)]
    [InlineData(20261207)]
    public void Replay_OfRandomSessions_GivesThePeakAndMaximumDrawdownTheLiveLedgerHad(int seed)
    {
        var random = new Random(seed);
        for (var session = 0; session < 300; session++)
        {
            var live = New(50_000m);

            // What the account did before the session: carried over into it.
            live.ApplyFill(Buy(Aaa, 10m, 100m, 1m, T0));
            live.Mark(Aaa, 101m, T0);
            var from = T0.AddMinutes(1);
            var curve = live.StartEquityCurve(from);
            live.StartSession();

            var history = new List<MarketDataEvent>();
            var prices = new Dictionary<Symbol, decimal> { [Aaa] = 101m, [Bbb] = 50m };
            for (var minute = 1; minute <= 80; minute++)
            {
                var at = T0.AddMinutes(minute);

                // Two symbols' bars at the same time, as a multi-symbol feed has them; each one's fills come before its mark.
                foreach (var symbol in new[] { Aaa, Bbb })
                {
                    if (random.Next(3) == 0)
                    {
                        var quantity = random.Next(1, 20);
                        var buy = random.Next(2) == 0 || live.GetNetQuantity(symbol) <= 0m;
                        var fill = buy ? Buy(symbol, quantity, prices[symbol], 0.5m, at) : Sell(symbol, Math.Min(quantity, live.GetNetQuantity(symbol)), prices[symbol], 0.5m, at);
                        live.ApplyFill(fill);
                        curve.Add(new SessionEquityCurve.Step(at, symbol, fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity, fill.Price, -((fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity) * fill.Price) - fill.Fee, 0m));
                    }

                    prices[symbol] = Math.Max(1m, prices[symbol] + random.Next(-300, 301) / 100m);
                    live.Mark(symbol, prices[symbol], at);
                    history.Add(new TradeTick(symbol, at, prices[symbol], 1m, true));
                }

                if (random.Next(15) == 0)
                {
                    // Cash that is not PnL moves the peak with it; funding is PnL and does not.
                    live.Deposit(1_000m, at);
                    curve.Add(new SessionEquityCurve.Step(at.AddSeconds(1), null, 0m, 0m, 1_000m, 1_000m));
                    live.ApplyFunding(-12.5m, at);
                    curve.Add(new SessionEquityCurve.Step(at.AddSeconds(1), null, 0m, 0m, -12.5m, 0m));
                }
            }

            foreach (var item in history)
            {
                curve.Mark(item);
            }

            var drawdown = curve.Finish(live, out var why);

            Assert.True(drawdown is not null, why);
            Assert.Equal(live.PeakEquity, drawdown!.Value.Peak);
            Assert.Equal(live.MaxDrawdown, drawdown.Value.MaxDrawdown);
            Assert.Equal(live.MaxDrawdownPercent, drawdown.Value.MaxDrawdownPercent);
        }
    }

    [Fact]
    public void RestoredDrawdown_IsWhatTheLedgerReportsAndMeasuresFrom()
    {
        var live = New(10_000m);
        var curve = live.StartEquityCurve(T0);
        live.ApplyFill(Buy(Aaa, 10m, 100m, 0m, T0.AddMinutes(1)));
        curve.Add(new SessionEquityCurve.Step(T0.AddMinutes(1), Aaa, 10m, 100m, -1_000m, 0m));
        live.Mark(Aaa, 150m, T0.AddMinutes(1));
        live.Mark(Aaa, 120m, T0.AddMinutes(2));

        // Recovery rebuilt a ledger from fill prices only: it never saw the peak at 150.
        var rebuilt = New(10_000m);
        rebuilt.ApplyFill(Buy(Aaa, 10m, 100m, 0m, T0.AddMinutes(1)));
        rebuilt.Mark(Aaa, 120m, T0.AddMinutes(2));
        Assert.Equal(10_200m, rebuilt.PeakEquity);

        curve.Mark(new TradeTick(Aaa, T0.AddMinutes(1), 150m, 1m, true));
        curve.Mark(new TradeTick(Aaa, T0.AddMinutes(2), 120m, 1m, true));
        rebuilt.RestoreSessionDrawdown(curve.Finish(rebuilt, out _)!.Value);

        Assert.Equal(10_500m, rebuilt.PeakEquity);
        Assert.Equal(300m, rebuilt.Drawdown);
        Assert.Equal(300m, rebuilt.MaxDrawdown);
        Assert.Equal(live.RiskView.PeakEquity, rebuilt.RiskView.PeakEquity);
    }

    [Fact]
    public void History_ThatStartsAfterTheSessionsFirstChange_IsRefused()
    {
        var ledger = New(10_000m);
        var curve = ledger.StartEquityCurve(T0);
        ledger.ApplyFill(Buy(Aaa, 10m, 100m, 0m, T0.AddMinutes(1)));
        curve.Add(new SessionEquityCurve.Step(T0.AddMinutes(1), Aaa, 10m, 100m, -1_000m, 0m));

        // Items before the session are skipped; the first one of the session comes after its first fill.
        curve.Mark(new TradeTick(Aaa, T0.AddMinutes(-5), 90m, 1m, true));
        curve.Mark(new TradeTick(Aaa, T0.AddMinutes(3), 110m, 1m, true));

        Assert.Null(curve.Finish(ledger, out var why));
        Assert.Contains("after the session's first change", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_ThatDoesNotEndWhereTheLedgerStands_IsRefused()
    {
        var ledger = New(10_000m);
        var curve = ledger.StartEquityCurve(T0);
        ledger.ApplyFill(Buy(Aaa, 10m, 100m, 0m, T0.AddMinutes(1)));
        ledger.ApplyFee(5m, T0.AddMinutes(1));

        // The fee never reached the curve.
        curve.Add(new SessionEquityCurve.Step(T0.AddMinutes(1), Aaa, 10m, 100m, -1_000m, 0m));
        curve.Mark(new TradeTick(Aaa, T0.AddMinutes(1), 100m, 1m, true));

        Assert.Null(curve.Finish(ledger, out var why));
        Assert.Contains("cash", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_WithNoMarketDataShown_IsRefused_UnlessItChangedNothing()
    {
        var ledger = New(10_000m);
        Assert.NotNull(ledger.StartEquityCurve(T0).Finish(ledger, out _));

        var curve = ledger.StartEquityCurve(T0);
        ledger.ApplyFill(Buy(Aaa, 1m, 100m, 0m, T0.AddMinutes(1)));
        curve.Add(new SessionEquityCurve.Step(T0.AddMinutes(1), Aaa, 1m, 100m, -100m, 0m));

        Assert.Null(curve.Finish(ledger, out var why));
        Assert.Equal("no market data of the session was shown", why);
    }
}
