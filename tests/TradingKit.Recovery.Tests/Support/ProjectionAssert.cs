using TradingKit.Engine;
using TradingKit.Orders;
using TradingKit.Portfolio;
using TradingKit.Replay;

namespace TradingKit.Recovery.Tests.Support;

/// <summary>Asserts that projections rebuilt from the log equal the live engine's.</summary>
internal static class ProjectionAssert
{
    public static void EqualToLive(TradingEngine engine, ProjectionRebuilder rebuilt)
    {
        Assert.Empty(rebuilt.Issues);
        var live = engine.Orders.Orders.ToList();
        var liveDenied = live.Where(o => o.Status == OrderStatus.Denied).Select(o => o.ClientOrderId).ToHashSet();
        Assert.Equal(liveDenied.OrderBy(i => i.Value), rebuilt.DeniedOrders.Keys.OrderBy(i => i.Value));
        var liveSent = live.Where(o => o.Status != OrderStatus.Denied).ToList();
        Assert.Equal(liveSent.Count, rebuilt.Orders.Count);
        foreach (var order in liveSent)
        {
            Assert.True(rebuilt.Orders.TryGetValue(order.ClientOrderId, out var r), $"order {order.ClientOrderId} was not rebuilt");
            OrderEqual(order, r.Order);
        }

        Assert.Equal(engine.Orders.FillCount, rebuilt.Fills.Count);
        Assert.All(rebuilt.Fills, f => Assert.True(engine.Orders.TryGetOrder(f.ClientOrderId, out var o) && o.HasFill(f.TradeId)));
        PortfolioEqual(engine.Portfolio, rebuilt.Portfolio);
    }

    public static void OrderEqual(Order live, Order rebuilt)
    {
        var id = live.ClientOrderId;
        Assert.True(live.Status == rebuilt.Status, $"{id}: status {live.Status} live, {rebuilt.Status} rebuilt");
        Assert.Equal(live.StatusBeforePending, rebuilt.StatusBeforePending);
        Assert.Equal(live.Quantity, rebuilt.Quantity);
        Assert.Equal(live.FilledQuantity, rebuilt.FilledQuantity);
        Assert.Equal(live.AverageFillPrice, rebuilt.AverageFillPrice);
        Assert.Equal(live.TotalFees, rebuilt.TotalFees);
        Assert.Equal(live.LimitPrice, rebuilt.LimitPrice);
        Assert.Equal(live.StopPrice, rebuilt.StopPrice);
        Assert.Equal(live.PendingModify, rebuilt.PendingModify);
        Assert.Equal(live.VenueOrderId, rebuilt.VenueOrderId);
        Assert.Equal(live.CreatedAt, rebuilt.CreatedAt);
        Assert.Equal(live.UpdatedAt, rebuilt.UpdatedAt);
        Assert.True(live.Version == rebuilt.Version, $"{id}: version {live.Version} live, {rebuilt.Version} rebuilt");
        if (live.Status != OrderStatus.Expired)
        {
            // An expiry's reason text is not in order_expired.
            Assert.Equal(live.Reason, rebuilt.Reason);
        }
    }

    public static void PortfolioEqual(PortfolioLedger live, PortfolioLedger rebuilt)
    {
        Assert.Equal(live.InitialCash, rebuilt.InitialCash);
        Assert.Equal(live.Cash, rebuilt.Cash);
        Assert.Equal(live.RealizedPnl, rebuilt.RealizedPnl);
        Assert.Equal(live.FillFees, rebuilt.FillFees);
        Assert.Equal(live.TotalFees, rebuilt.TotalFees);
        Assert.Equal(live.FillCount, rebuilt.FillCount);
        Assert.Equal(Legs(live), Legs(rebuilt));
        Assert.Equal(live.ClosedTrades, rebuilt.ClosedTrades);
    }

    private static List<(string, PositionSide, decimal, decimal, decimal, decimal, decimal)> Legs(PortfolioLedger ledger)
        => [.. ledger.AllPositions
            .Select(p => (p.Symbol.Value, p.Side, p.Quantity, p.AveragePrice, p.CostBasis, p.RealizedPnl, p.Fees))
            .OrderBy(p => p.Value).ThenBy(p => p.Side)];
}
