using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Portfolio;
using static TradingKit.Core.Tests.Portfolio.PortfolioTestKit;

namespace TradingKit.Core.Tests.Portfolio;

/// <summary>
/// Random fill, mark and cash sequences (seeded, so a failure reproduces) checked against the accounting identities
/// and against a small independent model of cash and quantities.
/// </summary>
public sealed class PortfolioPropertyTests
{
    private const int Sequences = 1_000;
    private const int StepsPerSequence = 60;

    private static readonly Symbol[] NettingSymbols = ["AAA", "BBB"];
    private static readonly Symbol HedgeSymbol = "HHH";

    [Theory]
    [InlineData(1)]
    [InlineData(20260302)]
    public void RandomSequences_KeepEveryAccountingIdentity(int seed)
    {
        var random = new Random(seed);
        for (var sequence = 0; sequence < Sequences; sequence++)
        {
            RunOne(random, sequence);
        }
    }

    private static void RunOne(Random random, int sequence)
    {
        var initial = random.Next(0, 100_000);
        var p = New(initial);
        var expectedCash = (decimal)initial;
        var expectedQuantity = new Dictionary<(Symbol, PositionSide), decimal>();
        var at = T0;

        for (var step = 0; step < StepsPerSequence; step++)
        {
            at = at.AddSeconds(random.Next(1, 600));
            var what = random.Next(100);
            var context = new StepContext(sequence, step);
            if (what < 60)
            {
                var fill = RandomFill(random, p, at);
                var key = (fill.Symbol, fill.PositionSide);
                var before = p.GetPosition(fill.Symbol, fill.PositionSide);

                var outcome = p.ApplyFill(fill);

                expectedCash -= (fill.SignedQuantity * fill.Price) + fill.Fee;
                expectedQuantity[key] = expectedQuantity.GetValueOrDefault(key) + fill.SignedQuantity;
                CheckFillAgainstFormula(before, p.GetPosition(fill.Symbol, fill.PositionSide), fill, outcome, context);
            }
            else if (what < 85)
            {
                p.Mark(PickSymbol(random), RandomPrice(random), at);
            }
            else if (what < 90)
            {
                var funding = random.Next(-500, 500) / 100m;
                p.ApplyFunding(funding, at);
                expectedCash += funding;
            }
            else if (what < 93)
            {
                var fee = random.Next(0, 300) / 100m;
                p.ApplyFee(fee, at);
                expectedCash -= fee;
            }
            else if (what < 97)
            {
                var amount = random.Next(1, 5_000);
                p.Deposit(amount, at);
                expectedCash += amount;
            }
            else
            {
                var amount = random.Next(1, 5_000);
                p.Withdraw(amount, at);
                expectedCash -= amount;
            }

            CheckInvariants(p, expectedCash, expectedQuantity, context);
        }
    }

    private static void CheckFillAgainstFormula(PositionSnapshot before, PositionSnapshot after, Fill fill, PortfolioFillResult outcome, StepContext context)
    {
        var signed = fill.SignedQuantity;
        var reducing = before.Quantity != 0m && Math.Sign(before.Quantity) != Math.Sign(signed);
        if (!reducing)
        {
            Assert.Equal(0m, outcome.RealizedPnl);
            return;
        }

        var closed = Math.Min(Math.Abs(signed), Math.Abs(before.Quantity));
        var formula = before.Quantity > 0m
            ? (fill.Price - before.AveragePrice) * closed
            : (before.AveragePrice - fill.Price) * closed;
        Check(Math.Abs(outcome.RealizedPnl - formula) < 1e-9m, () => $"{context}: realised {outcome.RealizedPnl} vs formula {formula}");

        if (outcome.Quantity != 0m && Math.Sign(outcome.Quantity) == Math.Sign(before.Quantity))
        {
            // A reduce leaves the average price where it was (up to the fixed split rounding).
            Check(Math.Abs(after.AveragePrice - before.AveragePrice) < 1e-12m,
                () => $"{context}: average moved on a reduce from {before.AveragePrice} to {after.AveragePrice}");
        }
        else if (outcome.Quantity != 0m)
        {
            // A flip opens the rest at the fill price and carries the rest's share of the fee.
            Assert.Equal(fill.Price, after.AveragePrice);
            var restShare = fill.Fee * (Math.Abs(signed) - closed) / Math.Abs(signed);
            Check(Math.Abs(after.OpenTradeFees - restShare) < 1e-12m, () => $"{context}: flip fee share {after.OpenTradeFees} vs {restShare}");
        }

        Assert.Equal(Math.Abs(signed) > Math.Abs(before.Quantity), outcome.ClosedTrade?.ClosedByFlip ?? false);
        Assert.Equal(Math.Abs(signed) >= Math.Abs(before.Quantity), outcome.ClosedTrade is not null);
    }

