using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Portfolio;

namespace TradingKit.Benchmarks.Portfolio;

/// <summary>
/// The portfolio's hot path: a fill that adds to or reduces an open position, and a mark. Neither should allocate.
/// The baseline is the least a mark can do: one dictionary update of a last price.
/// </summary>
[MemoryDiagnoser]
public class PortfolioBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly Symbol[] _symbols = Enumerable.Range(0, 10).Select(i => new Symbol($"SYM{i}")).ToArray();
    private readonly Dictionary<Symbol, decimal> _rawPrices = [];
    private TradingKit.Portfolio.PortfolioLedger _portfolio = null!;
    private Fill _add = null!;
    private Fill _reduce = null!;
    private Fill _hedgeAdd = null!;
    private Fill _hedgeReduce = null!;
    private int _tick;

    [GlobalSetup]
    public void Setup()
    {
        _portfolio = new TradingKit.Portfolio.PortfolioLedger(new PortfolioOptions { InitialCash = 1_000_000m, Currency = "USDT", DayRollTimeUtc = TimeSpan.Zero });
        foreach (var symbol in _symbols)
        {
            _portfolio.ApplyFill(Make(symbol, OrderSide.Buy, 100m, 100m, PositionSide.Both));
            _portfolio.Mark(symbol, 100m, T0);
            _rawPrices[symbol] = 100m;
        }

        _portfolio.ApplyFill(Make(_symbols[0], OrderSide.Buy, 50m, 100m, PositionSide.Long));
        _add = Make(_symbols[3], OrderSide.Buy, 1.5m, 101.25m, PositionSide.Both);
        _reduce = Make(_symbols[3], OrderSide.Sell, 1.5m, 100.75m, PositionSide.Both);
        _hedgeAdd = Make(_symbols[0], OrderSide.Buy, 0.5m, 100.5m, PositionSide.Long);
        _hedgeReduce = Make(_symbols[0], OrderSide.Sell, 0.5m, 100.25m, PositionSide.Long);
    }

    [Benchmark(Baseline = true, Description = "Raw dictionary price update")]
    public decimal RawPriceUpdate()
    {
        var symbol = _symbols[++_tick % _symbols.Length];
        var price = (_tick & 1) == 0 ? 100.5m : 99.5m;
        _rawPrices[symbol] = price;
        return price;
    }

    [Benchmark(Description = "Mark")]
    public decimal Mark()
    {
        var symbol = _symbols[++_tick % _symbols.Length];
        _portfolio.Mark(symbol, (_tick & 1) == 0 ? 100.5m : 99.5m, T0);
        return _portfolio.Equity;
    }

    [Benchmark(Description = "ApplyFill add + reduce (netting)", OperationsPerInvoke = 2)]
    public decimal ApplyFillNetting()
    {
        _portfolio.ApplyFill(_add);
        return _portfolio.ApplyFill(_reduce).RealizedPnl;
    }

    [Benchmark(Description = "ApplyFill add + reduce (hedge leg)", OperationsPerInvoke = 2)]
    public decimal ApplyFillHedge()
    {
        _portfolio.ApplyFill(_hedgeAdd);
        return _portfolio.ApplyFill(_hedgeReduce).RealizedPnl;
    }

    [Benchmark(Description = "RiskView")]
    public decimal RiskView() => _portfolio.RiskView.DailyLoss;

    private static Fill Make(Symbol symbol, OrderSide side, decimal quantity, decimal price, PositionSide positionSide) => new()
    {
        TradeId = new TradeId("b"),
        ClientOrderId = new ClientOrderId("b"),
        Symbol = symbol,
        Side = side,
        Quantity = quantity,
        Price = price,
        Fee = 0.01m,
        PositionSide = positionSide,
        Timestamp = T0,
    };
}
