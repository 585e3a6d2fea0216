using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Hosting;

/// <summary>How <see cref="SymbolLockReaperService"/> recovers the symbols of dead workers (seed 002 SC-009).</summary>
public sealed class SymbolLockReaperOptions
{
    /// <summary>How often a reaping pass runs (on the host's <see cref="TimeProvider"/>).</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A worker whose registry heartbeat is older than this is declared exited and all its locks are released, even those
    /// not expired yet; null judges workers by their locks' TTLs only.
    /// </summary>
    /// <value>Defaults to null.</value>
    public TimeSpan? WorkerTimeout { get; set; }

    /// <summary>Checks the options.</summary>
    /// <returns>The problems found; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Interval <= TimeSpan.Zero)
        {
            problems.Add($"Hosting:Reaper:Interval must be positive (got {Interval})");
        }

        if (WorkerTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problems.Add($"Hosting:Reaper:WorkerTimeout must be positive (got {timeout})");
        }

        return problems;
    }
}

/// <summary>
/// Runs <see cref="SymbolLockReaper"/> passes on a timer while the host runs: expired locks are deleted, their workers (and
/// silent ones) set to EXIT with every lock they held released, and one <c>lock_released</c> event appended per lock, so
/// the symbols of a dead worker become free for the others (seed 002 SC-009). Several hosts may run it on one database:
/// each lock is deleted by exactly one of them. A pass that fails is logged and retried at the next interval.
/// </summary>
public sealed partial class SymbolLockReaperService : BackgroundService
{
    private readonly SymbolLockReaper _reaper;
    private readonly SymbolLockReaperOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SymbolLockReaperService> _logger;
    private long _passes;
    private long _released;

    /// <summary>Creates the service.</summary>
    /// <param name="locks">The shared symbol locks.</param>
    /// <param name="workers">The workers registry.</param>
    /// <param name="events">The event log the lock-released events go to.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The clock passes are timed on.</param>
    /// <param name="logger">The logger.</param>
    public SymbolLockReaperService(ISymbolLockService locks, IWorkerRegistry workers, IEventStore events, IOptions<SymbolLockReaperOptions> options,
        TimeProvider time, ILogger<SymbolLockReaperService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _reaper = new SymbolLockReaper(locks, workers, events,
            (held, reason) => new LockReleased(held.Symbol, held.WorkerId, reason == LockReleaseReason.Expired ? "expired" : "worker_exited"),
            time, _options.WorkerTimeout);
    }

    /// <summary>Passes run so far.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Locks released so far.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>Runs one pass now (also what the timer does).</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>The locks released, with why.</returns>
    public async Task<IReadOnlyList<(SymbolLock Lock, LockReleaseReason Reason)>> ReapOnceAsync(CancellationToken cancellationToken = default)
    {
        var released = await _reaper.ReapAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (held, reason) in released)
        {
            LogReaped(held.Symbol.Value, held.WorkerId, reason);
        }

        Interlocked.Increment(ref _passes);
        Interlocked.Add(ref _released, released.Count);
        return released;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReapOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // One failed pass (a database restart) must not stop the reaping; the next pass retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPassFailed(ex);
            }

            try
            {
                await Task.Delay(_options.Interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} is gone: its lock on {Symbol} was reclaimed ({Reason})")]
    private partial void LogReaped(string symbol, string workerId, LockReleaseReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A symbol lock reaping pass failed; retried at the next interval")]
    private partial void LogPassFailed(Exception exception);
}
