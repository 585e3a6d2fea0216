using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Core.Tests.Risk;

public sealed class ForcedLiquidationTests
{
    private static readonly Symbol Liquid = new("LIQUID");
    private static readonly Symbol Thin = new("THIN");
    private static readonly Symbol Mid = new("MID");

    private static readonly TradingSession Session = TradingSession.FromOptions(new TradingSessionOptions
    {
        TimeZone = "Asia/Seoul",
        Open = TimeSpan.FromHours(9),
        Close = new TimeSpan(15, 30, 0),
        ForcedLiquidationBeforeClose = TimeSpan.FromMinutes(10),
        IlliquidLeadTime = TimeSpan.FromMinutes(5),
    })!;

    private static DateTimeOffset At(int hour, int minute) => new(2025, 3, 3, hour, minute, 0, TimeSpan.FromHours(9));

    private static readonly LiquidationPosition[] Positions =
    [
        new(Liquid, 10m, 100m, 5000m),
        new(Thin, -5m, 20m, 100m),
        new(Mid, 3m, 50m, 2000m),
    ];

    [Fact]
    public void SC008_IsDueFromTheIlliquidCutoffUntilTheClose()
    {
        var planner = new ForcedLiquidationPlanner(Session, new ForcedLiquidationOptions { IlliquidBelow = 1000m });

        Assert.False(planner.IsDue(At(15, 14)));
        Assert.True(planner.IsDue(At(15, 15)));
        Assert.True(planner.IsDue(At(15, 29)));
        Assert.False(planner.IsDue(At(15, 30)));
    }

    [Fact]
    public void SC008_ClosesIlliquidSymbolsEarlier_ThenTheRestLeastLiquidFirst()
    {
        var planner = new ForcedLiquidationPlanner(Session, new ForcedLiquidationOptions { IlliquidBelow = 1000m });
        var run = planner.Start(Positions, At(15, 15));

        var early = run.NextOrders(At(15, 15));
        var main = run.NextOrders(At(15, 20));

        var thin = Assert.Single(early);
        Assert.Equal(new LiquidationOrder(Thin, OrderSide.Buy, 5m, OrderType.Market, null, 1), thin);
        Assert.Equal([Mid, Liquid], main.Select(o => o.Symbol));
        Assert.All(main, o => Assert.Equal(OrderSide.Sell, o.Side));
        Assert.Equal([Thin, Mid, Liquid], run.Started.Positions.Select(p => p.Symbol));
        Assert.True(thin.ToRequest(new ClientOrderId("liq-1")).ReduceOnly);
    }

    [Fact]
    public void EC003_PartialFillsAreRetriedUpToThreeTimes_AndTheRestIsReported()
    {
        var planner = new ForcedLiquidationPlanner(Session, new ForcedLiquidationOptions());
        var run = planner.Start([new LiquidationPosition(Thin, 10m, 20m, 100m)], At(15, 20));

        Assert.Equal(10m, Assert.Single(run.NextOrders(At(15, 20))).Quantity);
        Assert.Empty(run.NextOrders(At(15, 20)));
        run.OnOrderCompleted(Thin, 4m);
        var second = Assert.Single(run.NextOrders(At(15, 21)));
        Assert.Equal((6m, 2), (second.Quantity, second.Attempt));
        run.OnOrderCompleted(Thin, 1m);
        Assert.Equal(5m, Assert.Single(run.NextOrders(At(15, 22))).Quantity);
        run.OnOrderCompleted(Thin, 0m);
        var last = Assert.Single(run.NextOrders(At(15, 23)));
        Assert.Equal(4, last.Attempt);
        run.OnOrderCompleted(Thin, 2m);

        Assert.Empty(run.NextOrders(At(15, 24)));
        Assert.True(run.IsComplete);
        var report = run.Report(At(15, 24));
        var unclosed = Assert.Single(report.Unclosed);
        Assert.Equal((7m, 3m, 4), (unclosed.ClosedQuantity, unclosed.RemainingQuantity, unclosed.Attempts));
        Assert.Contains("liquidity", unclosed.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void AFullFill_ClosesTheSymbol()
    {
        var planner = new ForcedLiquidationPlanner(Session, new ForcedLiquidationOptions());
        var run = planner.Start([new LiquidationPosition(Liquid, 10m, 100m, 5000m), new LiquidationPosition(Mid, 0m, 50m, 1m)], At(15, 20));

        Assert.Single(run.NextOrders(At(15, 20)));
        run.OnOrderCompleted(Liquid, 10m);

        Assert.True(run.IsComplete);
        Assert.Empty(run.Report(At(15, 21)).Unclosed);
    }

    [Fact]
    public void LimitMode_SendsMarketableIocLimits_RoundedToTheTick()
    {
        var instruments = new Dictionary<Symbol, Instrument> { [Liquid] = new(Liquid, tickSize: 0.1m, stepSize: 1m, minQuantity: 1m, maxQuantity: 1000m) };
        var planner = new ForcedLiquidationPlanner(Session, new ForcedLiquidationOptions { UseMarketOrders = false, MarketableLimitOffsetBps = 50m }, instruments);
        var run = planner.Start([new LiquidationPosition(Liquid, 10.5m, 100.03m, 5000m)], At(15, 20));

        var order = Assert.Single(run.NextOrders(At(15, 20)));

        // 100.03 × (1 − 0.005) = 99.52985, rounded down to the tick so it stays marketable for a sell.
        Assert.Equal((OrderType.Limit, 99.5m, 10m), (order.Type, order.LimitPrice, order.Quantity));
        Assert.Equal(TimeInForce.Ioc, order.ToRequest(new ClientOrderId("liq-2")).TimeInForce);
    }
}
