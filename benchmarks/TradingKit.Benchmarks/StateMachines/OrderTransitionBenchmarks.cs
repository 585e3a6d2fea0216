using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Orders;

namespace TradingKit.Benchmarks.StateMachines;

/// <summary>
/// The cost of one order status transition check, against a raw bit-mask lookup as the floor, plus one full
/// order life cycle through the aggregate.
/// </summary>
[MemoryDiagnoser]
public class OrderTransitionBenchmarks
{
    private const int Pairs = 256;

    private readonly OrderStatus[] _from = new OrderStatus[Pairs];
    private readonly OrderStatus[] _to = new OrderStatus[Pairs];
    private readonly EngineState[] _engineFrom = new EngineState[Pairs];
    private readonly EngineState[] _engineTo = new EngineState[Pairs];
    private readonly ushort[] _rawMasks = new ushort[16];

    private OrderRequest _request = null!;
    private Fill _fill1 = null!;
    private Fill _fill2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Every pair shows up, in an order the branch predictor cannot learn from a short loop.
        var random = new Random(42);
        var statuses = Enum.GetValues<OrderStatus>();
        var engineStates = Enum.GetValues<EngineState>();
        for (var i = 0; i < Pairs; i++)
        {
            _from[i] = statuses[random.Next(statuses.Length)];
            _to[i] = statuses[random.Next(statuses.Length)];
            _engineFrom[i] = engineStates[random.Next(engineStates.Length)];
            _engineTo[i] = engineStates[random.Next(engineStates.Length)];
        }

        foreach (var from in statuses)
        {
            foreach (var to in statuses)
            {
                if (OrderStateMachine.Classify(from, to) == TransitionOutcome.Applied)
                {
                    _rawMasks[(int)from] |= (ushort)(1 << (int)to);
                }
            }
        }

        var id = new ClientOrderId("bench-1");
        _request = new OrderRequest { ClientOrderId = id, Symbol = "BTCUSDT", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 2m, LimitPrice = 100m };
        var at = new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero);
        _fill1 = new Fill { TradeId = new TradeId("t1"), ClientOrderId = id, Symbol = "BTCUSDT", Side = OrderSide.Buy, Quantity = 1m, Price = 100m, Fee = 0.01m, Timestamp = at };
        _fill2 = _fill1 with { TradeId = new TradeId("t2"), Price = 101m };
    }

    /// <summary>The floor: the same check as an inline mask lookup, with no same-state rule and no bounds guard.</summary>
    /// <returns>A checksum so the work is not eliminated.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public int RawMaskLookup()
    {
        var masks = _rawMasks;
        var sum = 0;
        for (var i = 0; i < Pairs; i++)
        {
            sum += (masks[(int)_from[i]] >> (int)_to[i]) & 1;
        }

        return sum;
    }

    /// <summary>One <see cref="OrderStateMachine.Classify"/> call.</summary>
    /// <returns>A checksum so the work is not eliminated.</returns>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int OrderClassify()
    {
        var sum = 0;
        for (var i = 0; i < Pairs; i++)
        {
            sum += (int)OrderStateMachine.Classify(_from[i], _to[i]);
        }

        return sum;
    }

    /// <summary>One <see cref="EngineStateMachine.Classify(EngineState, EngineState, bool)"/> call (two tables: allowed and operator-only).</summary>
    /// <returns>A checksum so the work is not eliminated.</returns>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int EngineClassifyByOperator()
    {
        var sum = 0;
        for (var i = 0; i < Pairs; i++)
        {
            sum += (int)EngineStateMachine.Classify(_engineFrom[i], _engineTo[i], byOperator: (i & 1) == 0);
        }

        return sum;
    }

    /// <summary>
    /// A whole order life through the aggregate: create, submit, acknowledge, cancel requested and refused,
    /// two fills. Includes the order and its trade-id set, which are allocated per order by design.
    /// </summary>
    /// <returns>The order's version.</returns>
    [Benchmark]
    public int OrderApplyCycle()
    {
        var at = _fill1.Timestamp;
        var order = new Order(_request, at);
        order.MarkSubmitted(at);
        order.Acknowledge(null, at);
        order.RequestCancel(at);
        order.RejectCancel("too late", at);
        order.ApplyFill(_fill1);
        order.ApplyFill(_fill2);
        return order.Version;
    }
}
