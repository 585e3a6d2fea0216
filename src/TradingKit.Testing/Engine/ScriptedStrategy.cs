using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Strategies;

namespace TradingKit.Testing.Engine;

/// <summary>
/// A strategy for engine tests: on the given market data items (counted from 0, per strategy, over every symbol it is
/// shown) it decides the given action for a fixed quantity, with an intent key per item so every decision is its own
/// order; on every other item it holds. Reason code <c>SCRIPTED</c>.
/// </summary>
public sealed class ScriptedStrategy : IStrategy
{
    /// <summary>The reason code of every decision.</summary>
    public const string Reason = "SCRIPTED";

    private static readonly string[] Reasons = [Reason];
    private readonly Dictionary<int, DecisionAction> _script = [];
    private readonly decimal _quantity;
    private int _item = -1;

    /// <summary>Creates the strategy.</summary>
    /// <param name="id">The strategy id.</param>
    /// <param name="quantity">The quantity of its buys and sells (a close takes the whole position).</param>
    /// <param name="script">What to decide, and on which item.</param>
    /// <exception cref="ArgumentException">An item appears twice, or is negative.</exception>
    public ScriptedStrategy(string id, decimal quantity, params (int Item, DecisionAction Action)[] script)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        Id = new StrategyId(id);
        _quantity = quantity;
        foreach (var (item, action) in script)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(item, nameof(script));
            if (!_script.TryAdd(item, action))
            {
                throw new ArgumentException($"Item {item} is scripted twice.", nameof(script));
            }
        }
    }

    /// <inheritdoc />
    public StrategyId Id { get; }

    /// <summary>Market data items seen so far.</summary>
    public int ItemsSeen => _item + 1;

    /// <inheritdoc />
    public void OnStart(IStrategyContext context)
    {
    }

    /// <inheritdoc />
    public void OnFill(Fill fill, IStrategyContext context)
    {
    }

    /// <inheritdoc />
    public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(marketData);
        ArgumentNullException.ThrowIfNull(context);
        _item++;
        context.Decide(_script.TryGetValue(_item, out var action)
            ? new Decision { Symbol = marketData.Symbol, Action = action, Quantity = _quantity, ReasonCodes = Reasons, IntentKey = "item-" + _item }
            : Decision.Hold(marketData.Symbol, Reasons));
    }
}
