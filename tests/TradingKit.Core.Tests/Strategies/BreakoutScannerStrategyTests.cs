using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Strategies;

namespace TradingKit.Core.Tests.Strategies;

/// <summary>Seed 002's scanner rules: filters (SC-002), entry sized by the capital limit (SC-005), watching (SC-006), exits (SC-007).</summary>
public sealed class BreakoutScannerStrategyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeContext _context = new();

    private static BreakoutScannerOptions Options(Action<BreakoutScannerOptions>? configure = null)
    {
        var options = new BreakoutScannerOptions { BreakoutPeriod = 3, TrendPeriod = 3, LiquidityPeriod = 3, RetryAfterBars = 2 };
        configure?.Invoke(options);
        return options;
    }

    private static Bar Bar(string symbol, int index, decimal close, decimal? high = null, decimal volume = 1_000m)
        => new(new Symbol(symbol), T0.AddDays(index), T0.AddDays(index + 1), close, high ?? close, close, close, volume);

    private Decision Feed(BreakoutScannerStrategy strategy, Bar bar)
    {
        _context.Decisions.Clear();
        strategy.OnMarketData(bar, _context);
        return Assert.Single(_context.Decisions);
    }

    private void Flat(BreakoutScannerStrategy strategy, string symbol, params decimal[] closes)
    {
        for (var i = 0; i < closes.Length; i++)
        {
            Feed(strategy, Bar(symbol, i, closes[i]));
        }
    }

    [Fact]
    public void SC002_SC005_ABreakoutAboveTheTrend_EntersSizedByTheCapitalLimit_AfterTheWarmup()
    {
        var strategy = new BreakoutScannerStrategy(Options(o => o.CapitalLimit = 1_000m));

        var warmup = Enumerable.Range(0, 3).Select(i => Feed(strategy, Bar("AAA", i, 100m))).ToList();
        var noSignal = Feed(strategy, Bar("AAA", 3, 100m));
        var entry = Feed(strategy, Bar("AAA", 4, 103m));

        Assert.All(warmup, d => Assert.Equal([BreakoutScannerStrategy.Warmup], d.ReasonCodes));
        Assert.Equal([BreakoutScannerStrategy.NoSignal], noSignal.ReasonCodes);
        Assert.Equal(DecisionAction.Buy, entry.Action);
        Assert.Equal([BreakoutScannerStrategy.Breakout, BreakoutScannerStrategy.AboveTrend], entry.ReasonCodes);
        Assert.Equal(9.70m, entry.Quantity);
    }

    [Fact]
    public void SC002_TheBreakoutLevel_IsThePreviousBarsHigh_NotTheirClose()
    {
        var strategy = new BreakoutScannerStrategy(Options());
        Feed(strategy, Bar("AAA", 0, 100m, high: 110m));
        Feed(strategy, Bar("AAA", 1, 100m));
        Feed(strategy, Bar("AAA", 2, 100m));

        Assert.Equal([BreakoutScannerStrategy.NoSignal], Feed(strategy, Bar("AAA", 3, 105m)).ReasonCodes);
        Assert.Equal(DecisionAction.Buy, Feed(strategy, Bar("AAA", 4, 111m)).Action);
    }

    [Theory]
    [InlineData(2_000, 0, BreakoutScannerStrategy.FilterVolume)]
    [InlineData(0, 200_000, BreakoutScannerStrategy.FilterTurnover)]
    public void SC002_IlliquidSymbols_AreFilteredOut(int minVolume, int minTurnover, string reason)
    {
        var strategy = new BreakoutScannerStrategy(Options(o =>
        {
            o.MinAverageVolume = minVolume;
            o.MinAverageTurnover = minTurnover;
        }));
        Flat(strategy, "AAA", 100m, 100m, 100m, 100m);

        Assert.Equal([reason], Feed(strategy, Bar("AAA", 4, 103m)).ReasonCodes);
    }

    [Fact]
    public void SC002_MaxPositions_TheFirstSymbolToBreakOutIsEntered_TheOthersWait()
    {
        var strategy = new BreakoutScannerStrategy(Options());
        Flat(strategy, "AAA", 100m, 100m, 100m);
        Flat(strategy, "BBB", 50m, 50m, 50m);

        var first = Feed(strategy, Bar("AAA", 3, 103m));
        var second = Feed(strategy, Bar("BBB", 3, 52m));

        Assert.Equal((new Symbol("AAA"), DecisionAction.Buy), (first.Symbol, first.Action));
        Assert.Equal([BreakoutScannerStrategy.Breakout, BreakoutScannerStrategy.MaxPositionsHeld], second.ReasonCodes);
    }

    [Theory]
    [InlineData(97, BreakoutScannerStrategy.ExitStopLoss)]
    [InlineData(105, BreakoutScannerStrategy.ExitTakeProfit)]
    public void SC007_StopLossAndTakeProfit_CloseFromTheAverageEntryPrice(int close, string reason)
    {
        var strategy = Holding(entryPrice: 100m);

        var exit = Feed(strategy, Bar("AAA", 5, close));

        Assert.Equal(DecisionAction.Close, exit.Action);
        Assert.Equal([reason], exit.ReasonCodes);
    }

    [Fact]
    public void SC006_SC007_WhileNoExitHolds_ItWatches_ThenATrendBreakCloses()
    {
        var strategy = Holding(entryPrice: 100m);

        var watching = Feed(strategy, Bar("AAA", 5, 101m));
        var breaking = Feed(strategy, Bar("AAA", 6, 99m));

        Assert.Equal(DecisionAction.Hold, watching.Action);
        Assert.Equal([BreakoutScannerStrategy.HoldNoExit], watching.ReasonCodes);
        Assert.Equal(DecisionAction.Close, breaking.Action);
        Assert.Equal([BreakoutScannerStrategy.ExitTrendBreak], breaking.ReasonCodes);
    }

    [Fact]
    public void AnEntryThatWentNowhere_PutsTheSymbolAside_ThenTheScanResumes()
    {
        var strategy = new BreakoutScannerStrategy(Options());
        Flat(strategy, "AAA", 100m, 100m, 100m);
        Assert.Equal(DecisionAction.Buy, Feed(strategy, Bar("AAA", 3, 103m)).Action);

        // Refused (another worker's lock, the risk guard): no order, no position on the next bar.
        var aside = new[] { Feed(strategy, Bar("AAA", 4, 104m)), Feed(strategy, Bar("AAA", 5, 105m)) };
        var again = Feed(strategy, Bar("AAA", 6, 106m));

        Assert.All(aside, d => Assert.Equal([BreakoutScannerStrategy.RetryLater], d.ReasonCodes));
        Assert.Equal(DecisionAction.Buy, again.Action);
    }

    [Fact]
    public void AWorkingOrder_IsWaitedFor_AndSymbolsOutsideTheUniverse_AreIgnored()
    {
        var strategy = new BreakoutScannerStrategy(Options(o => o.Universe.Add("AAA")));
        Flat(strategy, "AAA", 100m, 100m, 100m);
        _context.Working.Add(new Symbol("AAA"));

        Assert.Equal([BreakoutScannerStrategy.OrderWorking], Feed(strategy, Bar("AAA", 3, 103m)).ReasonCodes);
        _context.Decisions.Clear();
        strategy.OnMarketData(Bar("ZZZ", 3, 103m), _context);
        Assert.Empty(_context.Decisions);
    }

    [Fact]
    public void BadOptions_AreRefusedWithEveryProblem()
    {
        var e = Assert.Throws<TradingKitException>(() => new BreakoutScannerStrategy(new BreakoutScannerOptions
        {
            BreakoutPeriod = 0,
            CapitalLimit = 0m,
            StopLossPercent = 100m,
            MaxPositions = 0,
        }));

        Assert.Equal(ErrorCodes.InvalidOptions, e.Code);
        Assert.Contains("BreakoutPeriod", e.Message, StringComparison.Ordinal);
        Assert.Contains("CapitalLimit", e.Message, StringComparison.Ordinal);
        Assert.Contains("StopLossPercent", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxPositions", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A scanner that entered AAA at <paramref name="entryPrice"/> (two fills) and holds it.</summary>
    private BreakoutScannerStrategy Holding(decimal entryPrice)
    {
        var strategy = new BreakoutScannerStrategy(Options(o => o.StopLossPercent = 2m));
        Flat(strategy, "AAA", 98m, 98m, 98m);
        Assert.Equal(DecisionAction.Buy, Feed(strategy, Bar("AAA", 3, 100m)).Action);
        _context.Positions[new Symbol("AAA")] = 4m;
        strategy.OnFill(Fill("AAA", 2m, entryPrice - 1m), _context);
        strategy.OnFill(Fill("AAA", 2m, entryPrice + 1m), _context);
        Assert.Equal([BreakoutScannerStrategy.HoldNoExit], Feed(strategy, Bar("AAA", 4, 100m)).ReasonCodes);
        return strategy;
    }

    private static Fill Fill(string symbol, decimal quantity, decimal price) => new()
    {
        TradeId = new TradeId("t-" + Guid.NewGuid().ToString("N")[..8]),
        ClientOrderId = new ClientOrderId("o-1"),
        Symbol = new Symbol(symbol),
        Side = OrderSide.Buy,
        Quantity = quantity,
        Price = price,
        Fee = 0m,
        Timestamp = T0,
    };

    private sealed class FakeContext : IStrategyContext
    {
        public List<Decision> Decisions { get; } = [];

        public Dictionary<Symbol, decimal> Positions { get; } = [];

        public HashSet<Symbol> Working { get; } = [];

        public DateTimeOffset Now => T0;

        public SessionId SessionId { get; } = new("scanner-test");

        public decimal Cash => 100_000m;

        public decimal Equity => 100_000m;

        public decimal GetPosition(Symbol symbol) => Positions.GetValueOrDefault(symbol);

        public decimal? GetLastPrice(Symbol symbol) => null;

        public bool HasOpenOrders(Symbol symbol) => Working.Contains(symbol);

        public void Decide(in Decision decision) => Decisions.Add(decision);
    }
}
