using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Hosting.Tests.Support;
using TradingKit.Replay;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Time;

namespace TradingKit.Hosting.Tests;

/// <summary>
/// The projection worker keeps the read models current while a hosted engine trades: after the session, the projection
/// store holds exactly what a full rebuild of the log writes; a store ahead of its log starts over.
/// </summary>
public sealed class ProjectionWorkerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-hosting-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task WhileTheEngineTrades_TheProjectionsFollowTheLog_EventByEvent_AndEndAsAFullRebuildWouldWriteThem()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var events = new InMemoryEventStore(TimeProvider.System);
        var projections = new InMemoryProjectionStore();
        var trade = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = new ListFeed(TestBars.RandomWalk(300), start: trade.Task);
        using var host = NewHost(feed, events, projections).Build();
        await host.StartAsync(timeout.Token);
        var session = host.Services.GetRequiredService<HostedEngineService>();
        var worker = host.Services.GetRequiredService<ProjectionWorkerService>();

        // The engine has started (its start-up events are in the log) and waits for market data; once the worker has
        // caught up with that, every order and fill reaches it through its subscription, one event at a time.
        await feed.Opened.WaitAsync(timeout.Token);
        await worker.WaitForPositionAsync(await events.GetLastPositionAsync(timeout.Token), timeout.Token);
        var caughtUpAt = worker.Position;
        trade.SetResult();
        await session.SessionEnded.WaitAsync(timeout.Token);
        var end = await events.GetLastPositionAsync(timeout.Token);
        await worker.WaitForPositionAsync(end, timeout.Token);
        Assert.True(end > caughtUpAt + 20, $"the trading must come after the catch-up ({caughtUpAt} of {end})");

        var engine = session.Engine;
        Assert.True(engine.Orders.FillCount > 4, "the session must trade for the comparison to mean anything");
        var expected = await RebuiltAsync(events, engine);
        await AssertSameAsync(expected, projections, engine.AccountId);
        Assert.Equal(end, await projections.GetCheckpointAsync(ProjectionRebuilder.ProjectionName, timeout.Token));
        Assert.Equal(end, worker.Position);
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task ProjectionStore_AheadOfItsLog_IsRebuiltFromScratch()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var events = new InMemoryEventStore(TimeProvider.System);
        var projections = new InMemoryProjectionStore();

        // Rows and a checkpoint of some other, longer log.
        await projections.UpsertOrderAsync(new OrderView(new ClientOrderId("stale-1"), new Symbol("XYZ"), Orders.OrderSide.Buy, Orders.OrderType.Market, 1m, null,
            Orders.OrderStatus.Acknowledged, 0m, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1_000_000), timeout.Token);
        await projections.SaveCheckpointAsync(ProjectionRebuilder.ProjectionName, 1_000_000, timeout.Token);
        using var host = NewHost(new ListFeed(TestBars.RandomWalk(120)), events, projections).Build();

        await host.StartAsync(timeout.Token);
        await host.Services.GetRequiredService<HostedEngineService>().SessionEnded.WaitAsync(timeout.Token);
        var end = await events.GetLastPositionAsync(timeout.Token);
        await host.Services.GetRequiredService<ProjectionWorkerService>().WaitForPositionAsync(end, timeout.Token);

        Assert.Null(await projections.GetOrderAsync(new ClientOrderId("stale-1"), timeout.Token));
        var engine = host.Services.GetRequiredService<TradingEngine>();
        await AssertSameAsync(await RebuiltAsync(events, engine), projections, engine.AccountId);
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task AnOrderThatNeverFills_IsProjectedAcknowledged()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var events = new InMemoryEventStore(TimeProvider.System);
        var projections = new InMemoryProjectionStore();
        var trade = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = new ListFeed(TestBars.RandomWalk(30), start: trade.Task);
        using var host = NewHost(feed, events, projections, new RestingLimitStrategy()).Build();
        await host.StartAsync(timeout.Token);
        var worker = host.Services.GetRequiredService<ProjectionWorkerService>();
        await feed.Opened.WaitAsync(timeout.Token);
        await worker.WaitForPositionAsync(await events.GetLastPositionAsync(timeout.Token), timeout.Token);
        trade.SetResult();
        await host.Services.GetRequiredService<HostedEngineService>().SessionEnded.WaitAsync(timeout.Token);
        await worker.WaitForPositionAsync(await events.GetLastPositionAsync(timeout.Token), timeout.Token);

        // Its events (submitted, accepted) change no fill or position: the row follows the order's own changes.
        var resting = Assert.Single(await projections.ListOrdersAsync(openOnly: true, cancellationToken: timeout.Token));
        Assert.Equal(Orders.OrderType.Limit, resting.Type);
        Assert.Equal(Orders.OrderStatus.Acknowledged, resting.Status);
        await host.StopAsync(timeout.Token);
    }

    private static async Task<InMemoryProjectionStore> RebuiltAsync(IEventStore events, TradingEngine engine)
    {
        var rebuilder = new ProjectionRebuilder(new ProjectionRebuildOptions { AccountId = engine.AccountId, InitialCash = 100_000m, Currency = "USD" });
        await rebuilder.RebuildAsync(events);
        var store = new InMemoryProjectionStore();
        await rebuilder.WriteToAsync(store);
        return store;
    }

    private static async Task AssertSameAsync(IProjectionStore expected, IProjectionStore actual, AccountId account)
    {
        Assert.NotEmpty(await expected.ListOrdersAsync());
        Assert.Equal(await expected.ListOrdersAsync(), await actual.ListOrdersAsync());
        Assert.Equal(await expected.ListFillsAsync(), await actual.ListFillsAsync());
        Assert.Equal(await expected.ListPositionsAsync(account), await actual.ListPositionsAsync(account));
        Assert.Equal(await expected.ListDailySummariesAsync(account), await actual.ListDailySummariesAsync(account));
    }

    private HostApplicationBuilder NewHost(ListFeed feed, IEventStore events, IProjectionStore projections, IStrategy? strategy = null)
    {
        var (builder, tradingKit) = TestHosts.PaperSession("projected-1", _dir, strategy);
        tradingKit.AddHostedEngine(_ => feed, o => o.StopHostWhenSessionEnds = false).AddProjectionWorker();
        builder.Services.RemoveAll<IEventStore>();
        builder.Services.AddSingleton(events);
        builder.Services.RemoveAll<IProjectionStore>();
        builder.Services.AddSingleton(projections);
        return builder;
    }

    /// <summary>Places one limit buy at half the first price, which the random walk never reaches.</summary>
    private sealed class RestingLimitStrategy : IStrategy
    {
        private static readonly string[] Reasons = ["REST"];
        private bool _placed;

        public StrategyId Id { get; } = new("resting-limit");

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnMarketData(TradingKit.MarketData.MarketDataEvent marketData, IStrategyContext context)
        {
            if (_placed)
            {
                return;
            }

            _placed = true;
            context.Decide(new Decision
            {
                Symbol = marketData.Symbol,
                Action = DecisionAction.Buy,
                Quantity = 1m,
                OrderType = Orders.OrderType.Limit,
                LimitPrice = Math.Round(marketData.LastPrice / 2m, 2),
                ReasonCodes = Reasons,
                IntentKey = "rest",
            });
        }

        public void OnFill(Orders.Fill fill, IStrategyContext context)
        {
        }
    }
}
