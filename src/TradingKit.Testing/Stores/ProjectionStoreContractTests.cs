using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IProjectionStore"/> shares.</summary>
public abstract class ProjectionStoreContractTests : StoreContractTests<IProjectionStore>
{
    private static readonly AccountId Account = new("acc-1");

    /// <summary>Upsert order: inserts then replaces, and ignores an older row.</summary>
    [Fact]
    public async Task UpsertOrder_InsertsThenReplaces_AndIgnoresAnOlderRow()
    {
        var order = Order("o-1", OrderStatus.Submitted, position: 5);
        var filled = order with { Status = OrderStatus.Filled, FilledQuantity = 0.5m, AverageFillPrice = 101.25m, VenueOrderId = new VenueOrderId("v-9"), LastEventPosition = 8 };

        Assert.True(await Store.UpsertOrderAsync(order));
        Assert.True(await Store.UpsertOrderAsync(filled));
        Assert.False(await Store.UpsertOrderAsync(order));

        Assert.Equal(filled, await Store.GetOrderAsync(new ClientOrderId("o-1")));
        Assert.Null(await Store.GetOrderAsync(new ClientOrderId("missing")));
    }

    /// <summary>List orders: filters by symbol and open status.</summary>
    [Fact]
    public async Task ListOrders_FiltersBySymbolAndOpenStatus()
    {
        await Store.UpsertOrderAsync(Order("o-1", OrderStatus.Acknowledged, symbol: "BTC"));
        await Store.UpsertOrderAsync(Order("o-2", OrderStatus.Filled, symbol: "BTC", createdSecond: 1));
        await Store.UpsertOrderAsync(Order("o-3", OrderStatus.New, symbol: "ETH", createdSecond: 2));
        await Store.UpsertOrderAsync(Order("o-4", OrderStatus.Cancelled, symbol: "ETH", createdSecond: 3));

        Assert.Equal(["o-1", "o-2", "o-3", "o-4"], (await Store.ListOrdersAsync()).Select(o => o.ClientOrderId.Value));
        Assert.Equal(["o-1", "o-3"], (await Store.ListOrdersAsync(openOnly: true)).Select(o => o.ClientOrderId.Value));
        Assert.Equal(["o-3"], (await Store.ListOrdersAsync(new Symbol("ETH"), openOnly: true)).Select(o => o.ClientOrderId.Value));
        Assert.Equal(["o-1", "o-2"], (await Store.ListOrdersAsync(new Symbol("BTC"))).Select(o => o.ClientOrderId.Value));
    }

    /// <summary>Add fill: is written once per trade id.</summary>
    [Fact]
    public async Task AddFill_IsWrittenOncePerTradeId()
    {
        var fill = Fill("t-1", "o-1", 3);

        Assert.True(await Store.AddFillAsync(fill));
        Assert.False(await Store.AddFillAsync(fill with { Quantity = 99m }));
        await Store.AddFillAsync(Fill("t-0", "o-2", 1));
        await Store.AddFillAsync(Fill("t-2", "o-1", 7));

        Assert.Equal([fill, Fill("t-2", "o-1", 7)], await Store.ListFillsAsync(new ClientOrderId("o-1")));
        Assert.Equal(["t-0", "t-1", "t-2"], (await Store.ListFillsAsync()).Select(f => f.TradeId.Value));
    }

    /// <summary>Positions: upsert get and list per account, keeping decimal precision.</summary>
    [Fact]
    public async Task Positions_UpsertGetAndListPerAccount_KeepingDecimalPrecision()
    {
        var btc = new PositionView(Account, new Symbol("BTC"), -0.00000001m, 98765.43210987m, 12345678901234.5678m, 0.1m, StoreTestData.Start, 4);
        var eth = new PositionView(Account, new Symbol("ETH"), 2m, 3000m, 0m, 0m, StoreTestData.Start, 5);
        var other = eth with { AccountId = new AccountId("acc-2") };

        await Store.UpsertPositionAsync(eth);
        await Store.UpsertPositionAsync(btc);
        await Store.UpsertPositionAsync(other);
        Assert.False(await Store.UpsertPositionAsync(btc with { Quantity = 5m, LastEventPosition = 3 }));

        Assert.Equal(btc, await Store.GetPositionAsync(Account, new Symbol("BTC")));
        Assert.Equal([btc, eth], await Store.ListPositionsAsync(Account));
        Assert.Null(await Store.GetPositionAsync(Account, new Symbol("XRP")));
    }

