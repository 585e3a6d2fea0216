using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Strategies;

namespace TradingKit.TestSupport;

/// <summary>
/// Buys, sells and closes at random, with market and limit orders of random sizes and times in force. Shared, as a linked
/// source file, by the recovery tests and the recovery benchmarks, which use it with different mixes.
/// </summary>
/// <param name="random">The seeded source of every choice; the same seed gives the same decisions.</param>
/// <param name="id">The strategy id.</param>
/// <param name="reason">The reason code of every decision.</param>
/// <param name="tradeProbability">How often a bar leads to an action instead of a hold.</param>
/// <param name="closeBelow">Of the actions, the share that closes the position.</param>
/// <param name="buyBelow">Of the actions, the cumulative share up to which an action buys (the rest sells).</param>
internal sealed class RandomStrategy(Random random, string id, string reason, double tradeProbability, double closeBelow, double buyBelow) : IStrategy
{
    private readonly string[] _reasons = [reason];
    private int _intent;

    public StrategyId Id { get; } = new(id);

    public void OnStart(IStrategyContext context)
    {
    }

    public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
    {
        if (random.NextDouble() >= tradeProbability)
        {
            context.Decide(Decision.Hold(marketData.Symbol, _reasons));
            return;
        }

        var roll = random.NextDouble();
        var price = marketData.LastPrice;
        if (roll < closeBelow)
        {
            context.Decide(new Decision { Symbol = marketData.Symbol, Action = DecisionAction.Close, ReasonCodes = _reasons, IntentKey = "c" + (++_intent) });
            return;
        }

        var buy = roll < buyBelow;
        var limit = random.NextDouble() < 0.5;
        var quantity = Math.Round((decimal)random.NextDouble() * 20m + 0.5m, 2);
        var offset = ((decimal)random.NextDouble() - 0.3m) * 0.01m * price;
        var tif = random.Next(0, 5) switch
        {
            0 => TimeInForce.Ioc,
            1 => TimeInForce.Day,
            _ => TimeInForce.Gtc,
        };
        context.Decide(new Decision
        {
            Symbol = marketData.Symbol,
            Action = buy ? DecisionAction.Buy : DecisionAction.Sell,
            ReasonCodes = _reasons,
            Quantity = quantity,
            OrderType = limit ? OrderType.Limit : OrderType.Market,
            LimitPrice = limit ? Math.Round(buy ? price - offset : price + offset, 2) : null,
            TimeInForce = limit ? tif : TimeInForce.Gtc,
            IntentKey = "i" + (++_intent),
        });
    }

    public void OnFill(Fill fill, IStrategyContext context)
    {
    }
}
