using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Benchmarks.Risk;

/// <summary>
/// One pre-trade check on the allowed path with every built-in rule enabled (kill switch, trading state, trading
/// hours, instrument, price band, max order notional, capital limit, max position, max open orders, daily loss,
/// order rate). Target: at most 500 ns and 0 B. The baseline is the permissive guard: the cost of the seam alone.
/// </summary>
[MemoryDiagnoser]
public class PreTradeCheckBenchmarks
{
    private static readonly Symbol Btc = new("BTCUSDT");
    private IRiskGuard _allRules = null!;
    private IRiskGuard _permissive = null!;
    private KillSwitch _killSwitch = null!;
    private OrderRequest _order = null!;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
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

            // A session open around the clock, so the advancing benchmark clock never leaves it.
            Session = new TradingSessionOptions
            {
                TimeZone = "Asia/Seoul",
                Open = TimeSpan.Zero,
                Close = TimeSpan.FromDays(1),
                TradingDays = Enum.GetValues<DayOfWeek>(),
                NoNewEntriesBeforeClose = TimeSpan.Zero,
            },
        };
        _killSwitch = KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.Off).AsTask().GetAwaiter().GetResult();
        var instruments = new Dictionary<Symbol, Instrument> { [Btc] = new(Btc, 0.01m, 0.001m, 0.001m, 1000m, 1m) };
        _allRules = new RiskGuard(options, _killSwitch, instruments);
        _permissive = PermissiveRiskGuard.Instance;
        _order = new OrderRequest
        {
            ClientOrderId = new ClientOrderId("bench-1"),
            Symbol = Btc,
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = 0.01m,
            LimitPrice = 100m,
        };
        _now = new DateTimeOffset(2025, 3, 3, 1, 0, 0, TimeSpan.Zero);
    }

    [GlobalCleanup]
    public void Cleanup() => _killSwitch.Dispose();

    [Benchmark(Baseline = true)]
    public bool PermissiveGuard()
    {
        var context = Context();
        return _permissive.CheckPreTrade(in context).Allowed;
    }

    [Benchmark]
    public bool EveryRuleEnabled()
    {
        var context = Context();
        var decision = _allRules.CheckPreTrade(in context);
        return decision.Allowed ? true : throw new InvalidOperationException("The benchmark left the allowed path: " + decision.Code);
    }

    // One second per check keeps the order-rate window at 60 orders, under its limit of 100.
    private PreTradeContext Context()
    {
        _now = _now.AddSeconds(1);
        return new PreTradeContext
        {
            Order = _order,
            Now = _now,
            LastPrice = 100m,
            LastPriceAt = _now,
            Position = 1m,
            OpenOrders = 2,
            OpenBuyQuantity = 0.5m,
            Portfolio = new RiskPortfolioView { Cash = 10_000m, Equity = 10_000m, PeakEquity = 10_000m, DailyRealizedPnl = -100m },
        };
    }
}
