using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Orders;
using static TradingKit.Core.Tests.Orders.OrderTestKit;

namespace TradingKit.Core.Tests.Orders;

public sealed class OrderTests
{
    [Fact]
    public void NewOrder_StartsNew_WithTheRequestTerms_AndVersionZero()
    {
        var order = NewLimitOrder(quantity: 3m, price: 101m);

        Assert.Equal(OrderStatus.New, order.Status);
        Assert.Equal(3m, order.Quantity);
        Assert.Equal(101m, order.LimitPrice);
        Assert.Equal(0, order.Version);
        Assert.Equal(3m, order.LeavesQuantity);
    }

    [Fact]
    public void SameStatusReEntry_IsANoOp_ThatChangesNothing()
    {
        var order = NewLimitOrder();
        order.MarkSubmitted(At(1));
        var before = Snapshot(order);

        var update = order.MarkSubmitted(At(5));

        Assert.Equal(TransitionOutcome.NoOp, update.Outcome);
        Assert.Equal(OrderStatus.Submitted, update.To);
        Assert.Equal(before, Snapshot(order));
    }

    [Fact]
    public void DuplicateAck_IsANoOp()
    {
        var order = Working();
        var version = order.Version;

        var update = order.Acknowledge(new VenueOrderId("v-1"), At(9));

        Assert.Equal(TransitionOutcome.NoOp, update.Outcome);
        Assert.Equal(version, order.Version);
    }

    public static TheoryData<string> TerminalPaths => new() { "filled", "cancelled", "rejected", "expired", "denied" };

    [Theory]
    [MemberData(nameof(TerminalPaths))]
    public void TerminalStatus_Absorbs_EveryStatusChange(string path)
    {
        var order = NewLimitOrder(quantity: 1m);
        switch (path)
        {
            case "denied":
                order.Deny("risk", At(1)).ThrowIfRefused();
                break;
            case "rejected":
                order.MarkSubmitted(At(1)).ThrowIfRefused();
                order.Reject("insufficient margin", At(2)).ThrowIfRefused();
                break;
            default:
                order.MarkSubmitted(At(1)).ThrowIfRefused();
                order.Acknowledge(null, At(2)).ThrowIfRefused();
                var end = path switch
                {
                    "filled" => order.ApplyFill(Fill("t1", 1m)) == FillOutcome.Applied ? order.Status : OrderStatus.New,
                    "cancelled" => order.Cancel("user", At(3)).To,
                    _ => order.Expire("gtd", At(3)).To,
                };
                Assert.True(OrderStateMachine.IsTerminal(end));
                break;
        }

        var terminal = order.Status;
        Assert.True(OrderStateMachine.IsTerminal(terminal));

        OrderUpdate[] attempts =
        [
            order.MarkSubmitted(At(10)), order.Acknowledge(null, At(10)), order.Trigger(At(10)), order.RequestCancel(At(10)),
            order.RequestUpdate(Modify(quantity: 2m), At(10)), order.RejectCancel("x", At(10)), order.RejectUpdate("x", At(10)),
            order.ConfirmUpdate(2m, null, null, At(10)), order.Cancel(null, At(10)), order.Expire(null, At(10)),
            order.Reject("x", At(10)), order.Deny("x", At(10)),
        ];

        Assert.All(attempts, a => Assert.False(a.IsApplied));
        Assert.Equal(terminal, order.Status);
    }

    [Fact]
    public void CancelRejected_FromAcknowledged_RestoresAcknowledged()
    {
        var order = Working();
        order.RequestCancel(At(3)).ThrowIfRefused();
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        Assert.Equal(OrderStatus.Acknowledged, order.StatusBeforePending);

        var update = order.RejectCancel("too late to cancel", At(4));

        Assert.True(update.IsApplied);
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.Null(order.StatusBeforePending);
        Assert.Equal("too late to cancel", order.Reason);
    }

