using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Testing;

/// <summary>
/// The broker adapter conformance suite (after LEAN's brokerage tests): derive it once per adapter, supply the adapter and a
/// way to move its market, and every behaviour the OMS relies on is checked against it.
/// </summary>
/// <remarks>
/// <para>xunit creates one instance per test, so <see cref="Adapter"/> must be a fresh adapter with a flat account and no
/// orders. The suite assumes the account can go long and short (netting) and that the venue fills market orders and
/// marketable limits when <see cref="DriveMarketAsync"/> trades.</para>
/// <para>Reports are read with <see cref="DrainReportsAsync"/>; the default reads what is already on the stream (simulated
/// venues publish synchronously). An adapter whose reports arrive later overrides it to wait for its own signal.</para>
/// </remarks>
public abstract class BrokerAdapterContractTests
{
    private int _ids;

    /// <summary>The adapter under test: fresh for each test, flat, without orders.</summary>
    protected abstract IBrokerAdapter Adapter { get; }

    /// <summary>The instrument the suite trades.</summary>
    protected abstract Symbol Symbol { get; }

    /// <summary>The price the market trades at; limits far from it never fill.</summary>
    protected abstract decimal MarketPrice { get; }

    /// <summary>The unit quantity the suite orders (a valid step for the instrument).</summary>
    protected virtual decimal Quantity => 1m;

    /// <summary>
    /// Makes the market trade at <paramref name="price"/> with <paramref name="liquidity"/> available to the adapter's orders
    /// on each side, and lets the venue match. Nothing fills without it.
    /// </summary>
    /// <param name="price">The traded price.</param>
    /// <param name="liquidity">The most the venue may fill per side on this move.</param>
    /// <returns>A task completing when the venue has processed the move.</returns>
    protected abstract ValueTask DriveMarketAsync(decimal price, decimal liquidity);

    /// <summary>Rounds a price the suite computes to the instrument's tick.</summary>
    /// <param name="price">A price.</param>
    /// <returns>A valid price.</returns>
    protected virtual decimal RoundPrice(decimal price) => Math.Round(price, 2);

