using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradingKit.Replay;
using TradingKit.Stores;

namespace TradingKit.Hosting;

/// <summary>
/// Keeps the projection store (<see cref="IProjectionStore"/>: orders, fills, positions, daily summaries) current
/// while the engine runs, for the control plane and other readers: it rebuilds the account from the whole event log
/// once, writes every row newer than the store's checkpoint, then follows the log (<see cref="IEventStore.SubscribeAsync"/>)
/// and writes what each event changed, moving the checkpoint with it. It runs beside the engine, never in its loop: the
/// projections trail the log by the time a write takes, and a slow or failing projection store never delays an order.
/// </summary>
/// <remarks>
/// Upserts are idempotent (a row older than the stored one is ignored, a fill is added once), so a restart, or a
/// <c>RebuildProjection</c> command while it runs, leaves the store consistent. Each event is written on its own: on
/// PostgreSQL that is a few round trips per event.
/// </remarks>
public sealed partial class ProjectionWorkerService : BackgroundService
{
    private readonly IEventStore _events;
    private readonly IProjectionStore _projections;
    private readonly ProjectionRebuildOptions _options;
    private readonly ILogger<ProjectionWorkerService> _logger;
    private readonly Lock _gate = new();
    private readonly List<(long Position, TaskCompletionSource Done)> _waiters = [];
    private long _written;

    /// <summary>Creates the worker.</summary>
    /// <param name="events">The event log.</param>
    /// <param name="projections">The projection store to keep current.</param>
    /// <param name="options">The account, starting cash, currency and day boundary, as the engine has them.</param>
    /// <param name="logger">The logger.</param>
    public ProjectionWorkerService(IEventStore events, IProjectionStore projections, ProjectionRebuildOptions options, ILogger<ProjectionWorkerService> logger)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(projections);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _events = events;
        _projections = projections;
        _options = options;
        _logger = logger;
    }

    /// <summary>The log position the projection store is current to (0 before the first write).</summary>
    public long Position => Interlocked.Read(ref _written);

    /// <summary>
    /// Completes when the projection store is current to <paramref name="position"/> (for example the log's last
    /// position after a command ran), so a reader can read its own writes.
    /// </summary>
    /// <param name="position">The log position.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the store has caught up.</returns>
    public Task WaitForPositionAsync(long position, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_written >= position)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((position, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var rebuilder = new ProjectionRebuilder(_options);
            var checkpoint = await _projections.GetCheckpointAsync(ProjectionRebuilder.ProjectionName, stoppingToken).ConfigureAwait(false);
            await rebuilder.RebuildAsync(_events, 1, stoppingToken).ConfigureAwait(false);
            if (checkpoint > rebuilder.LastPosition)
            {
                // The store is ahead of the log it is built from (another log, or one that was replaced): start it over.
                LogStoreAhead(checkpoint, rebuilder.LastPosition);
                await _projections.ResetAsync(stoppingToken).ConfigureAwait(false);
                checkpoint = 0;
            }

            await WriteAsync(Newer(rebuilder, checkpoint), stoppingToken).ConfigureAwait(false);
            rebuilder.TrackChanges();
            await foreach (var envelope in _events.SubscribeAsync(rebuilder.LastPosition + 1, stoppingToken).ConfigureAwait(false))
            {
                rebuilder.Apply(envelope);
                await WriteAsync(rebuilder.TakeChanges(), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private static ProjectionChanges Newer(ProjectionRebuilder rebuilder, long checkpoint) => new(
        [.. rebuilder.Orders.Values.Where(o => o.LastEventPosition > checkpoint).Select(ProjectionRebuilder.ToOrderView)],
        [.. rebuilder.Fills.Where(f => f.EventPosition > checkpoint)],
        [.. rebuilder.Positions.Where(p => p.LastEventPosition > checkpoint)],
        [.. rebuilder.DailySummaries.Where(d => d.LastEventPosition > checkpoint)],
        rebuilder.LastPosition);

    private async Task WriteAsync(ProjectionChanges changes, CancellationToken cancellationToken)
    {
        foreach (var order in changes.Orders)
        {
            await _projections.UpsertOrderAsync(order, cancellationToken).ConfigureAwait(false);
        }

        foreach (var fill in changes.Fills)
        {
            await _projections.AddFillAsync(fill, cancellationToken).ConfigureAwait(false);
        }

        foreach (var position in changes.Positions)
        {
            await _projections.UpsertPositionAsync(position, cancellationToken).ConfigureAwait(false);
        }

        foreach (var day in changes.DailySummaries)
        {
            await _projections.UpsertDailySummaryAsync(day, cancellationToken).ConfigureAwait(false);
        }

        if (!changes.IsEmpty || Position < changes.Position)
        {
            await _projections.SaveCheckpointAsync(ProjectionRebuilder.ProjectionName, changes.Position, cancellationToken).ConfigureAwait(false);
        }

        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            _written = Math.Max(_written, changes.Position);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Position <= _written)
                {
                    (done ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        done?.ForEach(static d => d.TrySetResult());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The projection store's checkpoint {Checkpoint} is past the event log's end {LogEnd}: the projections are rebuilt from scratch")]
    private partial void LogStoreAhead(long checkpoint, long logEnd);
}
