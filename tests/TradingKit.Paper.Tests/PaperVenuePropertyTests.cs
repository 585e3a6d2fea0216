using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

public sealed class PaperVenuePropertyTests
{
    private static readonly Symbol[] Symbols = [new("AAA"), new("BBB")];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(2024)]
    public async Task RandomBarsAndOrders_FillsStayInsideTheirBar_AndCashAndPositionsReconcileWithTheFills(int seed)
    {
        var h = new VenueHarness(o =>
        {
            o.InitialCash = 1_000_000m;
            o.SlippageBps = 25m;
            o.MakerFeeBps = -1m;
            o.TakerFeeBps = 6m;
            o.ParticipationRate = 0.25m;
        });
        var random = new Random(seed);
        var bars = new Dictionary<(Symbol, DateTimeOffset), Bar>();
        var requests = new Dictionary<ClientOrderId, OrderRequest>();
        var budgetUsed = new Dictionary<(Symbol, DateTimeOffset, OrderSide), decimal>();
        var prices = Symbols.ToDictionary(s => s, _ => 100m);

        for (var step = 0; step < 400; step++)
        {
            var symbol = Symbols[step % Symbols.Length];
            for (var n = random.Next(0, 4); n > 0; n--)
            {
                var request = RandomOrder(random, h.NextId(), symbol, prices[symbol], h.Clock.GetUtcNow());
                requests[request.ClientOrderId] = request;
                await h.SubmitAsync(request);
            }

            if (random.Next(10) == 0 && await h.Venue.GetOpenOrdersAsync(symbol) is [var open, ..])
            {
                await h.Venue.CancelAsync(symbol, open.ClientOrderId);
            }

            var bar = RandomBar(random, prices[symbol]);
            prices[symbol] = bar.Close;
            var published = h.Bar(bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, symbol);
            bars[(symbol, published.Timestamp)] = published;
        }

        var fills = await h.Venue.GetRecentFillsAsync(null, DateTimeOffset.MinValue);
        Assert.True(fills.Count > 100, $"seed {seed}: the run should trade a lot, got {fills.Count} fills");
        foreach (var fill in fills)
        {
            var bar = bars[(fill.Symbol, fill.Timestamp)];
            Assert.InRange(fill.Price, bar.Low, bar.High);
            Assert.True(fill.Quantity > 0m);
            var key = (fill.Symbol, fill.Timestamp, fill.Side);
            budgetUsed[key] = budgetUsed.GetValueOrDefault(key) + fill.Quantity;
            Assert.True(budgetUsed[key] <= bar.Volume * 0.25m, $"fills on {key} exceed the participation cap");
            var request = requests[fill.ClientOrderId];
            Assert.Equal(request.Side, fill.Side);
            if (request.LimitPrice is { } limit && request.Type == OrderType.Limit)
            {
                Assert.True(fill.Side == OrderSide.Buy ? fill.Price <= limit : fill.Price >= limit, $"fill {fill.TradeId} at {fill.Price} is worse than its limit {limit}");
            }
        }

        Assert.Equal(fills.Count, fills.Select(f => f.TradeId).Distinct().Count());
        foreach (var group in fills.GroupBy(f => f.ClientOrderId))
        {
            var state = await h.Venue.QueryOrderAsync(requests[group.Key].Symbol, group.Key);
            Assert.Equal(group.Sum(f => f.Quantity), state!.FilledQuantity);
            Assert.True(state.FilledQuantity <= requests[group.Key].Quantity);
        }

        var expectedCash = 1_000_000m - fills.Sum(f => (f.SignedQuantity * f.Price) + f.Fee);
        Assert.Equal(expectedCash, await h.CashAsync());

        var positions = await h.Venue.GetPositionsAsync();
        foreach (var symbol in Symbols)
        {
            var expected = fills.Where(f => f.Symbol == symbol).Sum(f => f.SignedQuantity);
            Assert.Equal(expected, positions.Where(p => p.Symbol == symbol).Sum(p => p.Quantity));
        }

        // Marked at the last close, equity is the starting cash plus every fill's mark-to-market minus fees.
        var equity = await h.CashAsync() + positions.Sum(p => p.Quantity * prices[p.Symbol]);
        var expectedEquity = 1_000_000m + fills.Sum(f => ((prices[f.Symbol] - f.Price) * f.SignedQuantity) - f.Fee);
        Assert.Equal(expectedEquity, equity);
        Assert.Equal(equity - await h.CashAsync() - positions.Sum(p => p.Quantity * p.AveragePrice), positions.Sum(p => p.UnrealizedPnl ?? 0m), 10);
    }

    private static Bar RandomBar(Random random, decimal previousClose)
    {
        var open = Math.Round(previousClose * (1m + (((decimal)random.NextDouble() - 0.5m) / 25m)), 2);
        var close = Math.Round(open * (1m + (((decimal)random.NextDouble() - 0.5m) / 25m)), 2);
        var high = Math.Max(open, close) + Math.Round((decimal)random.NextDouble() * 2m, 2);
        var low = Math.Min(open, close) - Math.Round((decimal)random.NextDouble() * 2m, 2);
        return new Bar(Symbols[0], default, default, open, high, low, close, random.Next(0, 200));
    }

    private static OrderRequest RandomOrder(Random random, ClientOrderId id, Symbol symbol, decimal price, DateTimeOffset now)
    {
        var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
        var sign = side == OrderSide.Buy ? 1m : -1m;
        var away = Math.Round(price * (decimal)random.NextDouble() / 25m, 2);
        var type = (OrderType)random.Next(1, 8);
        var tif = type == OrderType.Limit ? (TimeInForce)random.Next(1, 7) : random.Next(4) == 0 ? TimeInForce.Ioc : TimeInForce.Gtc;
        return new OrderRequest
        {
            ClientOrderId = id,
            Symbol = symbol,
            Side = side,
            Type = type,
            Quantity = random.Next(1, 40),
            LimitPrice = type is OrderType.Limit or OrderType.StopLimit or OrderType.TakeProfitLimit ? price - (sign * away) + (sign * 0.5m) : null,
            StopPrice = type switch
            {
                OrderType.StopMarket or OrderType.StopLimit => price + (sign * away),
                OrderType.TakeProfitMarket or OrderType.TakeProfitLimit => price - (sign * away),
                _ => null,
            },
            TrailingOffset = type == OrderType.TrailingStop ? away + 0.5m : null,
            TimeInForce = tif,
            ExpireAt = tif == TimeInForce.Gtd ? now.AddDays(random.Next(1, 6)) : null,
            ReduceOnly = random.Next(8) == 0,
        };
    }
}
