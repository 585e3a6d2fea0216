using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Orders;
using TradingKit.Recovery.Tests.Support;

namespace TradingKit.Recovery.Tests.Streams;

public sealed class VenueEventMergerTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);
    private static readonly ClientOrderId Id = new("tk-merge");
    private static readonly Symbol Spx = new("SPX");

    [Fact]
    public void FillSeenOnTheStreamThenByAPoll_IsEmittedOnce()
    {
        var clock = new FakeTimeProvider(T0);
        var merger = new VenueEventMerger("paper", clock, T0);
        var fill = Fill("t1", T0);
        clock.Advance(TimeSpan.FromMilliseconds(150));

        var fromStream = merger.OnStream(Trade(fill, 1m));
        var (fromPoll, _) = merger.OnPoll([], [fill]);

        Assert.Single(fromStream.Reports);
        Assert.Empty(fromPoll.Reports);
        Assert.Equal(1, merger.Duplicates);
        Assert.Equal(new FillLatencyStats(1, TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(150)), merger.StreamLatency);
        Assert.Equal(0, merger.PollLatency.Count);
    }

    [Fact]
    public void FillSeenByAPollThenLateOnTheStream_IsEmittedOnce_WithPollLatency()
    {
        var clock = new FakeTimeProvider(T0);
        var merger = new VenueEventMerger("paper", clock, T0);
        var fill = Fill("t1", T0);
        clock.Advance(TimeSpan.FromSeconds(4));

        var (fromPoll, _) = merger.OnPoll([], [fill]);
        var fromStream = merger.OnStream(Trade(fill, 1m));

        var report = Assert.Single(fromPoll.Reports);
        Assert.Equal(ExecutionKind.Trade, report.Kind);
        Assert.Same(fill, report.Fill);
        Assert.Empty(fromStream.Reports);
        Assert.Equal(TimeSpan.FromSeconds(4), merger.PollLatency.Max);
    }

    [Fact]
    public void Statuses_AreDeduplicatedByOrderStatusAndCumulativeQuantity()
    {
        var clock = new FakeTimeProvider(T0);
        var merger = new VenueEventMerger("paper", clock, T0);

        Assert.Single(merger.OnStream(Status(ExecutionKind.Accepted, OrderStatus.Acknowledged, 0m)).Reports);
        Assert.Empty(merger.OnPoll([State(OrderStatus.Acknowledged, 0.00m)], []).Batch.Reports);
        Assert.Empty(merger.OnPoll([State(OrderStatus.PartiallyFilled, 1m)], []).Batch.Reports);

        var (_, vanished) = merger.OnPoll([], []);
        Assert.Equal([(Id, Spx)], vanished);
        var cancelled = merger.OnQueried(Id, State(OrderStatus.Cancelled, 1m));
        Assert.Equal(ExecutionKind.Cancelled, Assert.Single(cancelled.Reports).Kind);
        Assert.Empty(merger.OnStream(Status(ExecutionKind.Cancelled, OrderStatus.Cancelled, 1m)).Reports);
        Assert.Empty(merger.OnPoll([], []).Vanished);
    }

    [Fact]
    public void ReportsThePollCannotProduce_PassThrough()
    {
        var merger = new VenueEventMerger("paper", new FakeTimeProvider(T0), T0);
        var refused = Status(ExecutionKind.CancelRejected, OrderStatus.Acknowledged, 0m);

        Assert.Single(merger.OnStream(refused).Reports);
        Assert.Single(merger.OnStream(refused).Reports);
    }

    [Fact]
    public void Connection_FollowsTheStateMachine_AndPollsFasterWhileDown_AndAtOnceAfterReconnecting()
    {
        var clock = new FakeTimeProvider(T0);
        var merger = new VenueEventMerger("paper", clock, T0, new VenueEventMergerOptions { PollInterval = TimeSpan.FromSeconds(30), DisconnectedPollInterval = TimeSpan.FromSeconds(2) });

        Assert.Equal([new VenueConnected("paper", "user")], merger.OnStream(new ConnectionStateChanged(T0, ConnectionState.Connected)).Events);
        merger.OnPoll([], []);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(merger.IsPollDue(clock.GetUtcNow()));

        var down = merger.OnStream(new ConnectionStateChanged(clock.GetUtcNow(), ConnectionState.Reconnecting, "dropped"));
        Assert.Equal([new VenueDisconnected("paper", "user", "dropped")], down.Events);
        Assert.Equal(ConnectionState.Reconnecting, merger.State);
        Assert.True(merger.IsPollDue(clock.GetUtcNow()));
        merger.OnPoll([], []);
        merger.OnStream(new ConnectionStateChanged(clock.GetUtcNow(), ConnectionState.Reconnecting, "retrying"));
        clock.Advance(TimeSpan.FromSeconds(7));

        var back = merger.OnStream(new ConnectionStateChanged(clock.GetUtcNow(), ConnectionState.Connected, "reconnected"));

        Assert.Equal([new VenueReconnected("paper", "user", 2, TimeSpan.FromSeconds(7))], back.Events);
        Assert.Equal(ConnectionState.Connected, merger.State);
        Assert.True(merger.IsPollDue(clock.GetUtcNow()));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    public async Task UC08_StreamDroppedWithFaults_PollingCoversTheGap_EveryFillOnceAndNoDuplicateAtTheOms(int seed)
    {
        var h = new OmsHarness(o =>
        {
            o.Faults.Seed = seed;
            o.Faults.DropFillReportRate = 0.3;
            o.Faults.DisconnectRate = 0.1;
            o.Faults.ReconnectAfterEvents = 2;
        });
        var merger = new VenueEventMerger("paper", h.Clock, RandomSession.Start, new VenueEventMergerOptions { PollInterval = TimeSpan.FromMinutes(5), DisconnectedPollInterval = TimeSpan.FromSeconds(20) });
        var connection = new List<ITradingEvent>();
        await h.Venue.ConnectAsync();
        var random = new Random(seed);
        for (var i = 0; i < 150; i++)
        {
            if (h.Paper.ConnectionState == ConnectionState.Connected && random.NextDouble() < 0.5)
            {
                await h.SubmitAsync(random.NextDouble() < 0.5 ? OrderSide.Buy : OrderSide.Sell, 1m);
            }

            var close = h.Price + (decimal)(random.NextDouble() - 0.5);
            foreach (var report in h.BarEvents(close))
            {
                await ApplyAsync(merger.OnStream(report), h, connection);
            }

            if (merger.IsPollDue(h.Clock.GetUtcNow()))
            {
                await ApplyAsync(await merger.PollAsync(h.Venue), h, connection);
            }
        }

        await h.Venue.ConnectAsync();
        while (h.Paper.Events.TryRead(out var e))
        {
            await ApplyAsync(merger.OnStream(e), h, connection);
        }

        await ApplyAsync(await merger.PollAsync(h.Venue), h, connection);

        var venueFills = await h.Paper.GetRecentFillsAsync(null, DateTimeOffset.MinValue);
        Assert.True(venueFills.Count > 20);
        Assert.Equal(venueFills.Count, h.Orders.FillCount);
        Assert.Equal(0, h.Orders.DuplicateFillCount);
        Assert.Equal(venueFills.Count, merger.StreamLatency.Count + merger.PollLatency.Count);
        Assert.True(merger.PollLatency.Count > 0, "dropped fill reports must have been found by polling");
        Assert.True(merger.StreamLatency.Count > 0);
        Assert.Equal((await h.Paper.GetPositionsAsync()).Sum(p => p.Quantity), h.Portfolio.GetNetQuantity(OmsHarness.Spx));
        Assert.DoesNotContain(h.Orders.Orders, o => o.Status == OrderStatus.Submitted);
        Assert.Contains(connection, e => e is VenueReconnected);
        Assert.Equal(ConnectionState.Connected, merger.State);
    }

    private static async Task ApplyAsync(MergeBatch batch, OmsHarness h, List<ITradingEvent> connection)
    {
        connection.AddRange(batch.Events);
        foreach (var report in batch.Reports)
        {
            await h.Sink.ApplyAsync(report);
        }
    }

    private static Fill Fill(string tradeId, DateTimeOffset at) => new()
    {
        TradeId = new TradeId(tradeId), ClientOrderId = Id, Symbol = Spx, Side = OrderSide.Buy, Quantity = 1m, Price = 100m, Timestamp = at,
    };

    private static ExecutionReport Trade(Fill fill, decimal cumulative) => new(fill.Timestamp)
    {
        Kind = ExecutionKind.Trade, ClientOrderId = fill.ClientOrderId, Symbol = fill.Symbol, Side = fill.Side, Status = OrderStatus.PartiallyFilled,
        CumulativeQuantity = cumulative, OrderQuantity = 2m, Fill = fill,
    };

    private static ExecutionReport Status(ExecutionKind kind, OrderStatus status, decimal cumulative) => new(T0)
    {
        Kind = kind, ClientOrderId = Id, Symbol = Spx, Side = OrderSide.Buy, Status = status, CumulativeQuantity = cumulative, OrderQuantity = 2m,
    };

    private static VenueOrderState State(OrderStatus status, decimal filled) => new()
    {
        ClientOrderId = Id, Symbol = Spx, Side = OrderSide.Buy, Status = status, Quantity = 2m, FilledQuantity = filled, UpdatedAt = T0,
    };
}
