using TradingKit.Errors;
using TradingKit.Events;

namespace TradingKit.Stores;

/// <summary>Special values for the expected version of an append.</summary>
public static class ExpectedVersion
{
    /// <summary>Append whatever the stream's current version.</summary>
    public const long Any = -1;

    /// <summary>The stream must not exist yet.</summary>
    public const long NoStream = 0;
}

/// <summary>The append-only event log: the source of truth every projection is rebuilt from.</summary>
/// <remarks>
/// Semantics every implementation shares (proven by the event store contract suite):
/// versions start at 1 per stream; global positions start at 1 and strictly increase in commit order;
/// an append whose expected version no longer holds throws <see cref="StreamVersionConflictException"/>
/// and writes nothing; an event whose dedup key is already stored is dropped (counted in
/// <see cref="AppendResult.Duplicates"/>), and a batch made only of duplicates succeeds without a version check;
/// a batch is atomic; nothing is ever updated or deleted.
/// </remarks>
public interface IEventStore
{
    /// <summary>Appends events to one stream, atomically.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="expectedVersion">The stream's current version, <see cref="ExpectedVersion.NoStream"/> or <see cref="ExpectedVersion.Any"/>.</param>
    /// <param name="events">The events, in order.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="StreamVersionConflictException">The stream is not at <paramref name="expectedVersion"/>.</exception>
    ValueTask<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default);

    /// <summary>Reads the whole log forward from a global position.</summary>
    /// <param name="fromPosition">The first position to return (1 for everything).</param>
    /// <param name="maxCount">The most events to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Events in global position order.</returns>
    IAsyncEnumerable<EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Reads one stream forward from a version.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="fromVersion">The first version to return (1 for everything).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stream's events in version order.</returns>
    IAsyncEnumerable<EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, CancellationToken cancellationToken = default);

    /// <summary>Reads from a position and then waits for new events, until cancelled.</summary>
    /// <param name="fromPosition">The first position to return.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>Every event from <paramref name="fromPosition"/> on, none missed, none twice.</returns>
    IAsyncEnumerable<EventEnvelope> SubscribeAsync(long fromPosition, CancellationToken cancellationToken = default);

    /// <summary>The current version of a stream, or 0 when it does not exist.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>The highest global position written, or 0 when the log is empty.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The position.</returns>
    ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default);
}

/// <summary>The outcome of an append.</summary>
/// <param name="StreamVersion">The stream's version after the append.</param>
/// <param name="LastPosition">The global position of the last event written (or of the stream's last event when all were duplicates).</param>
/// <param name="Appended">How many events were written.</param>
/// <param name="Duplicates">How many were dropped because their dedup key was already stored.</param>
public readonly record struct AppendResult(long StreamVersion, long LastPosition, int Appended, int Duplicates);

/// <summary>Thrown when an append's expected stream version no longer holds. Nothing was written.</summary>
public sealed class StreamVersionConflictException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="expected">The version the caller expected.</param>
    /// <param name="actual">The stream's actual version.</param>
    public StreamVersionConflictException(string streamId, long expected, long actual)
        : base(ErrorCodes.StreamVersionConflict, $"Stream '{streamId}' is at version {actual}, not the expected {expected}; reload and retry.")
    {
        StreamId = streamId;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The stream.</summary>
    public string StreamId { get; }

    /// <summary>The expected version.</summary>
    public long Expected { get; }

    /// <summary>The actual version.</summary>
    public long Actual { get; }
}
