using System.Buffers;
using System.Runtime.CompilerServices;
using TradingKit.Domain;
using TradingKit.Events;

namespace TradingKit.Stores.InMemory;

/// <summary>
/// The embedded event store: thread-safe, with exactly the semantics of the PostgreSQL store
/// (see <see cref="IEventStore"/>). Appends take one lock per call; reads of the global log take none.
/// </summary>
public sealed class InMemoryEventStore : IEventStore
{
    private const int ReadChunk = 256;
    private const int SmallBatch = 16;

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    // The log is kept as structs in fixed-size chunks rather than one envelope object per event: a session keeps every
    // event it records, and a chunk (on the large-object heap) is never copied by a collection, where a small object per
    // event was copied twice on its way to the oldest generation. Envelopes are made when read.
    private const int ChunkShift = 10;
    private const int ChunkSize = 1 << ChunkShift;

    private readonly Dictionary<string, StreamState> _streams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dedupKeys = new(StringComparer.Ordinal);
    private readonly AsyncSignal _appended = new();
    private StoredEvent[][] _chunks = [];
    private int _count;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for <see cref="EventEnvelope.RecordedAt"/>; the system clock when null.</param>
    public InMemoryEventStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedVersion, ExpectedVersion.Any);
        cancellationToken.ThrowIfCancellationRequested();

        var n = events.Count;
        var batch = ArrayPool<PendingEvent>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                var e = events[i];
                ArgumentNullException.ThrowIfNull(e, nameof(events));
                batch[i] = new PendingEvent(e.EventId, e.Payload, e.OccurredAt, e.CorrelationId, e.CausationId, e.DedupKey);
            }

            return Append(streamId, expectedVersion, batch.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<PendingEvent>.Shared.Return(batch, clearArray: true);
        }
    }

    /// <summary>
    /// The engine's append path: the semantics of <see cref="AppendAsync"/> for events laid out in a buffer the caller
    /// reuses, so recording an event allocates only what the log keeps.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="expectedVersion">The expected version, as for <see cref="AppendAsync"/>.</param>
    /// <param name="events">The events, in order; the store copies what it keeps.</param>
    /// <returns>What was written.</returns>
    internal ValueTask<AppendResult> Append(string streamId, long expectedVersion, ReadOnlySpan<PendingEvent> events)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedVersion, ExpectedVersion.Any);

        // Everything that can throw (validation, the catalogue's type lookup) happens before the lock, so a failure
        // never leaves half a batch behind.
        var n = events.Length;
        var types = ArrayPool<(string Type, int SchemaVersion)>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                var payload = events[i].Payload;
                ArgumentNullException.ThrowIfNull(payload, nameof(events));
                var registration = EventCatalog.Get(payload);
                types[i] = (registration.TypeName, registration.SchemaVersion);
            }

            return AppendChecked(streamId, expectedVersion, events, types);
        }
        finally
        {
            ArrayPool<(string Type, int SchemaVersion)>.Shared.Return(types, clearArray: true);
        }
    }

    private ValueTask<AppendResult> AppendChecked(string streamId, long expectedVersion, ReadOnlySpan<PendingEvent> events, (string Type, int SchemaVersion)[] types)
    {
        var n = events.Length;
        var recordedAt = _timeProvider.GetUtcNow();
        AppendResult result;
        lock (_gate)
        {
            var known = _streams.TryGetValue(streamId, out var stream);
            var current = stream.Version;
            var lastPosition = known ? stream.LastIndex + 1L : 0L;

            var duplicates = 0;
            bool[]? dropped = null;
            HashSet<string>? batchKeys = n > SmallBatch ? new HashSet<string>(StringComparer.Ordinal) : null;
            for (var i = 0; i < n; i++)
            {
                if (IsDuplicate(events, i, batchKeys))
                {
                    dropped ??= new bool[n];
                    dropped[i] = true;
                    duplicates++;
                }
            }

            if (duplicates == n && n > 0)
            {
                return ValueTask.FromResult(new AppendResult(current, lastPosition, 0, duplicates));
            }

            if (expectedVersion != ExpectedVersion.Any && expectedVersion != current)
            {
                throw new StreamVersionConflictException(streamId, expectedVersion, current);
            }

            if (n == 0)
            {
                return ValueTask.FromResult(new AppendResult(current, lastPosition, 0, 0));
            }

            var appended = n - duplicates;
            EnsureCapacity(_count + appended);
            var chunks = _chunks;
            var position = _count;
            var previous = known ? stream.LastIndex : -1;
            for (var i = 0; i < n; i++)
            {
                if (dropped is not null && dropped[i])
                {
                    continue;
                }

                ref readonly var e = ref events[i];
                if (e.DedupKey is not null)
                {
                    _dedupKeys.Add(e.DedupKey);
                }

                ref var slot = ref chunks[position >> ChunkShift][position & (ChunkSize - 1)];
                slot = new StoredEvent(e.EventId, streamId, ++current, types[i].Type, types[i].SchemaVersion, e.OccurredAt, recordedAt,
                    e.CorrelationId, e.CausationId, e.DedupKey, e.Payload, previous);
                previous = position++;
            }

            _streams[streamId] = new StreamState(current, previous);
            Volatile.Write(ref _count, position);
            result = new AppendResult(current, position, appended, duplicates);
        }

        _appended.Pulse();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var next = Math.Max(1, fromPosition);
        var count = Volatile.Read(ref _count);
        var chunks = Volatile.Read(ref _chunks);
        var last = Math.Min(count, next - 1 + (long)maxCount);
        for (; next <= last; next++)
        {
            if ((next & (ReadChunk - 1)) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
            }

            yield return Envelope(chunks, (int)(next - 1));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        var from = Math.Max(1, fromVersion);

        // The stream's events are linked newest to oldest; the positions from the requested version on are collected once
        // (the log never changes what it holds), then read in order.
        var positions = new List<int>();
        StoredEvent[][] chunks;
        lock (_gate)
        {
            chunks = _chunks;
            if (_streams.TryGetValue(streamId, out var stream))
            {
                for (var index = stream.LastIndex; index >= 0; )
                {
                    ref readonly var stored = ref chunks[index >> ChunkShift][index & (ChunkSize - 1)];
                    if (stored.StreamVersion < from)
                    {
                        break;
                    }

                    positions.Add(index);
                    index = stored.PreviousInStream;
                }
            }
        }

        for (var i = positions.Count - 1; i >= 0; i--)
        {
            if (((positions.Count - 1 - i) & (ReadChunk - 1)) == ReadChunk - 1)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
            }

            yield return Envelope(chunks, positions[i]);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> SubscribeAsync(long fromPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(1, fromPosition);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Take the wake-up task before looking, so an append between the look and the wait still wakes us.
            var wake = _appended.GetWaitTask();
            var count = Volatile.Read(ref _count);
            if (next > count)
            {
                await wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var chunks = Volatile.Read(ref _chunks);
            for (; next <= count; next++)
            {
                yield return Envelope(chunks, (int)(next - 1));
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        lock (_gate)
        {
            return ValueTask.FromResult(_streams.TryGetValue(streamId, out var stream) ? stream.Version : 0L);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult((long)Volatile.Read(ref _count));

    private bool IsDuplicate(ReadOnlySpan<PendingEvent> events, int index, HashSet<string>? batchKeys)
    {
        var key = events[index].DedupKey;
        if (key is null)
        {
            return false;
        }

        if (_dedupKeys.Contains(key))
        {
            return true;
        }

        if (batchKeys is not null)
        {
            return !batchKeys.Add(key);
        }

        for (var j = 0; j < index; j++)
        {
            if (string.Equals(events[j].DedupKey, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void EnsureCapacity(int required)
    {
        var chunks = _chunks;
        var needed = (required + ChunkSize - 1) >> ChunkShift;
        if (needed <= chunks.Length && (needed == 0 || chunks[needed - 1] is not null))
        {
            return;
        }

        if (needed > chunks.Length)
        {
            var grown = new StoredEvent[Math.Max(needed, chunks.Length * 2)][];
            Array.Copy(chunks, grown, chunks.Length);
            chunks = grown;
        }

        for (var i = 0; i < needed; i++)
        {
            chunks[i] ??= new StoredEvent[ChunkSize];
        }

        // Readers load the count before the chunks, so publishing the chunks first keeps every index they may read valid;
        // a chunk, once made, never moves.
        Volatile.Write(ref _chunks, chunks);
    }

    private static EventEnvelope Envelope(StoredEvent[][] chunks, int index)
    {
        ref readonly var e = ref chunks[index >> ChunkShift][index & (ChunkSize - 1)];
        return new EventEnvelope(e.EventId, e.StreamId, e.StreamVersion, index + 1L, e.EventType, e.SchemaVersion, e.OccurredAt, e.RecordedAt,
            e.CorrelationId, e.CausationId, e.DedupKey, e.Payload);
    }

    /// <summary>A stream's version and the index of its newest event.</summary>
    private readonly record struct StreamState(long Version, int LastIndex);

    /// <summary>One event as the log keeps it; <see cref="PreviousInStream"/> links a stream's events, newest first.</summary>
    private readonly record struct StoredEvent(
        Guid EventId,
        string StreamId,
        long StreamVersion,
        string EventType,
        int SchemaVersion,
        DateTimeOffset OccurredAt,
        DateTimeOffset RecordedAt,
        CorrelationId CorrelationId,
        Guid? CausationId,
        string? DedupKey,
        ITradingEvent Payload,
        int PreviousInStream);
}