    /// <summary>Daily summaries: upsert get and list oldest first.</summary>
    [Fact]
    public async Task DailySummaries_UpsertGetAndListOldestFirst()
    {
        var day2 = new DailySummaryView(Account, new DateOnly(2025, 1, 3), 4, 3, 1, 120.5m, 2.25m, -10m, 15m, StoreTestData.Start, 9);
        var day1 = day2 with { Date = new DateOnly(2025, 1, 2), Trades = 1, LastEventPosition = 2 };

        await Store.UpsertDailySummaryAsync(day2);
        await Store.UpsertDailySummaryAsync(day1);
        var updated = day2 with { Trades = 5, Wins = 4, LastEventPosition = 11 };
        await Store.UpsertDailySummaryAsync(updated);

        Assert.Equal(updated, await Store.GetDailySummaryAsync(Account, new DateOnly(2025, 1, 3)));
        Assert.Equal([day1, updated], await Store.ListDailySummariesAsync(Account));
    }

    /// <summary>Checkpoints: are saved per projection.</summary>
    [Fact]
    public async Task Checkpoints_AreSavedPerProjection()
    {
        Assert.Equal(0, await Store.GetCheckpointAsync("orders"));

        await Store.SaveCheckpointAsync("orders", 42);
        await Store.SaveCheckpointAsync("orders", 43);
        await Store.SaveCheckpointAsync("positions", 7);

        Assert.Equal(43, await Store.GetCheckpointAsync("orders"));
        Assert.Equal(7, await Store.GetCheckpointAsync("positions"));
    }

    /// <summary>Reset: clears every projection and checkpoint.</summary>
    [Fact]
    public async Task Reset_ClearsEveryProjectionAndCheckpoint()
    {
        await Store.UpsertOrderAsync(Order("o-1", OrderStatus.New));
        await Store.AddFillAsync(Fill("t-1", "o-1", 1));
        await Store.UpsertPositionAsync(new PositionView(Account, new Symbol("BTC"), 1m, 1m, 0m, 0m, StoreTestData.Start, 1));
        await Store.UpsertDailySummaryAsync(new DailySummaryView(Account, new DateOnly(2025, 1, 2), 1, 1, 0, 1m, 0m, 0m, 0m, StoreTestData.Start, 1));
        await Store.SaveCheckpointAsync("all", 5);

        await Store.ResetAsync();

        Assert.Empty(await Store.ListOrdersAsync());
        Assert.Empty(await Store.ListFillsAsync());
        Assert.Empty(await Store.ListPositionsAsync(Account));
        Assert.Empty(await Store.ListDailySummariesAsync(Account));
        Assert.Equal(0, await Store.GetCheckpointAsync("all"));
        Assert.True(await Store.UpsertOrderAsync(Order("o-1", OrderStatus.New, position: 0)));
    }

    private static OrderView Order(string id, OrderStatus status, string symbol = "BTC", long position = 1, int createdSecond = 0) =>
        new(new ClientOrderId(id), new Symbol(symbol), OrderSide.Buy, OrderType.Limit, 0.5m, 100.5m, status, 0m, null, null,
            StoreTestData.Start.AddSeconds(createdSecond), StoreTestData.Start.AddSeconds(createdSecond), position);

    private static FillView Fill(string tradeId, string order, long position) =>
        new(new TradeId(tradeId), new ClientOrderId(order), new Symbol("BTC"), OrderSide.Sell, 0.25m, 101.125m, 0.01m, "USDT",
            LiquiditySide.Maker, StoreTestData.Start.AddSeconds(position), position);
}
