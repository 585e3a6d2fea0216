using Microsoft.Extensions.Logging;

namespace TradingKit.Notifications;

/// <summary>The default notifier: writes each alert to the log (critical → error, warning → warning, info → information).</summary>
/// <param name="logger">The logger.</param>
public sealed partial class LogNotifier(ILogger<LogNotifier> logger) : INotifier
{
    /// <inheritdoc />
    public ValueTask NotifyAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var level = alert.Severity switch
        {
            AlertSeverity.Critical => LogLevel.Error,
            AlertSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        LogAlert(logger, level, alert.Event, alert.Message, alert.OccurredAt);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 4100, Message = "[ops-event] {AlertEvent}: {AlertMessage} at {OccurredAt:O}")]
    private static partial void LogAlert(ILogger logger, LogLevel level, string alertEvent, string alertMessage, DateTimeOffset occurredAt);
}
