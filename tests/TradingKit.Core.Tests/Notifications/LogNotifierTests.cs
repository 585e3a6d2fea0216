using Microsoft.Extensions.Logging;
using TradingKit.Notifications;

namespace TradingKit.Core.Tests.Notifications;

public sealed class LogNotifierTests
{
    [Theory]
    [InlineData(AlertSeverity.Critical, LogLevel.Error)]
    [InlineData(AlertSeverity.Warning, LogLevel.Warning)]
    [InlineData(AlertSeverity.Info, LogLevel.Information)]
    public async Task LogsEachAlert_AtTheLevelOfItsSeverity(AlertSeverity severity, LogLevel expected)
    {
        var logger = new CapturingLogger();

        await new LogNotifier(logger).NotifyAsync(new Alert(AlertEvents.KillSwitchOn, severity, "Kill switch ON by alice: incident", DateTimeOffset.UnixEpoch));

        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(expected, level);
        Assert.Contains("kill_switch_on", message, StringComparison.Ordinal);
        Assert.Contains("incident", message, StringComparison.Ordinal);
    }

    private sealed class CapturingLogger : ILogger<LogNotifier>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception)));
    }
}
