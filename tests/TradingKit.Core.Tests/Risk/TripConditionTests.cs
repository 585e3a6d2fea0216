using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Risk;
using static TradingKit.Core.Tests.Risk.RiskTestData;

namespace TradingKit.Core.Tests.Risk;

public sealed class TripConditionTests
{
    private static RiskGuard Guard(Action<RiskOptions> configure)
    {
        var options = Bare();
        configure(options);
        return new RiskGuard(options);
    }

    private static void AssertTrip(RiskTrip? trip, string cause, decimal threshold, decimal observed, TradingState state)
    {
        Assert.NotNull(trip);
        Assert.Equal(cause, trip.Cause);
        Assert.Equal(threshold, trip.Threshold);
        Assert.Equal(observed, trip.Observed);
        Assert.Equal(state, trip.NewState);
        Assert.NotNull(trip.StopPlan);
        Assert.True(trip.StopPlan.BlockNewOrders);
    }

    private static TradingKit.Events.RiskGuardTripped Recorded(string cause, TradingState state)
        => new(cause, 2m, 2m, state, cause + " before the restart",
            new TradingKit.Events.PortfolioFigures(100m, 100m, 100m, 0m, 0m, 0, 0),
            new TradingKit.Events.ExecutionQualityFigures(0m, 0m, 0m, 0m, 0m, 0));

