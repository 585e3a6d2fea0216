using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Engine;

/// <content>Risk wiring: submit outcomes, latency and slippage samples, trips and the stop plan (PIPE-260 §7).</content>
public sealed partial class TradingEngine
{
    /// <summary>The strategy id under which the stop plan's reducing orders are recorded.</summary>
    public static readonly StrategyId RiskGuardStrategy = new("risk-guard");

    private void OnAckLatency(TimeSpan latency)
    {
        Metrics.AckLatency(latency);
        _pendingTrip ??= _risk.RecordLatency(latency, _time.GetUtcNow());
    }

    /// <summary>Tells the risk guard how a submission ended (consecutive failures and rejects trip it).</summary>
    private async ValueTask AfterSubmitAsync(SubmitOutcome outcome, CancellationToken cancellationToken)
    {
        SubmissionOutcome? result = outcome.Status switch
        {
            SubmitStatus.Accepted => SubmissionOutcome.Accepted,
            SubmitStatus.Rejected => SubmissionOutcome.Rejected,
            SubmitStatus.Failed or SubmitStatus.Unknown => SubmissionOutcome.Failed,
            _ => null,
        };
        if (result is { } r)
        {
            _pendingTrip ??= _risk.RecordSubmitOutcome(r, _time.GetUtcNow());
        }

        if (outcome is { Status: SubmitStatus.Failed, Order: { } failed } && _notifier is not null)
        {
            // Transient failures outlasted every retry: an operator should know the venue is not taking orders.
            await _notifier.NotifyAsync(Notifications.Alert.RetryExhausted("submit " + failed.ClientOrderId.Value, _options.Oms.MaxRetries + 1,
                outcome.Reason ?? ErrorCodes.BrokerTimeoutTransient, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }

        await HandlePendingTripAsync(cancellationToken).ConfigureAwait(false);
    }

    // Called after every input: with no trip pending it completes without an asynchronous state machine.
    private ValueTask HandlePendingTripAsync(CancellationToken cancellationToken)
        => _pendingTrip is null ? ValueTask.CompletedTask : HandlePendingTripsAsync(cancellationToken);

    private async ValueTask HandlePendingTripsAsync(CancellationToken cancellationToken)
    {
        while (_pendingTrip is { } trip)
        {
            _pendingTrip = null;
            await TripAsync(trip, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The stop plan: new orders are already blocked (engine SAFE for a halt, the guard's reduce-only rule for REDUCING);
    /// open orders are cancelled, positions reduced or flattened as the plan says, and only then the kill switch engages,
    /// so the plan's own reducing orders still leave.
    /// </summary>
    private async ValueTask RunStopPlanAsync(RiskTrip trip, CancellationToken cancellationToken)
    {
        var plan = trip.StopPlan ?? StopPlan.BlockOnly();
        if (plan.CancelOpenOrders)
        {
            foreach (var order in Orders.GetOpenOrders())
            {
                await Orders.CancelAsync(order.ClientOrderId, cancellationToken).ConfigureAwait(false);
            }

            await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        }

        if (plan.Positions != StopPlanPositionAction.Hold && _killSwitch is not { IsOn: true })
        {
            _stopPlanRunning = true;
            try
            {
                foreach (var position in Portfolio.Positions)
                {
                    var quantity = plan.QuantityToClose(position.Quantity);
                    if (_instruments.TryGetValue(position.Symbol, out var instrument))
                    {
                        quantity = instrument.RoundQuantity(quantity);
                    }

                    if (quantity <= 0m)
                    {
                        continue;
                    }

                    var side = position.Quantity > 0m ? OrderSide.Sell : OrderSide.Buy;
                    var request = new OrderRequest
                    {
                        ClientOrderId = ClientOrderIdGenerator.Create(SessionId, RiskGuardStrategy, position.Symbol, side, _time.GetUtcNow(), "stop-plan:" + trip.Cause),
                        Symbol = position.Symbol,
                        Side = side,
                        Type = OrderType.Market,
                        Quantity = quantity,
                        ReduceOnly = true,
                        PositionSide = position.Side,
                    };
                    var price = _lastPrices.TryGetValue(position.Symbol, out var last) ? last : (decimal?)null;
                    await Orders.SubmitAsync(request, new OrderContext(RiskGuardStrategy, CorrelationId.New(), price, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                    await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _stopPlanRunning = false;
            }
        }

        if (_killSwitch is not null && plan.EngageKillSwitch)
        {
            var change = await _killSwitch.EngageForTripAsync(trip, cancellationToken).ConfigureAwait(false);
            if (change is not null)
            {
                await RecordKillSwitchAsync(change, automatic: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records a kill switch change: event, journal, log.</summary>
    private async ValueTask RecordKillSwitchAsync(KillSwitchTransition change, bool automatic, CancellationToken cancellationToken)
    {
        var on = change.State == KillSwitchState.On;
        _journal.WriteRiskEvent(new RiskEventRecord
        {
            Type = "kill_switch_changed",
            Timestamp = change.OccurredAt,
            Code = on ? ErrorCodes.KillSwitchActive : "KILL_SWITCH_OFF",
            Rule = change.TripCause,
            Message = $"{(on ? "on" : "off")} by {change.Actor}: {change.Reason}",
        });
        await _recorder.AppendAsync(new KillSwitchChanged(on, change.Reason, change.Actor, automatic), cancellationToken).ConfigureAwait(false);
        LogKillSwitch(on ? "on" : "off", change.Actor, change.Reason);
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Kill switch {State} by {Actor}: {Reason}")]
    private partial void LogKillSwitch(string state, string actor, string reason);
}