    /// <summary>Everything the adapter has reported since the last call.</summary>
    /// <returns>The reports, in stream order.</returns>
    protected virtual ValueTask<IReadOnlyList<ExecutionReport>> DrainReportsAsync()
    {
        var reports = new List<ExecutionReport>();
        while (Adapter.Events.TryRead(out var venueEvent))
        {
            if (venueEvent is ExecutionReport report)
            {
                reports.Add(report);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ExecutionReport>>(reports);
    }

    /// <summary>Long from zero: market buy, fills and opens a long position.</summary>
    [Fact]
    public async Task LongFromZero_MarketBuy_FillsAndOpensALongPosition()
    {
        await Adapter.ConnectAsync();
        var order = Market(OrderSide.Buy, Quantity);

        Assert.True((await Adapter.SubmitAsync(order)).Accepted);
        await DriveMarketAsync(MarketPrice, Quantity * 10m);

        var reports = await DrainReportsAsync();
        Assert.Equal(Quantity, Filled(reports, order.ClientOrderId));
        Assert.Equal(OrderStatus.Filled, (await QueryAsync(order.ClientOrderId)).Status);
        Assert.Equal(Quantity, await PositionAsync());
    }

    /// <summary>Close from long: market sell, flattens the position.</summary>
    [Fact]
    public async Task CloseFromLong_MarketSell_FlattensThePosition()
    {
        await Adapter.ConnectAsync();
        await FillAsync(Market(OrderSide.Buy, Quantity));

        var close = Market(OrderSide.Sell, Quantity);
        await FillAsync(close);

        Assert.Equal(OrderStatus.Filled, (await QueryAsync(close.ClientOrderId)).Status);
        Assert.Equal(0m, await PositionAsync());
    }

    /// <summary>Short from zero: market sell, opens a short position.</summary>
    [Fact]
    public async Task ShortFromZero_MarketSell_OpensAShortPosition()
    {
        await Adapter.ConnectAsync();

        await FillAsync(Market(OrderSide.Sell, Quantity));

        Assert.Equal(-Quantity, await PositionAsync());
    }

    /// <summary>Long from short: buying twice the short, ends long.</summary>
    [Fact]
    public async Task LongFromShort_BuyingTwiceTheShort_EndsLong()
    {
        await Adapter.ConnectAsync();
        await FillAsync(Market(OrderSide.Sell, Quantity));

        await FillAsync(Market(OrderSide.Buy, Quantity * 2m));

        Assert.Equal(Quantity, await PositionAsync());
    }

    /// <summary>Partial fill: then cancel, keeps the filled part, and stops working.</summary>
    [Fact]
    public async Task PartialFill_ThenCancel_KeepsTheFilledPart_AndStopsWorking()
    {
        await Adapter.ConnectAsync();
        var order = Limit(OrderSide.Buy, Quantity * 3m, RoundPrice(MarketPrice * 1.01m));
        await Adapter.SubmitAsync(order);

        await DriveMarketAsync(MarketPrice, Quantity);
        var partial = await QueryAsync(order.ClientOrderId);
        Assert.Equal(OrderStatus.PartiallyFilled, partial.Status);
        Assert.Equal(Quantity, partial.FilledQuantity);

        Assert.True((await Adapter.CancelAsync(Symbol, order.ClientOrderId)).Accepted);
        await DriveMarketAsync(MarketPrice, Quantity * 10m);

        var reports = await DrainReportsAsync();
        var cancelled = Assert.Single(reports, r => r.ClientOrderId == order.ClientOrderId && r.Kind == ExecutionKind.Cancelled);
        Assert.Equal(Quantity, cancelled.CumulativeQuantity);
        var final = await QueryAsync(order.ClientOrderId);
        Assert.Equal(OrderStatus.Cancelled, final.Status);
        Assert.Equal(Quantity, final.FilledQuantity);
        Assert.Equal(Quantity, await PositionAsync());
        Assert.Empty(await Adapter.GetOpenOrdersAsync(Symbol));
    }

    /// <summary>Update: then cancel, applies the new terms, then cancels.</summary>
    [Fact]
    public async Task Update_ThenCancel_AppliesTheNewTerms_ThenCancels()
    {
        await Adapter.ConnectAsync();
        var order = Limit(OrderSide.Buy, Quantity, RoundPrice(MarketPrice * 0.5m));
        await Adapter.SubmitAsync(order);

        var newPrice = RoundPrice(MarketPrice * 0.6m);
        Assert.True((await Adapter.ModifyAsync(new ModifyRequest(order.ClientOrderId, Symbol, Quantity * 2m, newPrice))).Accepted);
        await DriveMarketAsync(MarketPrice, Quantity * 10m);
        var updated = await QueryAsync(order.ClientOrderId);
        Assert.Equal((Quantity * 2m, newPrice, 0m), (updated.Quantity, updated.LimitPrice, updated.FilledQuantity));
        Assert.Contains(await DrainReportsAsync(), r => r.ClientOrderId == order.ClientOrderId && r.Kind == ExecutionKind.Updated);

        Assert.True((await Adapter.CancelAsync(Symbol, order.ClientOrderId)).Accepted);

        Assert.Contains(await DrainReportsAsync(), r => r.ClientOrderId == order.ClientOrderId && r.Kind == ExecutionKind.Cancelled);
        Assert.Equal(OrderStatus.Cancelled, (await QueryAsync(order.ClientOrderId)).Status);
    }

    /// <summary>Query: unknown client order id, returns null.</summary>
    [Fact]
    public async Task Query_UnknownClientOrderId_ReturnsNull()
    {
        await Adapter.ConnectAsync();

        Assert.Null(await Adapter.QueryOrderAsync(Symbol, NextId()));
    }

    /// <summary>Cancel: unknown client order id, is refused not thrown.</summary>
    [Fact]
    public async Task Cancel_UnknownClientOrderId_IsRefusedNotThrown()
    {
        await Adapter.ConnectAsync();

        var result = await Adapter.CancelAsync(Symbol, NextId());

        Assert.False(result.Accepted);
        Assert.False(string.IsNullOrEmpty(result.RejectCode));
    }

    /// <summary>Open orders: lists working orders only.</summary>
    [Fact]
    public async Task OpenOrders_ListsWorkingOrdersOnly()
    {
        await Adapter.ConnectAsync();
        var first = Limit(OrderSide.Buy, Quantity, RoundPrice(MarketPrice * 0.5m));
        var second = Limit(OrderSide.Sell, Quantity, RoundPrice(MarketPrice * 1.5m));
        await Adapter.SubmitAsync(first);
        await Adapter.SubmitAsync(second);

        var open = await Adapter.GetOpenOrdersAsync(Symbol);
        Assert.Equal([first.ClientOrderId, second.ClientOrderId], open.Select(o => o.ClientOrderId).Order(Comparer<ClientOrderId>.Create((a, b) => string.CompareOrdinal(a.Value, b.Value))));

        await Adapter.CancelAsync(Symbol, first.ClientOrderId);
        var remaining = Assert.Single(await Adapter.GetOpenOrdersAsync(Symbol));
        Assert.Equal(second.ClientOrderId, remaining.ClientOrderId);
        Assert.Equal(OrderSide.Sell, remaining.Side);
        Assert.Equal(Quantity, remaining.Quantity);
    }

    /// <summary>Duplicate client order id: creates one order.</summary>
    [Fact]
    public async Task DuplicateClientOrderId_CreatesOneOrder()
    {
        await Adapter.ConnectAsync();
        var order = Limit(OrderSide.Buy, Quantity, RoundPrice(MarketPrice * 0.5m));

        var first = await Adapter.SubmitAsync(order);
        var second = await Adapter.SubmitAsync(order);

        Assert.True(first.Accepted);
        Assert.True(!second.Accepted || second.VenueOrderId == first.VenueOrderId, "a duplicate id must be refused or answered with the existing order");
        Assert.Single(await Adapter.GetOpenOrdersAsync(Symbol), o => o.ClientOrderId == order.ClientOrderId);
    }

    /// <summary>Fills: carry unique trade ids, and appear in recent fills.</summary>
    [Fact]
    public async Task Fills_CarryUniqueTradeIds_AndAppearInRecentFills()
    {
        await Adapter.ConnectAsync();
        var order = Market(OrderSide.Buy, Quantity * 2m);
        await Adapter.SubmitAsync(order);
        await DriveMarketAsync(MarketPrice, Quantity);
        await DriveMarketAsync(MarketPrice, Quantity);

        var fills = (await DrainReportsAsync()).Where(r => r.Kind == ExecutionKind.Trade).Select(r => r.Fill!).ToList();
        var recent = await Adapter.GetRecentFillsAsync(Symbol, DateTimeOffset.MinValue);

        Assert.Equal(Quantity * 2m, fills.Sum(f => f.Quantity));
        Assert.Equal(fills.Count, fills.Select(f => f.TradeId).Distinct().Count());
        Assert.Equal(fills.Select(f => f.TradeId).ToHashSet(), recent.Where(f => f.ClientOrderId == order.ClientOrderId).Select(f => f.TradeId).ToHashSet());
    }

    /// <summary>A new client order id, unique within the test.</summary>
    /// <returns>The id.</returns>
    protected ClientOrderId NextId() => new($"contract-{++_ids}");

    private OrderRequest Market(OrderSide side, decimal quantity)
        => new() { ClientOrderId = NextId(), Symbol = Symbol, Side = side, Type = OrderType.Market, Quantity = quantity };

    private OrderRequest Limit(OrderSide side, decimal quantity, decimal price)
        => new() { ClientOrderId = NextId(), Symbol = Symbol, Side = side, Type = OrderType.Limit, Quantity = quantity, LimitPrice = price };

    private async Task FillAsync(OrderRequest order)
    {
        Assert.True((await Adapter.SubmitAsync(order)).Accepted);
        await DriveMarketAsync(MarketPrice, order.Quantity * 10m);
        Assert.Equal(order.Quantity, Filled(await DrainReportsAsync(), order.ClientOrderId));
    }

    private async Task<VenueOrderState> QueryAsync(ClientOrderId id)
        => await Adapter.QueryOrderAsync(Symbol, id) ?? throw new Xunit.Sdk.XunitException($"the venue does not know order {id}");

    private async Task<decimal> PositionAsync()
        => (await Adapter.GetPositionsAsync()).Where(p => p.Symbol == Symbol).Sum(p => p.Quantity);

    private static decimal Filled(IEnumerable<ExecutionReport> reports, ClientOrderId id)
        => reports.Where(r => r.ClientOrderId == id && r.Kind == ExecutionKind.Trade).Sum(r => r.Fill!.Quantity);
}