    [Fact]
    public void Restore_PutsARecordedTripBack_ItsConditionDoesNotTripAgain_UntilReset()
    {
        var guard = Guard(o => o.ConsecutiveRejectLimit = 2);

        var restored = guard.Restore(Recorded(TripCauses.ConsecutiveRejects, TradingState.Halted), T0);

        Assert.Equal(TradingState.Halted, guard.State);
        Assert.Same(restored, guard.LastTrip);
        Assert.Equal(TripCauses.ConsecutiveRejects, restored.Cause);
        Assert.Equal(T0, restored.OccurredAt);
        Assert.True(restored.StopPlan!.BlockNewOrders);

        // Tripped once, as if this process had tripped it: more rejects do not trip it again ...
        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Rejected, T0));
        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Rejected, T0));

        // ... until an operator re-arms it.
        guard.Reset("alice", "venue checked", T0);
        Assert.Equal(TradingState.Active, guard.State);
        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Rejected, T0));
        AssertTrip(guard.RecordSubmitOutcome(SubmissionOutcome.Rejected, T0), TripCauses.ConsecutiveRejects, 2m, 2m, TradingState.Halted);
    }

    [Fact]
    public void Restore_OnlyEscalates_AndATripOfAConditionNoLongerConfiguredStillCounts()
    {
        var guard = Guard(_ => { });

        guard.Restore(Recorded("custom_condition", TradingState.Halted), T0);
        guard.Restore(Recorded(TripCauses.SlippageSpike, TradingState.Reducing), T0);

        Assert.Equal(TradingState.Halted, guard.State);
        Assert.Equal(TradingState.Halted, guard.LastTrip!.NewState);
    }

    [Fact]
    public void ConsecutiveFailures_DefaultLimit3_TripsOnTheThirdAndHalts()
    {
        var guard = new RiskGuard(new RiskOptions());

        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0));
        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0));
        AssertTrip(guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0), TripCauses.ConsecutiveFailures, 3m, 3m, TradingState.Halted);
        Assert.Equal(TradingState.Halted, guard.State);
    }

    [Fact]
    public void ConsecutiveFailures_AnAcceptedSubmissionResetsTheCount()
    {
        var guard = Guard(o => o.ConsecutiveFailureLimit = 3);

        guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0);
        guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0);
        guard.RecordSubmitOutcome(SubmissionOutcome.Accepted, T0);
        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0));
        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0));
        Assert.Equal(TradingState.Active, guard.State);
    }

    [Fact]
    public void ConsecutiveRejects_TripAtTheLimit()
    {
        var guard = Guard(o => o.ConsecutiveRejectLimit = 2);

        Assert.Null(guard.RecordSubmitOutcome(SubmissionOutcome.Rejected, T0));
        AssertTrip(guard.RecordSubmitOutcome(SubmissionOutcome.Rejected, T0), TripCauses.ConsecutiveRejects, 2m, 2m, TradingState.Halted);
        Assert.Equal(2, guard.Quality.Rejects);
        Assert.Equal(1m, guard.Quality.RejectRate);
    }

    [Fact]
    public void DailyLoss_TripsAfterAFillThatTakesTheLossPastTheLimit()
    {
        var guard = Guard(o => o.DailyLossLimit = 1000m);
        var fill = new Fill { TradeId = new TradeId("t1"), ClientOrderId = new ClientOrderId("c1"), Symbol = Btc, Side = OrderSide.Sell, Quantity = 1m, Price = 90m, Timestamp = T0 };

        Assert.Null(guard.OnPostTrade(new PostTradeContext { Now = T0, Fill = fill, Portfolio = PortfolioView(dailyPnl: -1000m) }));
        var trip = guard.OnPostTrade(new PostTradeContext { Now = T0, Fill = fill, Portfolio = PortfolioView(dailyPnl: -1000.5m) });

        AssertTrip(trip, TripCauses.DailyLoss, 1000m, 1000.5m, TradingState.Halted);
        Assert.Equal(-1000.5m, trip!.Portfolio.DailyRealizedPnl);
    }

    [Fact]
    public void MaxDrawdown_TripsOnTheTimer()
    {
        var guard = Guard(o => o.MaxDrawdown = 1000m);

        Assert.Null(guard.OnPostTrade(Tick(T0, PortfolioView(equity: 9000m, peak: 10_000m))));
        AssertTrip(guard.OnPostTrade(Tick(T0, PortfolioView(equity: 8999m, peak: 10_000m))), TripCauses.MaxDrawdown, 1000m, 1001m, TradingState.Halted);
    }

    [Fact]
    public void LatencyAbsolute_Default30Seconds_TripsAboveIt()
    {
        var guard = new RiskGuard(new RiskOptions());

        Assert.Null(guard.RecordLatency(TimeSpan.FromSeconds(30), T0));
        AssertTrip(guard.RecordLatency(TimeSpan.FromMilliseconds(30_001), T0), TripCauses.LatencyAbsolute, 30_000m, 30_001m, TradingState.Halted);
    }

    [Fact]
    public void LatencySpike_DefaultThreeTimesEwma_OnlyAfterFiveSamples()
    {
        var guard = Guard(o =>
        {
            o.LatencySpikeMultiplier = 3d;
            o.LatencySpikeMinSamples = 5;
        });
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(guard.RecordLatency(TimeSpan.FromMilliseconds(100), T0));
        }

        // Only 4 earlier samples: no spike rule yet, however large.
        Assert.Null(guard.RecordLatency(TimeSpan.FromMilliseconds(1000), T0));

        var fresh = Guard(o => o.LatencySpikeMultiplier = 3d);
        for (var i = 0; i < 5; i++)
        {
            fresh.RecordLatency(TimeSpan.FromMilliseconds(100), T0);
        }

        Assert.Null(fresh.RecordLatency(TimeSpan.FromMilliseconds(300), T0));
        // EWMA is now 0.2 × 300 + 0.8 × 100 = 140, so the spike threshold is 420.
        Assert.Null(fresh.RecordLatency(TimeSpan.FromMilliseconds(419), T0));
        var trip = fresh.RecordLatency(TimeSpan.FromMilliseconds(600), T0);
        Assert.NotNull(trip);
        Assert.Equal(TripCauses.LatencySpike, trip.Cause);
        Assert.Equal(600m, trip.Observed);
        Assert.InRange(trip.Threshold, 400m, 600m);
        Assert.Equal(7, trip.Quality.LatencySamplesBefore);
    }

    [Fact]
    public void SlippageSpike_TripsAboveTheMaximum_IntoReducing()
    {
        var guard = Guard(o => o.MaxSlippageBps = 50m);

        Assert.Null(guard.RecordSlippageBps(50m, T0));
        AssertTrip(guard.RecordSlippageBps(50.1m, T0), TripCauses.SlippageSpike, 50m, 50.1m, TradingState.Reducing);
        Assert.Equal(50.1m, guard.Quality.WorstSlippageBps);
    }

    [Fact]
    public void SlippageBps_IsPositiveWhenTheFillIsWorse()
    {
        Assert.Equal(10m, RiskGuard.SlippageBps(OrderSide.Buy, 100m, 100.1m));
        Assert.Equal(10m, RiskGuard.SlippageBps(OrderSide.Sell, 100m, 99.9m));
        Assert.Equal(-10m, RiskGuard.SlippageBps(OrderSide.Buy, 100m, 99.9m));
    }

    [Fact]
    public void StaleMarketData_TripsOnTheTimerWhenASymbolGoesQuiet()
    {
        var guard = Guard(o => o.MarketDataMaxAge = TimeSpan.FromSeconds(10));
        guard.RecordMarketData(Btc, T0);
        guard.RecordMarketData(new Symbol("ETHUSDT"), T0 + TimeSpan.FromSeconds(5));

        Assert.Null(guard.OnPostTrade(Tick(T0 + TimeSpan.FromSeconds(10), PortfolioView())));
        var trip = guard.OnPostTrade(Tick(T0 + TimeSpan.FromMilliseconds(10_001), PortfolioView()));

        AssertTrip(trip, TripCauses.StaleMarketData, 10_000m, 10_001m, TradingState.Reducing);
        Assert.Equal(Btc, trip!.Quality.OldestMarketDataSymbol);
    }

    [Fact]
    public void ACondition_TripsOnce_UntilReset_ThenAgainIfItStillHolds()
    {
        var guard = Guard(o => o.DailyLossLimit = 100m);
        var losing = PortfolioView(dailyPnl: -200m);

        Assert.NotNull(guard.OnPostTrade(Tick(T0, losing)));
        Assert.Null(guard.OnPostTrade(Tick(T0, losing)));

        var reset = guard.Reset("operator", "limit reviewed", T0);
        Assert.Equal(TradingState.Halted, reset.PreviousState);
        Assert.Equal(TradingState.Active, guard.State);
        Assert.NotNull(guard.OnPostTrade(Tick(T0, losing)));
    }

    [Fact]
    public void TripStates_EscalateFromReducingToHalted_NeverBack()
    {
        var guard = Guard(o =>
        {
            o.MaxSlippageBps = 10m;
            o.ConsecutiveFailureLimit = 1;
        });

        Assert.Equal(TradingState.Reducing, guard.RecordSlippageBps(20m, T0)!.NewState);
        Assert.Equal(TradingState.Halted, guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0)!.NewState);

        guard.Reset("operator", "reviewed", T0);
        guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0);
        Assert.Equal(TradingState.Halted, guard.RecordSlippageBps(20m, T0)!.NewState);
    }

    [Fact]
    public void TripStates_CanBeOverriddenPerCause()
    {
        var guard = Guard(o =>
        {
            o.DailyLossLimit = 100m;
            o.TripStates[TripCauses.DailyLoss] = TradingState.Reducing;
        });

        Assert.Equal(TradingState.Reducing, guard.OnPostTrade(Tick(T0, PortfolioView(dailyPnl: -101m)))!.NewState);
    }

    [Fact]
    public void Reducing_AllowsOnlyReducingOrders_Halted_AllowsNone()
    {
        var guard = Guard(o =>
        {
            o.MaxSlippageBps = 10m;
            o.ConsecutiveFailureLimit = 1;
        });
        guard.RecordSlippageBps(20m, T0);

        AssertDenied(guard.CheckPreTrade(Context(Order(OrderSide.Buy))), RiskRuleIds.TradingState, RiskCodes.ReduceOnly, 0m, (decimal)TradingState.Reducing);
        Assert.True(guard.CheckPreTrade(Context(Order(OrderSide.Sell), position: 1m)).Allowed);

        guard.RecordSubmitOutcome(SubmissionOutcome.Failed, T0);
        AssertDenied(guard.CheckPreTrade(Context(Order(OrderSide.Sell), position: 1m)), RiskRuleIds.TradingState, RiskCodes.GuardTripped, 0m, (decimal)TradingState.Halted);
    }

    [Fact]
    public void TEST714_Trip_BlocksEveryNewOrder_AndProducesTheRiskEvent()
    {
        var guard = Guard(o => o.DailyLossLimit = 500m);
        var venueCalls = 0;
        void Submit(OrderRequest order, RiskPortfolioView portfolio)
        {
            if (guard.CheckPreTrade(Context(order, portfolio: portfolio)).Allowed)
            {
                venueCalls++;
            }
        }

        Submit(Order(quantity: 1m), PortfolioView());
        Assert.Equal(1, venueCalls);

        guard.RecordSubmitOutcome(SubmissionOutcome.Accepted, T0);
        guard.RecordLatency(TimeSpan.FromMilliseconds(120), T0);
        var trip = guard.OnPostTrade(Tick(T0 + TimeSpan.FromMinutes(1), PortfolioView(dailyPnl: -600m)));
        Assert.NotNull(trip);

        for (var i = 0; i < 10; i++)
        {
            Submit(Order(quantity: 0.01m), PortfolioView(dailyPnl: -600m));
            Submit(Order(OrderSide.Sell, quantity: 0.01m), PortfolioView(dailyPnl: -600m));
        }

        Assert.Equal(1, venueCalls);
        var e = trip.ToEvent();
        Assert.Equal(TripCauses.DailyLoss, e.Cause);
        Assert.Equal(500m, e.Threshold);
        Assert.Equal(600m, e.Observed);
        Assert.Equal(TradingState.Halted, e.NewState);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), e.OccurredAt);
        Assert.Equal(600m, e.Portfolio.DailyLoss);
        Assert.Equal(1, e.Quality.Submissions);
        Assert.Equal(TimeSpan.FromMilliseconds(120), e.Quality.LastLatency);
        Assert.True(e.StopPlan.BlockNewOrders);
        Assert.True(e.StopPlan.CancelOpenOrders);
        Assert.True(e.StopPlan.EngageKillSwitch);
    }

    [Fact]
    public void StopPlan_ReducingTripFollowsThePositionPolicy_HaltedTripHolds()
    {
        var options = new RiskOptions { StopPlan = { Positions = StopPlanPositionAction.Reduce, ReduceFraction = 0.25m, CancelOpenOrders = false } };

        var reducing = StopPlan.For(TradingState.Reducing, options);
        var halted = StopPlan.For(TradingState.Halted, options);

        Assert.Equal(StopPlanPositionAction.Reduce, reducing.Positions);
        Assert.False(reducing.EngageKillSwitch);
        Assert.False(reducing.CancelOpenOrders);
        Assert.Equal(2.5m, reducing.QuantityToClose(-10m));
        Assert.Equal(StopPlanPositionAction.Hold, halted.Positions);
        Assert.True(halted.EngageKillSwitch);
        Assert.Equal(0m, halted.QuantityToClose(10m));
    }

    [Fact]
    public void CustomTripCondition_IsEvaluated()
    {
        var guard = new RiskGuard(Bare(), additionalConditions: [new CashBelow(100m)]);

        Assert.Null(guard.OnPostTrade(Tick(T0, PortfolioView(equity: 100m))));
        var trip = guard.OnPostTrade(Tick(T0, PortfolioView(equity: 99m)));

        Assert.Equal("cash_below", trip?.Cause);
        Assert.Equal(TradingState.Reducing, guard.State);
    }

    private sealed class CashBelow(decimal minimum) : ITripCondition
    {
        public string Id => "cash_below";

        public TradingState TripState => TradingState.Reducing;

        public TripObservation? Evaluate(in TripContext context)
            => context.Portfolio.Cash < minimum ? new TripObservation(minimum, context.Portfolio.Cash, "cash is low") : null;
    }
}
