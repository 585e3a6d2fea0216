using TradingKit.Events;

namespace TradingKit.Stores;

/// <summary>One stream's part of an <see cref="IMultiStreamEventStore.AppendManyAsync"/> call.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="ExpectedVersion">Its current version, <see cref="ExpectedVersion.NoStream"/> or <see cref="ExpectedVersion.Any"/>.</param>
/// <param name="Events">Its events, in order.</param>
public readonly record struct StreamAppend(string StreamId, long ExpectedVersion, IReadOnlyList<EventData> Events);

/// <summary>
/// An event store that can append to several streams in one atomic write (one round trip and one commit on a database):
/// either every stream's events are stored or none. The engine uses it, when the store offers it, to record a fill
/// together with the position and fee it caused.
/// </summary>
/// <remarks>
/// Each stream's part follows <see cref="IEventStore.AppendAsync"/>'s rules (its expected version, dedup keys, a part made
/// only of duplicates skips the version check); a conflict on any part throws <see cref="StreamVersionConflictException"/>
/// for the first such part and writes nothing of any part; the events take global positions in the order given.
/// </remarks>
public interface IMultiStreamEventStore : IEventStore
{
    /// <summary>Appends to several streams, atomically.</summary>
    /// <param name="appends">The streams' parts; each stream at most once, each dedup key at most once over the call.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <returns>What was written, one result per part, in order.</returns>
    /// <exception cref="StreamVersionConflictException">A part's stream is not at its expected version; nothing was written.</exception>
    /// <exception cref="ArgumentException">A stream or a dedup key appears twice.</exception>
    ValueTask<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default);
}
