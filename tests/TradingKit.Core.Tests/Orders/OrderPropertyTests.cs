using System.Globalization;
using System.Text;
using TradingKit.Domain;
using TradingKit.Orders;
using static TradingKit.Core.Tests.Orders.OrderTestKit;

namespace TradingKit.Core.Tests.Orders;

/// <summary>
/// Random operation sequences (seeded, so a failure replays) checked against invariants that must hold after
/// every step, whatever the venue sends in whatever order.
/// </summary>
public sealed class OrderPropertyTests
{
    private const int Sequences = 10_000;
    private const int MaxSteps = 40;

    private static readonly OrderStatus[] Statuses = Enum.GetValues<OrderStatus>();

    [Theory]
    [InlineData(20250102)]
    [InlineData(7)]
    public void RandomSequences_KeepTheOrderInvariants(int seed)
    {
        var random = new Random(seed);
        var appliedSteps = 0;
        var visited = new HashSet<OrderStatus>();

        for (var sequence = 0; sequence < Sequences; sequence++)
        {
            var order = NewLimitOrder(quantity: 1m);
            var log = new StringBuilder();
            var overfillReported = false;
            var sumFilled = 0m;
            var sumFees = 0m;
            var steps = random.Next(1, MaxSteps);

            for (var step = 0; step < steps; step++)
            {
                var before = Snapshot(order);
                var statusBefore = order.Status;
                var versionBefore = order.Version;
                var second = step + 1;

                var (name, applied, refused) = Step(random, order, second, ref sumFilled, ref sumFees, ref overfillReported);
                log.Append(CultureInfo.InvariantCulture, $"{name} -> {order.Status}; ");
                // The message is built only on failure: the sequences are many.
                void Check(bool holds, string invariant)
                {
                    if (!holds)
                    {
                        Assert.Fail($"{invariant}: seed {seed}, sequence {sequence}, step {step}: {log}");
                    }
                }

                visited.Add(order.Status);
                appliedSteps += applied ? 1 : 0;

                // Version moves by exactly one when something applied, never otherwise.
                Check(order.Version == versionBefore + (applied ? 1 : 0), "version");

                // A refusal changes nothing at all.
                if (refused)
                {
                    Check(Equals(before, Snapshot(order)), "refusal changed the order");
                }

                // Every status change is one the table allows.
                Check(OrderStateMachine.CanTransition(statusBefore, order.Status), $"{statusBefore} -> {order.Status} not in the table");

                // Terminal statuses never leave, except a late fill completing a cancelled or expired order.
                if (OrderStateMachine.IsTerminal(statusBefore) && order.Status != statusBefore)
                {
                    Check(statusBefore is OrderStatus.Cancelled or OrderStatus.Expired && order.Status == OrderStatus.Filled, $"left terminal {statusBefore}");
                }

                // Filled never exceeds the quantity unless an overfill was reported.
                Check(order.FilledQuantity <= order.Quantity || overfillReported, "silent overfill");

                // The fill totals are exactly the sum of the fills reported as applied.
                Check(order.FilledQuantity == sumFilled && order.TotalFees == sumFees, "fill totals");

                // A pending status always remembers what it stands in for, and nothing else does.
                Check(OrderStateMachine.IsPending(order.Status) == order.StatusBeforePending.HasValue, "pending memory");
                Check(order.PendingModify is null || OrderStateMachine.IsPending(order.Status), "stale modify");

                // A working status without fills never hides a fill, and partially filled always has one.
                if (order.Status is OrderStatus.Submitted or OrderStatus.Acknowledged or OrderStatus.Triggered)
                {
                    Check(order.FilledQuantity == 0m, $"fills hidden behind {order.Status}");
                }

                if (order.Status == OrderStatus.PartiallyFilled)
                {
                    Check(order.FilledQuantity > 0m && order.FilledQuantity < order.Quantity, "partially filled quantities");
                }
            }
        }

        // Guards the generator: the sequences must actually reach every status and apply changes.
        Assert.Equal(Statuses, visited.Order());
        Assert.True(appliedSteps > Sequences, "the generator applied too few changes to mean anything");
    }

    private static (string Name, bool Applied, bool Refused) Step(
        Random random, Order order, int second, ref decimal sumFilled, ref decimal sumFees, ref bool overfillReported)
    {
        var at = At(second);
        switch (random.Next(15))
        {
            case 0: return Of("submit", order.MarkSubmitted(at));
            case 1: return Of("deny", order.Deny("risk", at));
            case 2: return Of("ack", order.Acknowledge(new VenueOrderId("v-" + second.ToString(CultureInfo.InvariantCulture)), at));
            case 3: return Of("reject", order.Reject("venue", at));
            case 4: return Of("trigger", order.Trigger(at));
            case 5: return Of("cancel?", order.RequestCancel(at));
            case 6: return Of("modify?", order.RequestUpdate(Modify(quantity: RandomQuantity(random), price: 99m), at));
            case 7: return Of("cancel-rejected", order.RejectCancel("no", at));
            case 8: return Of("modify-rejected", order.RejectUpdate("no", at));
            case 9: return Of("modify-confirmed", order.ConfirmUpdate(random.Next(2) == 0 ? null : RandomQuantity(random), 98m, null, at));
            case 10: return Of("cancelled", order.Cancel(null, at));
            case 11: return Of("expired", order.Expire(null, at));
            case 12:
                var expected = random.Next(3) == 0 ? Statuses[random.Next(Statuses.Length)] : order.Status;
                var next = Statuses[random.Next(Statuses.Length)];
                return Of($"cas({expected},{next})", order.CompareAndSet(expected, next, at));
            default:
                // A small pool of trade ids so duplicates happen often.
                var quantity = RandomQuantity(random);
                var fee = quantity / 100m;
                var outcome = order.ApplyFill(Fill("t" + random.Next(6).ToString(CultureInfo.InvariantCulture), quantity, price: 90m + random.Next(20), fee: fee, second: second));
                var applied = outcome is FillOutcome.Applied or FillOutcome.Overfill;
                if (applied)
                {
                    sumFilled += quantity;
                    sumFees += fee;
                }

                overfillReported |= outcome == FillOutcome.Overfill;
                return ($"fill {quantity}={outcome}", applied, outcome is FillOutcome.Refused or FillOutcome.Duplicate);
        }

        static (string, bool, bool) Of(string name, OrderUpdate update)
            => (name + "=" + update.Outcome, update.IsApplied, update.Outcome == TransitionOutcome.Refused);
    }

    private static decimal RandomQuantity(Random random) => random.Next(1, 8) / 10m;
}
