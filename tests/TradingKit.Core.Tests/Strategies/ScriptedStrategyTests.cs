using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Strategies;
using TradingKit.Testing.Engine;

namespace TradingKit.Core.Tests.Strategies;

/// <summary>The test kit's scripted strategy decides exactly what its script says, on the items it names.</summary>
public sealed class ScriptedStrategyTests
{
    [Fact]
    public void DecidesTheScriptedActions_OnTheirItems_AndHoldsOtherwise()
    {
        var strategy = new ScriptedStrategy("s", 2.5m, (1, DecisionAction.Buy), (3, DecisionAction.Close));
        var context = new RecordingContext();
        var t0 = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

        for (var i = 0; i < 5; i++)
        {
            strategy.OnMarketData(new Bar(new Symbol(i % 2 == 0 ? "AAA" : "BBB"), t0.AddDays(i), t0.AddDays(i + 1), 1m, 1m, 1m, 1m, 1m), context);
        }

        Assert.Equal([DecisionAction.Hold, DecisionAction.Buy, DecisionAction.Hold, DecisionAction.Close, DecisionAction.Hold], context.Decisions.Select(d => d.Action));
        Assert.Equal((new Symbol("BBB"), 2.5m, "item-1"), (context.Decisions[1].Symbol, context.Decisions[1].Quantity, context.Decisions[1].IntentKey));
        Assert.All(context.Decisions, d => Assert.Equal([ScriptedStrategy.Reason], d.ReasonCodes));
        Assert.Equal(5, strategy.ItemsSeen);
    }

    [Fact]
    public void AnItemScriptedTwice_OrANegativeOne_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ScriptedStrategy("s", 1m, (1, DecisionAction.Buy), (1, DecisionAction.Sell)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScriptedStrategy("s", 1m, (-1, DecisionAction.Buy)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScriptedStrategy("s", 0m));
    }

    private sealed class RecordingContext : IStrategyContext
    {
        public List<Decision> Decisions { get; } = [];

        public DateTimeOffset Now => DateTimeOffset.UnixEpoch;

        public SessionId SessionId { get; } = new("scripted");

        public decimal Cash => 0m;

        public decimal Equity => 0m;

        public decimal GetPosition(Symbol symbol) => 0m;

        public decimal? GetLastPrice(Symbol symbol) => null;

        public bool HasOpenOrders(Symbol symbol) => false;

        public void Decide(in Decision decision) => Decisions.Add(decision);
    }
}
