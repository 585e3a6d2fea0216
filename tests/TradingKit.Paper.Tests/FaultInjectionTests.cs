using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task UnknownOutcome_ThrowsButTheOrderExists_AndQueryFindsIt()
    {
        var h = new VenueHarness(o => o.Faults.UnknownOutcomeRate = 1);
        var order = h.Limit(OrderSide.Buy, 1m, 90m);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => h.SubmitAsync(order));

        Assert.Equal(BrokerErrorKind.UnknownOutcome, ex.Kind);
        Assert.Equal(Errors.ErrorCodes.BrokerUnknownOutcome, ex.Code);
        var state = await h.Venue.QueryOrderAsync(VenueHarness.Spx, order.ClientOrderId);
        Assert.NotNull(state);
        Assert.Equal(OrderStatus.Acknowledged, state.Status);
        Assert.Single(await h.Venue.GetOpenOrdersAsync());
    }

    [Fact]
    public async Task UnknownOutcome_ThenResendWithTheSameId_DoesNotCreateASecondOrder()
    {
        var h = new VenueHarness(o => o.Faults.UnknownOutcomeRate = 1);
        var order = h.Market(OrderSide.Buy, 1m);
        await Assert.ThrowsAsync<BrokerException>(() => h.SubmitAsync(order));

        var resend = await h.SubmitAsync(order);
        h.Bar(100m, 101m, 99m, 100m);

        Assert.Equal(PaperRejectCodes.DuplicateClientOrderId, resend.RejectCode);
        Assert.Single(h.Reports().Fills());
        Assert.Equal(1m, await h.PositionAsync());
    }

    [Fact]
    public async Task TransientTimeout_PlacesNothing_AndTheSameIdCanBeRetried()
    {
        var h = new VenueHarness(o => o.Faults.TransientTimeoutRate = 1);
        var order = h.Limit(OrderSide.Buy, 1m, 90m);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => h.SubmitAsync(order));

        Assert.Equal(BrokerErrorKind.Transient, ex.Kind);
        Assert.Null(await h.Venue.QueryOrderAsync(VenueHarness.Spx, order.ClientOrderId));
        Assert.Empty(await h.Venue.GetOpenOrdersAsync());
        Assert.Empty(h.Drain());

        h.Options.Faults.TransientTimeoutRate = 0; // the venue reads its options live: the network recovered
        Assert.True((await h.SubmitAsync(order)).Accepted);
    }

    [Fact]
    public async Task DroppedAck_OrderWorksButNoAckIsPushed()
    {
        var h = new VenueHarness(o => o.Faults.DropAckRate = 1);
        var order = h.Market(OrderSide.Buy, 1m);

        var result = await h.SubmitAsync(order);
        Assert.True(result.Accepted);
        Assert.Empty(h.Drain());

        h.Bar(100m, 101m, 99m, 100m);
        Assert.Equal([ExecutionKind.Trade], h.Reports().Kinds(order.ClientOrderId));
    }

    [Fact]
    public async Task DroppedFillReport_FillHappens_VisibleOnlyByQueryAndRecentFills()
    {
        var h = new VenueHarness(o => o.Faults.DropFillReportRate = 1);
        var order = h.Market(OrderSide.Buy, 2m);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m);

        Assert.Empty(h.Reports().Fills());
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(order.ClientOrderId)).Status);
        var fill = Assert.Single(await h.Venue.GetRecentFillsAsync(VenueHarness.Spx, VenueHarness.Start));
        Assert.Equal((order.ClientOrderId, 2m, 100m), (fill.ClientOrderId, fill.Quantity, fill.Price));
        Assert.Equal(2m, await h.PositionAsync());
    }

    [Fact]
    public async Task Reject_IsPermanentRefusalWithReport()
    {
        var h = new VenueHarness(o => o.Faults.RejectRate = 1);
        var order = h.Market(OrderSide.Buy, 1m);

        var result = await h.SubmitAsync(order);

        Assert.False(result.Accepted);
        Assert.Equal(PaperRejectCodes.InjectedReject, result.RejectCode);
        Assert.Equal([ExecutionKind.Rejected], h.Reports().Kinds(order.ClientOrderId));
        Assert.Empty(await h.Venue.GetOpenOrdersAsync());
    }

    [Fact]
    public async Task Disconnect_PublishesStateChanges_CallsFailTransiently_ThenReconnectsAfterTheConfiguredItems()
    {
        var h = new VenueHarness(o => { o.Faults.DisconnectRate = 1; o.Faults.ReconnectAfterEvents = 2; });
        var order = h.Market(OrderSide.Buy, 1m);
        await h.SubmitAsync(order);
        h.Drain();

        h.Bar(100m, 101m, 99m, 100m); // drops, while the venue still fills the order
        var dropped = Assert.IsType<ConnectionStateChanged>(Assert.Single(h.Drain()));
        Assert.Equal(ConnectionState.Reconnecting, dropped.State);
        Assert.Equal(ConnectionState.Reconnecting, h.Venue.ConnectionState);
        var submitError = await Assert.ThrowsAsync<BrokerException>(() => h.SubmitAsync(h.Market(OrderSide.Buy, 1m)));
        Assert.Equal(BrokerErrorKind.Transient, submitError.Kind);
        await Assert.ThrowsAsync<BrokerException>(async () => await h.Venue.QueryOrderAsync(VenueHarness.Spx, order.ClientOrderId));
        await Assert.ThrowsAsync<BrokerException>(async () => await h.Venue.GetPositionsAsync());

        h.Bar(100m, 101m, 99m, 100m);
        Assert.Empty(h.Drain());

        h.Bar(100m, 101m, 99m, 100m);
        var reconnected = Assert.IsType<ConnectionStateChanged>(Assert.Single(h.Drain()));
        Assert.Equal(ConnectionState.Connected, reconnected.State);

        // The fill report was lost with the connection; polling converges.
        Assert.Equal(OrderStatus.Filled, (await h.QueryAsync(order.ClientOrderId)).Status);
    }

    [Fact]
    public async Task Connect_PublishesConnectedOnce_AndReconnectsAnInjectedDisconnectAtOnce()
    {
        var h = new VenueHarness(o => { o.Faults.DisconnectRate = 1; o.Faults.ReconnectAfterEvents = 100; });
        await h.Venue.ConnectAsync();
        await h.Venue.ConnectAsync();
        Assert.Equal([ConnectionState.Connected], h.Drain().Cast<ConnectionStateChanged>().Select(e => e.State));

        h.Bar(100m, 101m, 99m, 100m);
        await h.Venue.ConnectAsync();

        Assert.Equal([ConnectionState.Reconnecting, ConnectionState.Connected], h.Drain().Cast<ConnectionStateChanged>().Select(e => e.State));
        Assert.Equal(ConnectionState.Connected, h.Venue.ConnectionState);
    }

    [Fact]
    public async Task DuplicateClientOrderId_CreatesOneOrder_AndReturnsTheExistingVenueId()
    {
        var h = new VenueHarness();
        var order = h.Limit(OrderSide.Buy, 1m, 90m);

        var first = await h.SubmitAsync(order);
        var second = await h.SubmitAsync(order with { Quantity = 5m });

        Assert.True(first.Accepted);
        Assert.False(second.Accepted);
        Assert.Equal(PaperRejectCodes.DuplicateClientOrderId, second.RejectCode);
        Assert.Equal(first.VenueOrderId, second.VenueOrderId);
        Assert.Equal([ExecutionKind.Accepted], h.Reports().Kinds(order.ClientOrderId));
        var open = Assert.Single(await h.Venue.GetOpenOrdersAsync());
        Assert.Equal(1m, open.Quantity);
    }

    [Fact]
    public async Task SameSeedAndInputs_ProduceIdenticalReports_DifferentSeedDiffers()
    {
        var a = await RunScriptAsync(seed: 7);
        var b = await RunScriptAsync(seed: 7);
        var c = await RunScriptAsync(seed: 8);

        Assert.True(a.Count > 50, $"the script should produce plenty of events, got {a.Count}");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Options_Invalid_ListEveryProblem()
    {
        var options = new PaperVenueOptions
        {
            InitialCash = -1m,
            Currency = " ",
            SlippageBps = -1m,
            ParticipationRate = 2m,
            AckLatency = TimeSpan.FromSeconds(-1),
            DayEndUtc = TimeSpan.FromHours(25),
        };
        options.Faults.RejectRate = 1.5;
        options.Faults.ReconnectAfterEvents = 0;

        var ex = Assert.Throws<Errors.TradingKitException>(() => new PaperVenue(options));

        Assert.Equal(Errors.ErrorCodes.InvalidOptions, ex.Code);
        foreach (var name in new[] { "InitialCash", "Currency", "SlippageBps", "ParticipationRate", "AckLatency", "DayEndUtc", "Faults.RejectRate", "Faults.ReconnectAfterEvents" })
        {
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Random bars and random orders with every fault enabled; returns everything the venue published, in order.</summary>
    private static async Task<List<VenueEvent>> RunScriptAsync(int seed)
    {
        var h = new VenueHarness(o =>
        {
            o.Faults.Seed = seed;
            o.Faults.RejectRate = 0.1;
            o.Faults.UnknownOutcomeRate = 0.1;
            o.Faults.TransientTimeoutRate = 0.1;
            o.Faults.DropAckRate = 0.1;
            o.Faults.DropFillReportRate = 0.1;
            o.Faults.DisconnectRate = 0.05;
            o.ParticipationRate = 0.2m;
            o.SlippageBps = 5m;
            o.TakerFeeBps = 4m;
            o.MakerFeeBps = 1m;
        });
        var script = new Random(1234); // the same market and orders for every seed
        var events = new List<VenueEvent>();
        var price = 100m;
        for (var i = 0; i < 120; i++)
        {
            price = Math.Round(price * (1m + ((decimal)script.NextDouble() - 0.5m) / 20m), 2);
            var side = script.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var request = script.Next(3) switch
            {
                0 => h.Market(side, script.Next(1, 20)),
                1 => h.Limit(side, script.Next(1, 20), Math.Round(price * (side == OrderSide.Buy ? 0.99m : 1.01m), 2)),
                _ => h.Conditional(OrderType.StopMarket, side, script.Next(1, 20), Math.Round(price * (side == OrderSide.Buy ? 1.01m : 0.99m), 2)),
            };
            try
            {
                await h.SubmitAsync(request);
            }
            catch (BrokerException)
            {
                // Faults are part of the script: the same seed must fail the same calls.
            }

            h.Bar(price, price * 1.02m, price * 0.98m, price, volume: script.Next(10, 60));
            events.AddRange(h.Drain());
        }

        return events;
    }
}