    [Fact]
    public void CancelRejected_FromPartiallyFilled_RestoresPartiallyFilled()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 4m));
        order.RequestCancel(At(3)).ThrowIfRefused();

        order.RejectCancel("rejected", At(4)).ThrowIfRefused();

        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        Assert.Equal(4m, order.FilledQuantity);
    }

    [Fact]
    public void FillWhilePendingCancel_ThenCancelRejected_RestoresPartiallyFilled()
    {
        var order = Working();
        order.RequestCancel(At(3)).ThrowIfRefused();

        Assert.Equal(FillOutcome.Applied, order.ApplyFill(Fill("t1", 4m)));
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        Assert.Equal(OrderStatus.PartiallyFilled, order.StatusBeforePending);

        order.RejectCancel("rejected", At(4)).ThrowIfRefused();

        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        Assert.Equal(6m, order.LeavesQuantity);
    }

    [Fact]
    public void FillWhilePendingCancel_ThatCompletesTheOrder_FillsIt_AndALateCancelRejectIsANoOp()
    {
        var order = Working(quantity: 2m);
        order.RequestCancel(At(3)).ThrowIfRefused();

        order.ApplyFill(Fill("t1", 2m));
        var late = order.RejectCancel("already filled", At(5));

        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Null(order.StatusBeforePending);
        Assert.Equal(TransitionOutcome.NoOp, late.Outcome);
    }

    [Fact]
    public void ModifyRejected_RestoresStatusAndTerms()
    {
        var order = Working();
        order.RequestUpdate(Modify(quantity: 20m, price: 99m), At(3)).ThrowIfRefused();
        Assert.Equal(OrderStatus.PendingUpdate, order.Status);
        Assert.NotNull(order.PendingModify);

        order.RejectUpdate("price out of band", At(4)).ThrowIfRefused();

        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.Equal(10m, order.Quantity);
        Assert.Equal(100m, order.LimitPrice);
        Assert.Null(order.PendingModify);
        Assert.Null(order.StatusBeforePending);
    }

    [Fact]
    public void ModifyRejected_FromPartiallyFilled_RestoresPartiallyFilled()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 1m));
        order.RequestUpdate(Modify(price: 99m), At(3)).ThrowIfRefused();

        order.RejectUpdate("no", At(4)).ThrowIfRefused();

        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        Assert.Equal(100m, order.LimitPrice);
    }

    [Fact]
    public void ModifyConfirmed_AppliesTheNewTerms_AndRestoresTheStatus()
    {
        var order = Working();
        order.RequestUpdate(Modify(quantity: 12m, price: 99.5m), At(3)).ThrowIfRefused();

        var update = order.ConfirmUpdate(12m, 99.5m, null, At(4));

        Assert.True(update.IsApplied);
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.Equal(12m, order.Quantity);
        Assert.Equal(99.5m, order.LimitPrice);
        Assert.Null(order.PendingModify);
    }

    [Fact]
    public void ModifyConfirmed_DownToTheFilledQuantity_CompletesTheOrder()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 4m));
        order.RequestUpdate(Modify(quantity: 4m), At(3)).ThrowIfRefused();

        var update = order.ConfirmUpdate(4m, null, null, At(4));

        Assert.Equal(OrderStatus.Filled, update.To);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(0m, order.LeavesQuantity);
    }

    [Fact]
    public void ModifyConfirmed_BelowTheFilledQuantity_IsRefusedAsAnOverfill_AndChangesNothing()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 4m));
        order.RequestUpdate(Modify(quantity: 3m), At(3)).ThrowIfRefused();
        var before = Snapshot(order);

        var update = order.ConfirmUpdate(3m, null, null, At(4));

        Assert.Equal(TransitionOutcome.Refused, update.Outcome);
        Assert.Equal(ErrorCodes.Overfill, update.ErrorCode);
        Assert.Equal(before, Snapshot(order));
    }

    [Fact]
    public void SecondModify_WhileOneIsPending_IsANoOp_AndTheFirstStands()
    {
        var order = Working();
        var first = Modify(price: 99m);
        order.RequestUpdate(first, At(3)).ThrowIfRefused();

        var second = order.RequestUpdate(Modify(price: 98m), At(4));

        Assert.Equal(TransitionOutcome.NoOp, second.Outcome);
        Assert.Same(first, order.PendingModify);
    }

    [Fact]
    public void CancelOvertakingAModify_ThenCancelRejected_GoesBackToWaitingForTheModify()
    {
        var order = Working();
        order.RequestUpdate(Modify(price: 99m), At(3)).ThrowIfRefused();
        order.RequestCancel(At(4)).ThrowIfRefused();
        Assert.Equal(OrderStatus.Acknowledged, order.StatusBeforePending);

        order.RejectCancel("rejected", At(5)).ThrowIfRefused();
        Assert.Equal(OrderStatus.PendingUpdate, order.Status);
        Assert.Equal(OrderStatus.Acknowledged, order.StatusBeforePending);

        order.ConfirmUpdate(null, 99m, null, At(6)).ThrowIfRefused();
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
        Assert.Equal(99m, order.LimitPrice);
    }

    [Fact]
    public void ModifyConfirmedWhileACancelIsPending_AppliesTheTerms_AndKeepsWaitingForTheCancel()
    {
        var order = Working();
        order.RequestUpdate(Modify(price: 99m), At(3)).ThrowIfRefused();
        order.RequestCancel(At(4)).ThrowIfRefused();

        order.ConfirmUpdate(null, 99m, null, At(5)).ThrowIfRefused();

        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        Assert.Equal(99m, order.LimitPrice);
        Assert.Null(order.PendingModify);

        order.RejectCancel("rejected", At(6)).ThrowIfRefused();
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
    }

    [Fact]
    public void ModifyRequest_WhileACancelIsPending_IsRefused()
    {
        var order = Working();
        order.RequestCancel(At(3)).ThrowIfRefused();

        var update = order.RequestUpdate(Modify(price: 99m), At(4));

        Assert.Equal(TransitionOutcome.Refused, update.Outcome);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        Assert.Null(order.PendingModify);
    }

    [Fact]
    public void FillAfterCancelAck_IsApplied_AndTheOrderStaysCancelled()
    {
        var order = Working();
        order.RequestCancel(At(3)).ThrowIfRefused();
        order.Cancel("user", At(4)).ThrowIfRefused();
        var version = order.Version;

        var outcome = order.ApplyFill(Fill("t-late", 3m, price: 101m));

        Assert.Equal(FillOutcome.Applied, outcome);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(3m, order.FilledQuantity);
        Assert.Equal(version + 1, order.Version);
    }

    [Fact]
    public void FillAfterCancelAck_ThatCoversTheQuantity_CompletesTheOrder()
    {
        var order = Working(quantity: 2m);
        order.Cancel("user", At(3)).ThrowIfRefused();

        order.ApplyFill(Fill("t1", 2m));

        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void FillBeforeAck_MovesSubmittedToPartiallyFilled_AndTheLateAckOnlyRecordsTheVenueId()
    {
        var order = NewLimitOrder();
        order.MarkSubmitted(At(1)).ThrowIfRefused();

        Assert.Equal(FillOutcome.Applied, order.ApplyFill(Fill("t1", 4m)));
        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        var version = order.Version;

        var ack = order.Acknowledge(new VenueOrderId("v-77"), At(3));

        Assert.Equal(TransitionOutcome.NoOp, ack.Outcome);
        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        Assert.Equal(new VenueOrderId("v-77"), order.VenueOrderId);
        Assert.Equal(version, order.Version);
    }

    [Fact]
    public void FillBeforeAck_CoveringTheQuantity_MovesSubmittedToFilled_AndTheLateAckIsANoOp()
    {
        var order = NewLimitOrder(quantity: 1m);
        order.MarkSubmitted(At(1)).ThrowIfRefused();

        order.ApplyFill(Fill("t1", 1m));
        var ack = order.Acknowledge(new VenueOrderId("v-78"), At(3));

        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(TransitionOutcome.NoOp, ack.Outcome);
        Assert.Equal(new VenueOrderId("v-78"), order.VenueOrderId);
    }

    [Fact]
    public void AckWhileACancelRequestedBeforeTheAckIsPending_BecomesTheStatusARefusedCancelRestores()
    {
        var order = NewLimitOrder();
        order.MarkSubmitted(At(1)).ThrowIfRefused();
        order.RequestCancel(At(2)).ThrowIfRefused();
        Assert.Equal(OrderStatus.Submitted, order.StatusBeforePending);

        var ack = order.Acknowledge(new VenueOrderId("v-9"), At(3));
        Assert.True(ack.IsApplied);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);

        order.RejectCancel("rejected", At(4)).ThrowIfRefused();
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
    }

    [Fact]
    public void DuplicateAck_WhilePendingCancel_DoesNotLeaveThePendingState()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 1m));
        order.RequestCancel(At(3)).ThrowIfRefused();

        var ack = order.Acknowledge(new VenueOrderId("v-1"), At(4));

        Assert.Equal(TransitionOutcome.NoOp, ack.Outcome);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
        Assert.Equal(OrderStatus.PartiallyFilled, order.StatusBeforePending);
    }

    [Fact]
    public void TriggerWhilePendingCancel_KeepsPending_AndARefusedCancelRestoresTriggered()
    {
        var order = Working();
        order.RequestCancel(At(3)).ThrowIfRefused();

        order.Trigger(At(4)).ThrowIfRefused();
        Assert.Equal(OrderStatus.PendingCancel, order.Status);

        order.RejectCancel("rejected", At(5)).ThrowIfRefused();
        Assert.Equal(OrderStatus.Triggered, order.Status);
    }

    [Fact]
    public void Trigger_AfterAFill_IsANoOp()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 1m));

        Assert.Equal(TransitionOutcome.NoOp, order.Trigger(At(4)).Outcome);
        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
    }

    [Fact]
    public void OrderRejectedWhileACancelIsPending_BeforeAnyFill_IsRejected()
    {
        var order = NewLimitOrder();
        order.MarkSubmitted(At(1)).ThrowIfRefused();
        order.RequestCancel(At(2)).ThrowIfRefused();

        order.Reject("insufficient margin", At(3)).ThrowIfRefused();

        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Null(order.StatusBeforePending);
    }

    [Fact]
    public void OrderRejectedWhileACancelIsPending_AfterAFill_IsRefused()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 1m));
        order.RequestCancel(At(3)).ThrowIfRefused();

        var update = order.Reject("late", At(4));

        Assert.Equal(TransitionOutcome.Refused, update.Outcome);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
    }

    [Fact]
    public void DuplicateTradeId_IsRefusedAsDuplicate_WithNoChange()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 4m, price: 100m, fee: 0.4m));
        var before = Snapshot(order);

        var outcome = order.ApplyFill(Fill("t1", 4m, price: 100m, fee: 0.4m, second: 9));

        Assert.Equal(FillOutcome.Duplicate, outcome);
        Assert.Equal(before, Snapshot(order));
        Assert.True(order.HasFill(new TradeId("t1")));
    }

    [Fact]
    public void DuplicateTradeIds_AreRefused_WhicheverFillTheyRepeat_AndFillCountCountsDistinctTrades()
    {
        var order = Working();
        Assert.Equal(0, order.FillCount);
        Assert.False(order.HasFill(new TradeId("t1")));

        Assert.Equal(FillOutcome.Applied, order.ApplyFill(Fill("t1", 2m)));
        Assert.Equal(FillOutcome.Applied, order.ApplyFill(Fill("t2", 2m)));
        Assert.Equal(FillOutcome.Applied, order.ApplyFill(Fill("t3", 2m)));

        Assert.Equal(FillOutcome.Duplicate, order.ApplyFill(Fill("t1", 2m)));
        Assert.Equal(FillOutcome.Duplicate, order.ApplyFill(Fill("t2", 2m)));
        Assert.Equal(FillOutcome.Duplicate, order.ApplyFill(Fill("t3", 2m)));
        Assert.Equal(3, order.FillCount);
        Assert.Equal(6m, order.FilledQuantity);
        Assert.False(order.HasFill(new TradeId("t4")));
    }

    [Fact]
    public void Overfill_WithinOneFill_IsAppliedAndReported()
    {
        var order = Working(quantity: 1m);
        order.ApplyFill(Fill("t1", 0.6m));

        var outcome = order.ApplyFill(Fill("t2", 0.6m));

        Assert.Equal(FillOutcome.Overfill, outcome);
        Assert.Equal(1.2m, order.FilledQuantity);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(0m, order.LeavesQuantity);
    }

    [Fact]
    public void FillOnAFilledOrder_IsAnOverfill_AppliedAndReported()
    {
        var order = Working(quantity: 1m);
        order.ApplyFill(Fill("t1", 1m));

        var outcome = order.ApplyFill(Fill("t2", 0.5m));

        Assert.Equal(FillOutcome.Overfill, outcome);
        Assert.Equal(1.5m, order.FilledQuantity);
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Theory]
    [InlineData("new")]
    [InlineData("denied")]
    [InlineData("rejected")]
    public void Fill_OnAnOrderTheVenueNeverHad_IsRefused(string path)
    {
        var order = NewLimitOrder();
        if (path == "denied")
        {
            order.Deny("risk", At(1));
        }
        else if (path == "rejected")
        {
            order.MarkSubmitted(At(1));
            order.Reject("no", At(2));
        }

        var before = Snapshot(order);

        Assert.Equal(FillOutcome.Refused, order.ApplyFill(Fill("t1", 1m)));
        Assert.Equal(before, Snapshot(order));
    }

    [Fact]
    public void Fill_ForAnotherOrder_IsRefused()
    {
        var order = Working();
        var foreign = Fill("t1", 1m) with { ClientOrderId = new ClientOrderId("tk-other") };

        Assert.Equal(FillOutcome.Refused, order.ApplyFill(foreign));
        Assert.Equal(0m, order.FilledQuantity);
    }

    [Fact]
    public void IllegalTransition_IsRefusedWithTheTypedCode_AndNotApplied()
    {
        var order = NewLimitOrder();
        var before = Snapshot(order);

        var update = order.Acknowledge(new VenueOrderId("v-1"), At(1));

        Assert.Equal(TransitionOutcome.Refused, update.Outcome);
        Assert.Equal(ErrorCodes.InvalidOrderStatusTransition, update.ErrorCode);
        Assert.Equal(OrderStatus.New, update.To);
        Assert.Equal(OrderStatus.Acknowledged, update.Requested);
        Assert.Equal(before, Snapshot(order));

        var ex = Assert.Throws<OrderStateException>(update.ThrowIfRefused);
        Assert.Equal(ErrorCodes.InvalidOrderStatusTransition, ex.Code);
        Assert.Equal(OrderStatus.New, ex.From);
        Assert.Equal(OrderStatus.Acknowledged, ex.To);
    }

    [Fact]
    public void CompareAndSet_WithAStaleExpectedStatus_IsRefusedWithOrderStateConflict()
    {
        var order = Working();
        var before = Snapshot(order);

        var update = order.CompareAndSet(OrderStatus.Submitted, OrderStatus.Cancelled, At(5));

        Assert.Equal(TransitionOutcome.Refused, update.Outcome);
        Assert.Equal(ErrorCodes.OrderStateConflict, update.ErrorCode);
        Assert.Equal(before, Snapshot(order));
        Assert.Equal(ErrorCodes.OrderStateConflict, Assert.Throws<OrderStateException>(update.ThrowIfRefused).Code);
    }

    [Fact]
    public void CompareAndSet_WithTheCurrentStatus_AppliesAnAllowedTransition()
    {
        var order = Working();

        var update = order.CompareAndSet(OrderStatus.Acknowledged, OrderStatus.Cancelled, At(5));

        Assert.True(update.IsApplied);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
    }

    [Fact]
    public void CompareAndSet_WithTheCurrentStatus_StillRefusesATransitionTheTableForbids()
    {
        var order = Working();

        var update = order.CompareAndSet(OrderStatus.Acknowledged, OrderStatus.New, At(5));

        Assert.Equal(ErrorCodes.InvalidOrderStatusTransition, update.ErrorCode);
        Assert.Equal(OrderStatus.Acknowledged, order.Status);
    }

    [Fact]
    public void CompareAndSet_IntoPendingCancel_RemembersTheStatusToRestore()
    {
        var order = Working();

        order.CompareAndSet(OrderStatus.Acknowledged, OrderStatus.PendingCancel, At(3)).ThrowIfRefused();
        order.RejectCancel("no", At(4)).ThrowIfRefused();

        Assert.Equal(OrderStatus.Acknowledged, order.Status);
    }

    [Fact]
    public void CompareAndSet_OutOfPending_ToAStatusOtherThanTheRememberedOne_IsRefused()
    {
        var order = Working();
        order.ApplyFill(Fill("t1", 1m));
        order.RequestCancel(At(3)).ThrowIfRefused();

        var update = order.CompareAndSet(OrderStatus.PendingCancel, OrderStatus.Acknowledged, At(4));

        Assert.Equal(TransitionOutcome.Refused, update.Outcome);
        Assert.Equal(OrderStatus.PendingCancel, order.Status);
    }

    [Fact]
    public void AverageFillPrice_IsVolumeWeighted_AndFeesAddUp()
    {
        var order = Working(quantity: 5m);

        order.ApplyFill(Fill("t1", 1m, price: 100m, fee: 0.10m));
        order.ApplyFill(Fill("t2", 3m, price: 104m, fee: 0.30m));
        order.ApplyFill(Fill("t3", 1m, price: 98m, fee: -0.02m));

        // (1 × 100 + 3 × 104 + 1 × 98) / 5 = 510 / 5
        Assert.Equal(102m, order.AverageFillPrice);
        Assert.Equal(0.38m, order.TotalFees);
        Assert.Equal(5m, order.FilledQuantity);
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void Cancel_WhileAModifyIsPending_EndsTheOrder_AndForgetsTheModify()
    {
        var order = Working();
        order.RequestUpdate(Modify(price: 99m), At(3)).ThrowIfRefused();

        order.Cancel("venue cancelled", At(4)).ThrowIfRefused();

        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Null(order.PendingModify);
        Assert.Null(order.StatusBeforePending);
    }

    [Fact]
    public void Version_CountsAppliedChangesOnly()
    {
        var order = NewLimitOrder();

        order.MarkSubmitted(At(1));
        order.MarkSubmitted(At(2));
        order.Deny("x", At(3));
        order.Acknowledge(null, At(4));
        order.ApplyFill(Fill("t1", 1m));
        order.ApplyFill(Fill("t1", 1m));

        Assert.Equal(3, order.Version);
    }

    [Fact]
    public void UpdatedAt_NeverMovesBackwards()
    {
        var order = NewLimitOrder();
        order.MarkSubmitted(At(10));

        order.Acknowledge(null, At(5));

        Assert.Equal(At(10), order.UpdatedAt);
    }
}
