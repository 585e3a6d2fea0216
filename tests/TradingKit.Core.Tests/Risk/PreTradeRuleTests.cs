using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Instruments;
using TradingKit.Orders;
using TradingKit.Risk;
using static TradingKit.Core.Tests.Risk.RiskTestData;

namespace TradingKit.Core.Tests.Risk;

public sealed class PreTradeRuleTests
{
    private static RiskGuard Guard(Action<RiskOptions> configure, KillSwitch? killSwitch = null, IReadOnlyDictionary<Symbol, Instrument>? instruments = null)
    {
        var options = Bare();
        configure(options);
        return new RiskGuard(options, killSwitch, instruments);
    }

    [Fact]
    public void MaxOrderNotional_AllowsAtLimit_DeniesPastIt()
    {
        var guard = Guard(o => o.MaxOrderNotional = 1000m);

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 10m, limit: 100m))).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 10.01m, limit: 100m))), RiskRuleIds.MaxOrderNotional, RiskCodes.MaxOrderNotional, 1000m, 1001m);
    }

    [Fact]
    public void MaxOrderNotional_ValuesMarketOrdersAtLastPrice_AndDeniesWithoutAnyPrice()
    {
        var guard = Guard(o => o.MaxOrderNotional = 1000m);

        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 11m, limit: null), last: 100m)), RiskRuleIds.MaxOrderNotional, RiskCodes.MaxOrderNotional, 1000m, 1100m);
        Assert.Equal(RiskCodes.PriceUnknown, guard.CheckPreTrade(Context(Order(limit: null), last: null)).Code);
    }

    [Fact]
    public void EC004_CapitalLimit_UsesQuantityTimesCurrentPrice_AndLetsHoldingsBeClosed()
    {
        var guard = Guard(o => o.CapitalLimit = 500m);

        // The limit price is 40 but the current price is 50: 한도액 is checked against the current price.
        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 10m, limit: 40m), last: 50m)).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 11m, limit: 40m), last: 50m)), RiskRuleIds.CapitalLimit, RiskCodes.CapitalLimit, 500m, 550m);
        Assert.True(guard.CheckPreTrade(Context(Order(OrderSide.Sell, quantity: 20m, limit: 50m), last: 50m, position: 20m)).Allowed);
    }

    [Fact]
    public void MaxPosition_CountsPositionAndSameSideWorkingOrders()
    {
        var guard = Guard(o => o.MaxPosition = 5m);

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 2m), position: 3m)).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 3m), position: 3m)), RiskRuleIds.MaxPosition, RiskCodes.MaxPosition, 5m, 6m);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 2m), position: 3m, openQuantity: 1m)), RiskRuleIds.MaxPosition, RiskCodes.MaxPosition, 5m, 6m);
        AssertDenied(guard.CheckPreTrade(Context(Order(OrderSide.Sell, quantity: 3m), position: -3m)), RiskRuleIds.MaxPosition, RiskCodes.MaxPosition, 5m, 6m);
    }

    [Fact]
    public void MaxPosition_CountsWorkingBuys_EvenWhenWorkingSellsNetThemOut()
    {
        var guard = Guard(o => o.MaxPosition = 5m);

        // One lot bid and one lot offered: net zero working, but the bid still fills towards the limit.
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 2m), position: 3m, openQuantity: 1m, openSells: 1m)), RiskRuleIds.MaxPosition, RiskCodes.MaxPosition, 5m, 6m);
    }

    [Fact]
    public void IsReducing_CountsTheSellsAlreadyWorking_SoTwoExitsCannotFlipThePosition()
    {
        Assert.True(Context(Order(OrderSide.Sell, quantity: 6m), position: 10m).IsReducing);
        Assert.True(Context(Order(OrderSide.Sell, quantity: 6m), position: 10m, openSells: 4m).IsReducing);
        Assert.False(Context(Order(OrderSide.Sell, quantity: 6m), position: 10m, openSells: 6m).IsReducing);

        // Working buys do not make a sell less reducing.
        Assert.True(Context(Order(OrderSide.Sell, quantity: 6m), position: 10m, openQuantity: 5m).IsReducing);
        Assert.False(Context(Order(OrderSide.Buy, quantity: 6m), position: -10m, openQuantity: 6m).IsReducing);
    }

    [Fact]
    public void MaxPosition_AllowsAnOrderThatShrinksAnOversizedPosition()
    {
        var guard = Guard(o => o.MaxPosition = 5m);

        Assert.True(guard.CheckPreTrade(Context(Order(OrderSide.Sell, quantity: 1m), position: 8m)).Allowed);
    }

    [Fact]
    public void MaxPosition_PerSymbolOverrideWins()
    {
        var guard = Guard(o =>
        {
            o.MaxPosition = 5m;
            o.MaxPositionBySymbol["ETHUSDT"] = 50m;
        });

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 50m, symbol: "ETHUSDT"))).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 51m, symbol: "ETHUSDT"))), RiskRuleIds.MaxPosition, RiskCodes.MaxPosition, 50m, 51m);
        Assert.False(guard.CheckPreTrade(Context(Order(quantity: 6m))).Allowed);
    }

    [Fact]
    public void MaxOpenOrders_AllowsUpToLimit_DeniesTheNextOne()
    {
        var guard = Guard(o => o.MaxOpenOrders = 3);

        Assert.True(guard.CheckPreTrade(Context(Order(), openOrders: 2)).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(), openOrders: 3)), RiskRuleIds.MaxOpenOrders, RiskCodes.MaxOpenOrders, 3m, 4m);
    }

    [Fact]
    public void PriceBand_AllowsAtTheBand_DeniesPastIt()
    {
        var guard = Guard(o => o.PriceBandBps = 100m);

        Assert.True(guard.CheckPreTrade(Context(Order(limit: 101m), last: 100m)).Allowed);
        Assert.True(guard.CheckPreTrade(Context(Order(OrderSide.Sell, limit: 99m), last: 100m)).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(limit: 101.01m), last: 100m)), RiskRuleIds.PriceBand, RiskCodes.PriceBand, 100m, 101m);
    }

    [Fact]
    public void PriceBand_DeniesALimitOrderWithoutALastTrade_AndPassesMarketOrders()
    {
        var guard = Guard(o => o.PriceBandBps = 100m);

        Assert.Equal(RiskCodes.PriceUnknown, guard.CheckPreTrade(Context(Order(limit: 100m), last: null)).Code);
        Assert.True(guard.CheckPreTrade(Context(Order(limit: null), last: 100m)).Allowed);
    }

    [Fact]
    public void Instrument_DeniesStepTickAndMinNotionalViolations_AndUnknownSymbols()
    {
        var instruments = new Dictionary<Symbol, Instrument> { [Btc] = new(Btc, tickSize: 0.1m, stepSize: 0.001m, minQuantity: 0.001m, maxQuantity: 100m, minNotional: 10m) };
        var guard = Guard(_ => { }, instruments: instruments);

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 0.1m, limit: 100m))).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 0.1005m, limit: 100m))), RiskRuleIds.Instrument, ErrorCodes.QuantityStepViolation, 0.001m, 0.1005m);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 0.1m, limit: 100.05m))), RiskRuleIds.Instrument, ErrorCodes.PriceTickViolation, 0.1m, 100.05m);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 0.099m, limit: null), last: 100m)), RiskRuleIds.Instrument, ErrorCodes.NotionalBelowMinimum, 10m, 9.9m);
        Assert.Equal(RiskCodes.UnknownInstrument, guard.CheckPreTrade(Context(Order(symbol: "ETHUSDT"))).Code);
    }

    [Fact]
    public void EC004_DailyLoss_AllowsWhenLossPlusWorstCaseEqualsLimit_DeniesPastIt()
    {
        var guard = Guard(o => o.DailyLossLimit = 1000m);
        var down900 = PortfolioView(dailyPnl: -900m);

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 1m, limit: 100m), portfolio: down900)).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 1.01m, limit: 100m), portfolio: down900)), RiskRuleIds.DailyLoss, RiskCodes.DailyLossLimit, 1000m, 1001m);
    }

    [Fact]
    public void EC004_DailyLoss_WorstCaseFollowsTheConfiguredFraction_AndReducingOrdersPass()
    {
        var guard = Guard(o =>
        {
            o.DailyLossLimit = 1000m;
            o.WorstCaseLossFraction = 0.1m;
        });
        var down900 = PortfolioView(dailyPnl: -900m);

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 10m, limit: 100m), portfolio: down900)).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 11m, limit: 100m), portfolio: down900)), RiskRuleIds.DailyLoss, RiskCodes.DailyLossLimit, 1000m, 1010m);
        Assert.True(guard.CheckPreTrade(Context(Order(OrderSide.Sell, quantity: 50m), position: 50m, portfolio: PortfolioView(dailyPnl: -5000m))).Allowed);
    }

    [Fact]
    public void OrderRate_DeniesTheNPlusFirstOrderInAMinute_AndAllowsAfterTheWindow()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        var guard = Guard(o => o.OrdersPerMinute = 3);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(guard.CheckPreTrade(Context(Order(), now: clock.GetUtcNow())).Allowed);
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        AssertDenied(guard.CheckPreTrade(Context(Order(), now: clock.GetUtcNow())), RiskRuleIds.OrderRate, RiskCodes.OrderRateLimit, 3m, 4m);

        clock.SetUtcNow(T0 + TimeSpan.FromMilliseconds(59_999));
        Assert.False(guard.CheckPreTrade(Context(Order(), now: clock.GetUtcNow())).Allowed);

        // The first order is now a full minute old and leaves the window.
        clock.SetUtcNow(T0 + TimeSpan.FromMinutes(1));
        Assert.True(guard.CheckPreTrade(Context(Order(), now: clock.GetUtcNow())).Allowed);
        Assert.False(guard.CheckPreTrade(Context(Order(), now: clock.GetUtcNow())).Allowed);
    }

    [Fact]
    public void OrderRate_DoesNotCountOrdersAnotherRuleDenied()
    {
        var guard = Guard(o =>
        {
            o.OrdersPerMinute = 1;
            o.MaxOrderNotional = 1000m;
        });

        Assert.False(guard.CheckPreTrade(Context(Order(quantity: 100m))).Allowed);
        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 1m))).Allowed);
    }

    [Fact]
    public async Task KillSwitchOn_DeniesFirst_WithKillSwitchActive()
    {
        using var killSwitch = await KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.On);
        var guard = Guard(o => o.MaxOrderNotional = 1m, killSwitch);

        var decision = guard.CheckPreTrade(Context(Order(quantity: 100m)));

        Assert.Equal(RiskRuleIds.KillSwitch, decision.RuleId);
        Assert.Equal(RiskCodes.KillSwitchActive, decision.Code);
    }

    [Fact]
    public void Disabled_KeepsNoRuleButTheKillSwitch()
    {
        var options = new RiskOptions { Enabled = false, MaxOrderNotional = 1m };
        var guard = new RiskGuard(options);

        Assert.Empty(guard.RuleIds);
        Assert.Empty(guard.TripConditionIds);
        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 100m))).Allowed);
    }

    [Fact]
    public void CustomRule_RunsBeforeTheRateRule_AndItsDenialIsReturned()
    {
        var rule = new MaxQuantityRule(2m);
        var guard = new RiskGuard(Bare(), additionalRules: [rule]);

        Assert.True(guard.CheckPreTrade(Context(Order(quantity: 2m))).Allowed);
        AssertDenied(guard.CheckPreTrade(Context(Order(quantity: 3m))), "max_quantity", "MY_MAX_QUANTITY", 2m, 3m);
    }

    [Fact]
    public void AllowedPath_WithEveryRuleEnabled_DoesNotAllocate()
    {
        var guard = AllRules.CreateGuard();
        var now = AllRules.Start;
        var order = Order(quantity: 0.01m, limit: 100m);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(guard.CheckPreTrade(AllRules.Context(order, now)).Allowed);
            now += TimeSpan.FromSeconds(1);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        for (var i = 0; i < 1000; i++)
        {
            var context = AllRules.Context(order, now);
            allowed += guard.CheckPreTrade(in context).Allowed ? 1 : 0;
            now += TimeSpan.FromSeconds(1);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, allowed);
        Assert.Equal(0, allocated);
    }

    private sealed class MaxQuantityRule(decimal max) : IPreTradeRule
    {
        public string Id => "max_quantity";

        public decimal Threshold => max;

        public RiskDecision Check(in PreTradeContext context)
            => context.Order.Quantity <= max ? RiskDecision.Allow : RiskDecision.Deny(Id, "MY_MAX_QUANTITY", max, context.Order.Quantity, "too big");
    }
}