    private static void CheckInvariants(TradingKit.Portfolio.PortfolioLedger p, decimal expectedCash,
        Dictionary<(Symbol, PositionSide), decimal> expectedQuantity, StepContext context)
    {
        Check(expectedCash == p.Cash, () => $"{context}: cash {p.Cash}, model {expectedCash}");

        var prices = p.LastPrices;
        var all = p.AllPositions;
        decimal marketValue = 0m, openTradeRealized = 0m, openTradeFees = 0m, unrealized = 0m, legRealized = 0m;
        foreach (var position in all)
        {
            Assert.Equal(expectedQuantity.GetValueOrDefault((position.Symbol, position.Side)), position.Quantity);
            marketValue += position.Quantity * prices[position.Symbol];
            openTradeRealized += position.OpenTradeRealizedPnl;
            openTradeFees += position.OpenTradeFees;
            unrealized += position.UnrealizedPnl;
            legRealized += position.RealizedPnl;
            if (position.IsFlat)
            {
                Assert.Equal(0m, position.UnrealizedPnl);
                Assert.Equal(0m, position.AveragePrice);
                Assert.Equal(0m, position.OpenTradeRealizedPnl);
                Assert.Equal(0m, position.OpenTradeFees);
            }
            else
            {
                Check(position.AveragePrice > 0m, () => $"{context}: average {position.AveragePrice} with quantity {position.Quantity}");
            }

            if (position.Side == PositionSide.Long)
            {
                Assert.True(position.Quantity >= 0m);
            }
            else if (position.Side == PositionSide.Short)
            {
                Assert.True(position.Quantity <= 0m);
            }
        }

        Check(p.Cash + marketValue == p.Equity, () => $"{context}: cash + Σ qty × last = {p.Cash + marketValue}, equity {p.Equity}");
        Check(EquityFromPnl(p) == p.Equity, () => $"{context}: initial + PnL − fees + funding + deposits = {EquityFromPnl(p)}, equity {p.Equity}");
        Assert.Equal(unrealized, p.UnrealizedPnl);
        Assert.Equal(legRealized, p.RealizedPnl);

        var closed = p.ClosedTrades;
        decimal closedGross = 0m, closedFees = 0m, closedNet = 0m;
        for (var i = 0; i < closed.Count; i++)
        {
            var trade = closed[i];
            closedGross += trade.GrossPnl;
            closedFees += trade.Fees;
            closedNet += trade.NetPnl;
            Assert.Equal(i + 1, trade.Sequence);
            Assert.True(trade.Quantity > 0m && trade.MaxQuantity > 0m && trade.MaxQuantity <= trade.Quantity);
            Assert.True(trade.ExitTime >= trade.EntryTime);
            var sign = trade.Direction == TradeDirection.Long ? 1m : -1m;
            var fromAverages = sign * (trade.AverageExitPrice - trade.AverageEntryPrice) * trade.Quantity;
            Check(Math.Abs(fromAverages - trade.GrossPnl) < 1e-9m, () => $"{context}: trade {trade.Sequence} gross {trade.GrossPnl} vs averages {fromAverages}");
        }

        Check(closedGross + openTradeRealized == p.RealizedPnl, () => $"{context}: round trips {closedGross} + open {openTradeRealized} != realised {p.RealizedPnl}");
        Check(closedFees + openTradeFees == p.FillFees, () => $"{context}: round-trip fees {closedFees} + open {openTradeFees} != fill fees {p.FillFees}");
        Assert.Equal(p.RealizedPnl - openTradeRealized - closedFees, closedNet);

        if (p.Positions.Count == 0)
        {
            Assert.Equal(0m, p.UnrealizedPnl);
            Assert.Equal(p.RealizedPnl - p.FillFees, closedNet);
        }

        Assert.True(p.PeakEquity >= p.Equity);
        Assert.True(p.MaxDrawdown >= p.Drawdown && p.Drawdown >= 0m);
        Assert.True(p.MaxDrawdownPercent >= 0m);
    }

    private static Fill RandomFill(Random random, TradingKit.Portfolio.PortfolioLedger p, DateTimeOffset at)
    {
        var price = RandomPrice(random);
        var quantity = random.Next(1, 200) / 10m;
        var fee = Math.Round(price * quantity * random.Next(-1, 8) / 10_000m, 6);
        var buy = random.Next(2) == 0;
        if (random.Next(4) > 0)
        {
            var symbol = NettingSymbols[random.Next(NettingSymbols.Length)];
            return Make(symbol, buy ? OrderSide.Buy : OrderSide.Sell, quantity, price, fee, at, PositionSide.Both);
        }

        // Hedge legs: a leg may be reduced at most to zero.
        var leg = random.Next(2) == 0 ? PositionSide.Long : PositionSide.Short;
        var held = Math.Abs(p.GetPosition(HedgeSymbol, leg).Quantity);
        var increase = held == 0m || random.Next(2) == 0;
        if (!increase)
        {
            quantity = Math.Min(quantity, held);
        }

        var side = (leg == PositionSide.Long) == increase ? OrderSide.Buy : OrderSide.Sell;
        return Make(HedgeSymbol, side, quantity, price, fee, at, leg);
    }

    private static void Check(bool ok, Func<string> message)
    {
        if (!ok)
        {
            Assert.Fail(message());
        }
    }

    private static Symbol PickSymbol(Random random)
        => random.Next(3) == 0 ? HedgeSymbol : NettingSymbols[random.Next(NettingSymbols.Length)];

    private static decimal RandomPrice(Random random) => random.Next(5_000, 15_000) / 100m;

    private readonly record struct StepContext(int Sequence, int Step)
    {
        public override string ToString() => $"sequence {Sequence}, step {Step}";
    }
}
