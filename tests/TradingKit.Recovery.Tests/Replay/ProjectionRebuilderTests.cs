using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Orders;
using TradingKit.Recovery.Tests.Support;
using TradingKit.Replay;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Recovery.Tests.Replay;

public sealed class ProjectionRebuilderTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly ClientOrderId Id = new("tk-aaaaaaaaaaaaaaaaaaaaaaaaa");
    private static readonly Symbol Btc = new("BTCUSDT");

    [Fact]
    public async Task InitialCashRecord_BeforeAnyFill_SetsStartingCash()
    {
        var store = new InMemoryEventStore();
        await Append(store, "account-s", new BalanceChanged("USD", 5_000m, 5_000m, 5_000m, ProjectionRebuilder.InitialCashReason));
        await AppendOrder(store, T0, 2m, 100m);

        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = 1m });
        await rebuilder.RebuildAsync(store);

        Assert.Equal(5_000m, rebuilder.Portfolio.InitialCash);
        Assert.Equal(5_000m - 200m - 0.1m, rebuilder.Portfolio.Cash);
        Assert.Empty(rebuilder.Issues);
    }

    [Fact]
    public async Task InitialCashRecord_ThatDisagreesWithASuppliedPortfolio_IsReported()
    {
        var store = new InMemoryEventStore();
        await Append(store, "account-s", new BalanceChanged("USD", 5_000m, 5_000m, 5_000m, ProjectionRebuilder.InitialCashReason));

        var rebuilder = new ProjectionRebuilder(portfolio: new Portfolio.PortfolioLedger(7_000m));
        await rebuilder.RebuildAsync(store);

        Assert.Equal(7_000m, rebuilder.Portfolio.Cash);
        Assert.Equal(RebuildIssueCodes.InitialCashMismatch, Assert.Single(rebuilder.Issues).Code);
    }

    [Fact]
    public async Task Apply_SkipsEnvelopesAlreadyApplied_SoRedeliveryChangesNothing()
    {
        var store = new InMemoryEventStore();
        await AppendOrder(store, T0, 2m, 100m);
        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = 1_000m });
        await rebuilder.RebuildAsync(store);
        var cash = rebuilder.Portfolio.Cash;

        await foreach (var e in store.ReadAllAsync())
        {
            rebuilder.Apply(e);
        }

        Assert.Equal(cash, rebuilder.Portfolio.Cash);
        Assert.Single(rebuilder.Fills);
        Assert.Empty(rebuilder.Issues);
        Assert.Equal(0, await rebuilder.RebuildAsync(store));
    }

    [Fact]
    public async Task OrderEvent_WithoutItsSubmission_IsAnIssue_NotACrash()
    {
        var store = new InMemoryEventStore();
        await Append(store, "order-x", new OrderAccepted(Id, Btc, new VenueOrderId("v1")));

        var rebuilder = new ProjectionRebuilder();
        await rebuilder.RebuildAsync(store);

        var issue = Assert.Single(rebuilder.Issues);
        Assert.Equal(RebuildIssueCodes.UnknownOrder, issue.Code);
        Assert.Equal("order_accepted", issue.EventType);
    }

    [Fact]
    public async Task Transition_TheStateMachineRefuses_IsAnIssue()
    {
        var store = new InMemoryEventStore();
        await AppendOrder(store, T0, 2m, 100m);
        await Append(store, "order-" + Id.Value, new OrderAccepted(Id, Btc, new VenueOrderId("v1")));

        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = 1_000m });
        await rebuilder.RebuildAsync(store);

        Assert.Equal(OrderStatus.Filled, rebuilder.Orders[Id].Order.Status);
        Assert.Equal(RebuildIssueCodes.TransitionNoOp, Assert.Single(rebuilder.Issues).Code);
    }

    [Fact]
    public async Task Rebuilt_OrderStreamVersion_IsTheNextAppendsExpectedVersion()
    {
        var store = new InMemoryEventStore();
        await AppendOrder(store, T0, 2m, 100m);

        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = 1_000m });
        await rebuilder.RebuildAsync(store);

        var version = rebuilder.Orders[Id].StreamVersion;
        Assert.Equal(await store.GetStreamVersionAsync(StreamNames.Order(Id)), version);
        await store.AppendAsync(StreamNames.Order(Id), version, [Data(new OrderCancelled(Id, Btc, 2m, "late"))]);
    }

    [Fact]
    public async Task DailySummaries_SplitRoundTripsAndFeesByFillDay_AndAddUpToTheLiveSession()
    {
        await using var session = RandomSession.Create(3);
        await session.RunAsync(RandomSession.Bars(3, 2500));
        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = session.Options.InitialCash });
        await rebuilder.RebuildAsync(session.Store);

        var days = rebuilder.DailySummaries;
        Assert.True(days.Count >= 2, "2500 one-minute bars span two UTC days");
        var live = session.Engine.Portfolio;
        Assert.Equal(live.ClosedTrades.Count, days.Sum(d => d.Trades));
        Assert.Equal(live.RealizedPnl, days.Sum(d => d.RealizedPnl));
        Assert.Equal(live.FillFees, days.Sum(d => d.Fees));
        foreach (var day in days)
        {
            var closed = live.ClosedTrades.Where(t => DateOnly.FromDateTime(t.ExitTime.UtcDateTime) == day.Date).ToList();
            Assert.Equal(closed.Count(t => t.NetPnl > 0m), day.Wins);
            Assert.Equal(closed.Count(t => t.NetPnl <= 0m), day.Losses);
            Assert.Equal(closed.Select(t => t.NetPnl).Where(p => p < 0m).DefaultIfEmpty(0m).Min(), day.MaxLoss);
            Assert.True(day.MaxDrawdown >= 0m);
        }
    }

    [Fact]
    public async Task WriteTo_ReplacesTheProjectionStoreRows_AndSavesTheCheckpoint()
    {
        await using var session = RandomSession.Create(5);
        await session.RunAsync(RandomSession.Bars(5, 200));
        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = session.Options.InitialCash });
        await rebuilder.RebuildAsync(session.Store);
        var projections = new InMemoryProjectionStore();
        await projections.UpsertOrderAsync(new OrderView(new ClientOrderId("stale-order"), Btc, OrderSide.Buy, OrderType.Market, 1m, null,
            OrderStatus.Submitted, 0m, null, null, T0, T0, 1));

        await rebuilder.WriteToAsync(projections);

        var orders = await projections.ListOrdersAsync();
        Assert.Equal(rebuilder.Orders.Count, orders.Count);
        Assert.DoesNotContain(orders, o => o.ClientOrderId.Value == "stale-order");
        foreach (var row in orders)
        {
            Assert.True(session.Engine.Orders.TryGetOrder(row.ClientOrderId, out var live));
            Assert.Equal(live.Status, row.Status);
            Assert.Equal(live.FilledQuantity, row.FilledQuantity);
        }

        Assert.Equal(session.Engine.Orders.FillCount, (await projections.ListFillsAsync()).Count);
        var account = new AccountId("paper-account");
        foreach (var position in await projections.ListPositionsAsync(account))
        {
            Assert.Equal(session.Engine.Portfolio.GetNetQuantity(position.Symbol), position.Quantity);
        }

        Assert.Equal(rebuilder.LastPosition, await projections.GetCheckpointAsync(ProjectionRebuilder.ProjectionName));
        Assert.Equal(rebuilder.DailySummaries.Count, (await projections.ListDailySummariesAsync(account)).Count);
    }

    [Fact]
    public async Task FundingDepositsAndWithdrawals_MoveRebuiltCash()
    {
        var store = new InMemoryEventStore();
        await Append(store, "account-s", new FundingApplied(Btc, "USD", -3m, 0.0001m, 1m));
        await Append(store, "account-s", new DepositRecorded("d1", "USD", 100m, TransferStatus.Completed));
        await Append(store, "account-s", new DepositRecorded("d2", "USD", 999m, TransferStatus.Detected));
        await Append(store, "account-s", new WithdrawalRecorded("w1", "USD", 50m, 1m, TransferStatus.Completed, null));

        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { InitialCash = 1_000m });
        await rebuilder.RebuildAsync(store);

        Assert.Equal(1_000m - 3m + 100m - 50m - 1m, rebuilder.Portfolio.Cash);
        Assert.Equal(-3m, rebuilder.Portfolio.TotalFunding);
    }

    [Fact]
    public async Task Quarantines_StartedAndNotCompleted_AreActive()
    {
        var store = new InMemoryEventStore();
        await Append(store, "reconcile-s", new QuarantineStarted("BTCUSDT", "position mismatch"));
        await Append(store, "reconcile-s", new QuarantineStarted("ETHUSDT", "external order"));
        await Append(store, "reconcile-s", new QuarantineCompleted("ETHUSDT", "operator"));

        var rebuilder = new ProjectionRebuilder();
        await rebuilder.RebuildAsync(store);

        Assert.Equal(["BTCUSDT"], rebuilder.ActiveQuarantines.Keys);
    }

    private static EventData Data(ITradingEvent payload, DateTimeOffset? at = null, string? dedup = null)
        => new(Guid.NewGuid(), payload, at ?? T0, CorrelationId.New(), null, dedup);

    private static ValueTask<AppendResult> Append(InMemoryEventStore store, string stream, ITradingEvent payload)
        => store.AppendAsync(stream, ExpectedVersion.Any, [Data(payload)]);

    private static async Task AppendOrder(InMemoryEventStore store, DateTimeOffset at, decimal quantity, decimal price)
    {
        var request = new OrderRequest { ClientOrderId = Id, Symbol = Btc, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = quantity };
        await store.AppendAsync(StreamNames.Order(Id), ExpectedVersion.Any,
        [
            Data(OrderSubmitted.From(request, new StrategyId("s"), null), at),
            Data(new OrderAccepted(Id, Btc, new VenueOrderId("v1")), at),
            Data(new OrderFilled
            {
                TradeId = new TradeId("t1"),
                ClientOrderId = Id,
                VenueOrderId = new VenueOrderId("v1"),
                Symbol = Btc,
                Side = OrderSide.Buy,
                Quantity = quantity,
                Price = price,
                Fee = 0.1m,
                FeeCurrency = "USD",
                Liquidity = LiquiditySide.Taker,
                PositionSide = PositionSide.Both,
                ExecutedAt = at,
            }, at, "fill:t1"),
        ]);
    }
}
