using System.Collections.Frozen;
using System.Globalization;
using TradingKit.Risk;

namespace TradingKit.Notifications;

/// <summary>How urgent an alert is.</summary>
public enum AlertSeverity
{
    /// <summary>For the record.</summary>
    Info = 0,

    /// <summary>Someone should look soon.</summary>
    Warning = 1,

    /// <summary>Someone must act now (kill switch, trip, retries exhausted, worker failed).</summary>
    Critical = 2,
}

/// <summary>The names of the alerts TradingKit sends (seed 000's ops events).</summary>
public static class AlertEvents
{
    /// <summary>The kill switch was turned on.</summary>
    public const string KillSwitchOn = "kill_switch_on";

    /// <summary>The kill switch was turned off.</summary>
    public const string KillSwitchOff = "kill_switch_off";

    /// <summary>The risk guard tripped.</summary>
    public const string RiskGuardTripped = "risk_guard_tripped";

    /// <summary>An operation gave up after its last retry.</summary>
    public const string RetryExhausted = "retry_exhausted";

    /// <summary>A worker failed.</summary>
    public const string WorkerFailed = "worker_failed";

    /// <summary>Forced liquidation left positions open.</summary>
    public const string LiquidationIncomplete = "forced_liquidation_incomplete";
}

/// <summary>One operational alert, as sent to a notifier and serialised as the webhook's JSON body.</summary>
/// <param name="Event">The alert name, for example <c>kill_switch_on</c> (<see cref="AlertEvents"/>).</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Message">What happened, readable; never a secret.</param>
/// <param name="OccurredAt">When.</param>
public sealed record Alert(string Event, AlertSeverity Severity, string Message, DateTimeOffset OccurredAt)
{
    /// <summary>Extra fields (cause, threshold, observed, actor, ...), all as invariant-culture text.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The correlation id of what caused it, if any.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The alert for a kill switch change.</summary>
    /// <param name="change">The change.</param>
    /// <returns>A critical <c>kill_switch_on</c> or <c>kill_switch_off</c> alert.</returns>
    public static Alert ForKillSwitch(KillSwitchTransition change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var on = change.State == KillSwitchState.On;
        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["actor"] = change.Actor, ["reason"] = change.Reason };
        if (change.TripCause is not null)
        {
            details["tripCause"] = change.TripCause;
        }

        return new Alert(on ? AlertEvents.KillSwitchOn : AlertEvents.KillSwitchOff, AlertSeverity.Critical,
            $"Kill switch {(on ? "ON" : "OFF")} by {change.Actor}: {change.Reason}", change.OccurredAt) { Details = details };
    }

    /// <summary>The alert for a risk trip.</summary>
    /// <param name="trip">The trip.</param>
    /// <returns>A critical <c>risk_guard_tripped</c> alert.</returns>
    public static Alert ForTrip(RiskTrip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        return new Alert(AlertEvents.RiskGuardTripped, AlertSeverity.Critical, $"Risk guard tripped ({trip.Cause}): {trip.Message}", trip.OccurredAt)
        {
            Details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["cause"] = trip.Cause,
                ["threshold"] = trip.Threshold.ToString(CultureInfo.InvariantCulture),
                ["observed"] = trip.Observed.ToString(CultureInfo.InvariantCulture),
                ["state"] = trip.NewState.ToString(),
                ["dailyLoss"] = trip.Portfolio.DailyLoss.ToString(CultureInfo.InvariantCulture),
                ["drawdown"] = trip.Portfolio.Drawdown.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>The alert for an operation that gave up after its retries.</summary>
    /// <param name="operation">What was retried (for example <c>submit BTCUSDT 1a2b</c>).</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="reason">The last error, without secrets.</param>
    /// <param name="occurredAt">When.</param>
    /// <returns>A critical <c>retry_exhausted</c> alert.</returns>
    public static Alert RetryExhausted(string operation, int attempts, string reason, DateTimeOffset occurredAt)
        => new(AlertEvents.RetryExhausted, AlertSeverity.Critical, $"{operation} gave up after {attempts.ToString(CultureInfo.InvariantCulture)} attempts: {reason}", occurredAt)
        {
            Details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["operation"] = operation,
                ["attempts"] = attempts.ToString(CultureInfo.InvariantCulture),
                ["reason"] = reason,
            },
        };

    /// <summary>The alert for a failed worker.</summary>
    /// <param name="worker">The worker id.</param>
    /// <param name="reason">What failed, without secrets.</param>
    /// <param name="occurredAt">When.</param>
    /// <returns>A critical <c>worker_failed</c> alert.</returns>
    public static Alert WorkerFailed(string worker, string reason, DateTimeOffset occurredAt)
        => new(AlertEvents.WorkerFailed, AlertSeverity.Critical, $"Worker {worker} failed: {reason}", occurredAt)
        {
            Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["worker"] = worker, ["reason"] = reason },
        };
}

/// <summary>
/// Sends operational alerts (webhook, chat, pager, log). <see cref="NotifyAsync"/> must return quickly and must not
/// throw for delivery failures: it is awaited on the engine loop. Slow deliveries belong on a background queue
/// (see <see cref="WebhookNotifier"/>).
/// </summary>
public interface INotifier
{
    /// <summary>Sends (or queues) one alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="cancellationToken">Cancels queuing.</param>
    /// <returns>A task that completes when the alert is queued or sent.</returns>
    ValueTask NotifyAsync(Alert alert, CancellationToken cancellationToken = default);
}
