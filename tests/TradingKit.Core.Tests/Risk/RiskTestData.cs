using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Core.Tests.Risk;

internal static class RiskTestData
{
    /// <summary>Monday 3 March 2025, 10:00 in Seoul (01:00 UTC).</summary>
    public static readonly DateTimeOffset T0 = new(2025, 3, 3, 1, 0, 0, TimeSpan.Zero);

    public static readonly Symbol Btc = new("BTCUSDT");

    private static int _next;

    /// <summary>Options with every defaulted rule and trip switched off, so a test enables exactly what it checks.</summary>
    public static RiskOptions Bare() => new()
    {
        MaxOpenOrders = null,
        OrdersPerMinute = null,
        PriceBandBps = null,
        ConsecutiveFailureLimit = null,
        ConsecutiveRejectLimit = null,
        LatencyThreshold = null,
        LatencySpikeMultiplier = null,
    };

    public static OrderRequest Order(OrderSide side = OrderSide.Buy, decimal quantity = 1m, decimal? limit = 100m, string symbol = "BTCUSDT")
        => new()
        {
            ClientOrderId = new ClientOrderId("o-" + Interlocked.Increment(ref _next)),
            Symbol = new Symbol(symbol),
            Side = side,
            Type = limit is null ? OrderType.Market : OrderType.Limit,
            Quantity = quantity,
            LimitPrice = limit,
        };

    public static PreTradeContext Context(OrderRequest order, DateTimeOffset? now = null, decimal? last = 100m, decimal position = 0m,
        int openOrders = 0, decimal openQuantity = 0m, RiskPortfolioView portfolio = default, decimal openSells = 0m)
        => new()
        {
            Order = order,
            Now = now ?? T0,
            LastPrice = last,
            LastPriceAt = now ?? T0,
            Position = position,
            OpenOrders = openOrders,
            OpenBuyQuantity = Math.Max(openQuantity, 0m),
            OpenSellQuantity = Math.Max(-openQuantity, 0m) + openSells,
            Portfolio = portfolio,
        };

    public static RiskPortfolioView PortfolioView(decimal dailyPnl = 0m, decimal equity = 10_000m, decimal peak = 10_000m)
        => new() { Cash = equity, Equity = equity, PeakEquity = peak, DailyRealizedPnl = dailyPnl };

    public static PostTradeContext Tick(DateTimeOffset now, RiskPortfolioView portfolio) => new() { Now = now, Portfolio = portfolio };

    public static void AssertDenied(RiskDecision decision, string ruleId, string code, decimal threshold, decimal observed)
    {
        Assert.False(decision.Allowed, "expected a denial");
        Assert.Equal(ruleId, decision.RuleId);
        Assert.Equal(code, decision.Code);
        Assert.Equal(threshold, decision.Threshold);
        Assert.Equal(observed, decision.Observed);
        Assert.False(string.IsNullOrWhiteSpace(decision.Message));
    }
}
