using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TradingKit.Events;

namespace TradingKit.Stores.InMemory;

/// <summary>
/// The embedded event store: thread-safe, with exactly the semantics of the PostgreSQL store
/// (see <see cref="IEventStore"/>). Appends take one lock per call; reads of the global log take none.
/// </summary>
public sealed class InMemoryEventStore : IMultiStreamEventStore
{
    private const int ReadChunk = 256;
    private const int SmallBatch = 16;

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, List<EventEnvelope>> _streams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dedupKeys = new(StringComparer.Ordinal);

    // A subscriber that has read everything waits on this; appends complete it. Both sides touch it only under the gate,
    // so an append never pays for a fence of its own and a subscriber never misses an append.
    private TaskCompletionSource? _waiter;
    private readonly EnvelopeLog _log = new();

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

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(appends);
        cancellationToken.ThrowIfCancellationRequested();

        // Everything that can throw before a write (arguments, the catalogue's type lookup) is checked first.
        var parts = new (PendingEvent[] Events, (string Type, int SchemaVersion)[] Types)[appends.Count];
        var streams = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < appends.Count; p++)
        {
            var append = appends[p];
            ArgumentException.ThrowIfNullOrEmpty(append.StreamId, nameof(appends));
            ArgumentNullException.ThrowIfNull(append.Events, nameof(appends));
            ArgumentOutOfRangeException.ThrowIfLessThan(append.ExpectedVersion, ExpectedVersion.Any, nameof(appends));
            if (!streams.Add(append.StreamId))
            {
                throw new ArgumentException($"Stream {append.StreamId} appears twice in one append.", nameof(appends));
            }

            var events = new PendingEvent[append.Events.Count];
            var types = new (string Type, int SchemaVersion)[events.Length];
            for (var i = 0; i < events.Length; i++)
            {
                var e = append.Events[i];
                ArgumentNullException.ThrowIfNull(e, nameof(appends));
                ArgumentNullException.ThrowIfNull(e.Payload, nameof(appends));
                if (e.DedupKey is { } key && !keys.Add(key))
                {
                    throw new ArgumentException($"Dedup key {key} appears twice in one append.", nameof(appends));
                }

                var registration = EventCatalog.Get(e.Payload);
                types[i] = (registration.TypeName, registration.SchemaVersion);
                events[i] = new PendingEvent(e.EventId, e.Payload, e.OccurredAt, e.CorrelationId, e.CausationId, e.DedupKey);
            }

            parts[p] = (events, types);
        }

        var results = new AppendResult[parts.Length];
        lock (_gate)
        {
            // Every part's version is checked before the first is written; the lock (re-entered below) keeps them true.
            for (var p = 0; p < parts.Length; p++)
            {
                var expected = appends[p].ExpectedVersion;
                if (expected == ExpectedVersion.Any)
                {
                    continue;
                }

                _streams.TryGetValue(appends[p].StreamId, out var stream);
                long current = stream?.Count ?? 0;
                var events = parts[p].Events;
                var onlyDuplicates = events.Length > 0 && Array.TrueForAll(events, e => e.DedupKey is not null && _dedupKeys.Contains(e.DedupKey));
                if (!onlyDuplicates && expected != current)
                {
                    throw new StreamVersionConflictException(appends[p].StreamId, expected, current);
                }
            }

            for (var p = 0; p < parts.Length; p++)
            {
                // The in-memory append completes synchronously (it returns a finished ValueTask).
                var written = AppendChecked(appends[p].StreamId, appends[p].ExpectedVersion, parts[p].Events, parts[p].Types);
                results[p] = written.IsCompletedSuccessfully ? written.Result : throw new InvalidOperationException("The in-memory append did not complete synchronously.");
            }
        }

        return ValueTask.FromResult<IReadOnlyList<AppendResult>>(results);
    }

    /// <summary>
    /// The batch path of <see cref="AppendAsync"/>, for events laid out in a pooled buffer, so that appending allocates
    /// only what the log keeps.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="expectedVersion">The expected version, as for <see cref="AppendAsync"/>.</param>
    /// <param name="events">The events, in order; the store copies what it keeps.</param>
    /// <returns>What was written.</returns>
    private ValueTask<AppendResult> Append(string streamId, long expectedVersion, ReadOnlySpan<PendingEvent> events)
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

    /// <summary>
    /// The engine's path for one event: the semantics of <see cref="AppendAsync"/> for a single event, without the batch
    /// machinery. <paramref name="stream"/> caches the stream's log between calls: null on the first call for a stream, set
    /// by the store, and passed back on later calls for the same stream so that the stream is not looked up again.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="expectedVersion">The expected version, as for <see cref="AppendAsync"/>.</param>
    /// <param name="e">The event; the store copies what it keeps.</param>
    /// <param name="stream">The cached log of <paramref name="streamId"/> in this store, or null.</param>
    /// <returns>What was written.</returns>
    internal AppendResult AppendOne(string streamId, long expectedVersion, in PendingEvent e, ref List<EventEnvelope>? stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedVersion, ExpectedVersion.Any);
        ArgumentNullException.ThrowIfNull(e.Payload, nameof(e));
        var registration = EventCatalog.Get(e.Payload);
        var recordedAt = _timeProvider.GetUtcNow();
        AppendResult result;
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            // One hash of the stream id (found or made in one step) and one of the key (added first): a refused append
            // takes back what it added.
            var log = stream;
            var made = false;
            if (log is null)
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_streams, streamId, out var exists);
                if (!exists)
                {
                    slot = new List<EventEnvelope>(4);
                    made = true;
                }

                log = slot!;
            }

            long current = log.Count;
            var key = e.DedupKey;
            if (key is not null && !_dedupKeys.Add(key))
            {
                ForgetIfMade(streamId, made);
                return new AppendResult(current, log.Count == 0 ? 0 : log[^1].GlobalPosition, 0, 1);
            }

            if (expectedVersion != ExpectedVersion.Any && expectedVersion != current)
            {
                if (key is not null)
                {
                    _dedupKeys.Remove(key);
                }

                ForgetIfMade(streamId, made);
                throw new StreamVersionConflictException(streamId, expectedVersion, current);
            }

            stream = log;
            var position = _log.WriterCount + 1;
            var envelope = new EventEnvelope(e.EventId, streamId, current + 1, position, registration.TypeName, registration.SchemaVersion,
                e.OccurredAt, recordedAt, e.CorrelationId, e.CausationId, key, e.Payload);
            _log.Store(position - 1, envelope);
            log.Add(envelope);
            _log.Publish(position);
            result = new AppendResult(current + 1, position, 1, 0);
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
        return result;
    }

    // A stream is made only by an append that writes to it.
    private void ForgetIfMade(string streamId, bool made)
    {
        if (made)
        {
            _streams.Remove(streamId);
        }
    }

    private ValueTask<AppendResult> AppendChecked(string streamId, long expectedVersion, ReadOnlySpan<PendingEvent> events, (string Type, int SchemaVersion)[] types)
    {
        var n = events.Length;
        var recordedAt = _timeProvider.GetUtcNow();
        AppendResult result;
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _streams.TryGetValue(streamId, out var stream);
            long current = stream?.Count ?? 0;

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
                return ValueTask.FromResult(new AppendResult(current, stream is null ? 0 : stream[^1].GlobalPosition, 0, duplicates));
            }

            if (expectedVersion != ExpectedVersion.Any && expectedVersion != current)
            {
                throw new StreamVersionConflictException(streamId, expectedVersion, current);
            }

            if (n == 0)
            {
                return ValueTask.FromResult(new AppendResult(current, stream is null ? 0 : stream[^1].GlobalPosition, 0, 0));
            }

            if (stream is null)
            {
                stream = new List<EventEnvelope>(Math.Max(4, n));
                _streams.Add(streamId, stream);
            }

            var appended = n - duplicates;
            var position = _log.WriterCount;
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

                var envelope = new EventEnvelope(
                    e.EventId,
                    streamId,
                    ++current,
                    position + 1,
                    types[i].Type,
                    types[i].SchemaVersion,
                    e.OccurredAt,
                    recordedAt,
                    e.CorrelationId,
                    e.CausationId,
                    e.DedupKey,
                    e.Payload);
                _log.Store(position++, envelope);
                stream.Add(envelope);
            }

            _log.Publish(position);
            result = new AppendResult(current, position, appended, duplicates);
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var next = Math.Max(1, fromPosition);
        var count = _log.Count;
        var log = _log.Read();
        var last = Math.Min(count, next - 1 + (long)maxCount);
        for (; next <= last; next++)
        {
            if ((next & (ReadChunk - 1)) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
            }

            yield return log[next - 1];
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        var next = (int)Math.Max(1, Math.Min(fromVersion, int.MaxValue));
        var buffer = new List<EventEnvelope>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            buffer.Clear();
            lock (_gate)
            {
                if (_streams.TryGetValue(streamId, out var stream) && next <= stream.Count)
                {
                    var take = Math.Min(ReadChunk, stream.Count - next + 1);
                    buffer.AddRange(stream.GetRange(next - 1, take));
                }
            }

            if (buffer.Count == 0)
            {
                yield break;
            }

            foreach (var envelope in buffer)
            {
                yield return envelope;
            }

            next += buffer.Count;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> SubscribeAsync(long fromPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(1, fromPosition);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The look and the registration are one step under the gate, so an append cannot slip between them.
            Task? wake = null;
            int count;
            lock (_gate)
            {
                count = _log.WriterCount;
                if (next > count)
                {
                    _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wake = _waiter.Task;
                }
            }

            if (wake is not null)
            {
                await wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var log = _log.Read();
            for (; next <= count; next++)
            {
                yield return log[next - 1];
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        lock (_gate)
        {
            return ValueTask.FromResult(_streams.TryGetValue(streamId, out var stream) ? (long)stream.Count : 0L);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult((long)_log.Count);

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
}
