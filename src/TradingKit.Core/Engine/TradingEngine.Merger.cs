using Microsoft.Extensions.Logging;
using TradingKit.Brokers;
using TradingKit.Connectivity;

namespace TradingKit.Engine;

/// <content>
/// A live venue's stream and poll queries merged in front of the OMS (UC-03, UC-08): the stream is a hint, polling
/// converges, and each fill and status reaches the OMS once whichever source saw it first.
/// </content>
public sealed partial class TradingEngine
{
    private VenueEventMerger? _merger;

    /// <summary>The merger in front of a live venue; null with a simulated venue, before start, or when <see cref="EngineOptions.StreamAndPoll"/> is null.</summary>
    public VenueEventMerger? VenueMerger => _merger;

    /// <summary>Creates the merger at start for a live venue.</summary>
    private void CreateMerger()
    {
        if (_simulatedVenue is null && _options.StreamAndPoll is { } options && _merger is null)
        {
            // Fills from before the start are start-up reconciliation's to find; the merger watches from here on.
            _merger = new VenueEventMerger(_broker.VenueName, _time, _startedAt, options);
            _merger.FillDetected += (source, latency) => Metrics.FillDetected(source, latency);
        }
    }

    /// <summary>One event of a live venue's stream, through the merger.</summary>
    private async ValueTask OnMergedStreamAsync(VenueEventMerger merger, VenueEvent venueEvent, CancellationToken cancellationToken)
        => await ApplyMergeAsync(merger.OnStream(venueEvent), cancellationToken).ConfigureAwait(false);

    /// <summary>Polls the venue when the merger says a poll is due (the timer).</summary>
    private async ValueTask PollVenueIfDueAsync(CancellationToken cancellationToken)
    {
        if (_merger is not { } merger || !merger.IsPollDue(_time.GetUtcNow()))
        {
            return;
        }

        MergeBatch batch;
        try
        {
            batch = await merger.PollAsync(_broker, cancellationToken).ConfigureAwait(false);
        }
        catch (Errors.TradingKitException ex)
        {
            // An adapter that refuses the read outright (no credentials, an unknown symbol) must not take the loop down;
            // the next tick asks again and reconciliation reports what stays unreadable.
            LogPollFailed(_broker.VenueName, $"{ex.Code}: {ex.Message}");
            return;
        }

        if (batch.PollFailure is { } failure)
        {
            LogPollFailed(_broker.VenueName, failure);
        }

        await ApplyMergeAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ApplyMergeAsync(MergeBatch batch, CancellationToken cancellationToken)
    {
        foreach (var payload in batch.Events)
        {
            await _recorder.AppendAsync(payload, cancellationToken).ConfigureAwait(false);
        }

        foreach (var report in batch.Reports)
        {
            await ReportSink.ApplyAsync(report, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling venue {Venue} failed ({Failure}); the next timer tick retries")]
    private partial void LogPollFailed(string venue, string failure);
}
