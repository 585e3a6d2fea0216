using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingKit.Engine;
using TradingKit.Journal;
using TradingKit.MarketData;

namespace TradingKit.Hosting;

/// <summary>
/// Runs the account's engine for the life of a generic host: <see cref="TradingEngine.RunAsync"/> over the registered
/// feed (start-up recovery first, then the single-threaded loop). A host shutdown (SIGTERM, Ctrl+C,
/// <see cref="IHostApplicationLifetime.StopApplication"/>) stops the session gracefully: the engine stops taking market
/// data, drains what its venue has already reported, writes the summary and records <c>engine_stopped</c>. Give the host
/// enough <c>ShutdownTimeout</c> for that (the default 30 seconds is plenty for the in-memory and PostgreSQL stores).
/// </summary>
public sealed partial class HostedEngineService : BackgroundService
{
    private readonly TradingEngine _engine;
    private readonly Func<IMarketDataFeed> _feed;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly HostedEngineOptions _options;
    private readonly ILogger<HostedEngineService> _logger;
    private volatile HostedSessionStatus _status;
    private volatile SessionSummaryRecord? _summary;
    private volatile Exception? _failure;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the service.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="feed">Opens the session's market data when the session starts.</param>
    /// <param name="lifetime">The host's lifetime, stopped when the session ends (see <see cref="HostedEngineOptions.StopHostWhenSessionEnds"/>).</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    public HostedEngineService(TradingEngine engine, Func<IMarketDataFeed> feed, IHostApplicationLifetime lifetime, IOptions<HostedEngineOptions> options,
        ILogger<HostedEngineService> logger)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(lifetime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _engine = engine;
        _feed = feed;
        _lifetime = lifetime;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The engine this service runs.</summary>
    public TradingEngine Engine => _engine;

    /// <summary>Where the session stands.</summary>
    public HostedSessionStatus Status => _status;

    /// <summary>
    /// The session's summary once it has stopped (<see cref="HostedSessionStatus.Completed"/> or <see cref="HostedSessionStatus.Stopped"/>);
    /// null before, and null when it failed (the journal's <c>summary.json</c> is still written when the engine could stop).
    /// </summary>
    public SessionSummaryRecord? Summary => _summary;

    /// <summary>Why the session failed; null unless <see cref="Status"/> is <see cref="HostedSessionStatus.Faulted"/>.</summary>
    public Exception? Failure => _failure;

    /// <summary>
    /// Completes (never faults) when the session has ended, however it ended: the engine loop takes no more inputs from
    /// then on.
    /// </summary>
    public Task SessionEnded => _ended.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The rest runs off the host's start-up path: recovery may read a long log and query the venue.
        await Task.Yield();
        _status = HostedSessionStatus.Running;
        var endedOnItsOwn = true;
        try
        {
            _summary = await _engine.RunAsync(_feed(), progress: null, stoppingToken).ConfigureAwait(false);
            endedOnItsOwn = !stoppingToken.IsCancellationRequested;
            _status = endedOnItsOwn ? HostedSessionStatus.Completed : HostedSessionStatus.Stopped;
            LogSessionEnded(_engine.SessionId.Value, _status, _summary.Trades, _summary.FinalEquity);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Cancelled before the loop ran (during start-up recovery): the engine never traded.
            endedOnItsOwn = false;
            _status = HostedSessionStatus.Stopped;
            LogSessionEnded(_engine.SessionId.Value, _status, 0, 0m);
        }
#pragma warning disable CA1031 // Whatever ended the session is kept for the health check and the exit code, then the host stops.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failure = ex;
            _status = HostedSessionStatus.Faulted;
            LogSessionFailed(_engine.SessionId.Value, _engine.State, ex);
            if (_options.SetExitCodeOnFailure)
            {
                Environment.ExitCode = _options.FailureExitCode;
            }
        }
        finally
        {
            _ended.TrySetResult();
            if (endedOnItsOwn && _options.StopHostWhenSessionEnds)
            {
                _lifetime.StopApplication();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hosted session {SessionId} ended: {Status}, {Trades} round trips, final equity {FinalEquity}")]
    private partial void LogSessionEnded(string sessionId, HostedSessionStatus status, int trades, decimal finalEquity);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Hosted session {SessionId} failed (engine {State})")]
    private partial void LogSessionFailed(string sessionId, EngineState state, Exception exception);
}