/// <summary>A guard with every built-in rule enabled, shared with the benchmark's shape.</summary>
internal static class AllRules
{
    public static readonly DateTimeOffset Start = RiskTestData.T0;

    public static RiskGuard CreateGuard()
    {
        var options = new RiskOptions
        {
            DailyLossLimit = 10_000m,
            MaxDrawdown = 20_000m,
            MaxOrderNotional = 50_000m,
            CapitalLimit = 50_000m,
            MaxPosition = 10m,
            MaxOpenOrders = 50,
            OrdersPerMinute = 100,
            PriceBandBps = 500m,
            Session = new TradingSessionOptions { TimeZone = "Asia/Seoul", Open = TimeSpan.FromHours(9), Close = new TimeSpan(15, 30, 0) },
        };
        var killSwitch = KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.Off).AsTask().GetAwaiter().GetResult();
        var instruments = new Dictionary<Symbol, Instrument> { [RiskTestData.Btc] = new(RiskTestData.Btc, 0.01m, 0.001m, 0.001m, 1000m, 1m) };
        return new RiskGuard(options, killSwitch, instruments);
    }

    public static PreTradeContext Context(OrderRequest order, DateTimeOffset now)
        => RiskTestData.Context(order, now, last: 100m, position: 1m, openOrders: 2, openQuantity: 0.5m, portfolio: RiskTestData.PortfolioView(dailyPnl: -100m));
}
