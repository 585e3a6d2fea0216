using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// The event store on PostgreSQL. An append of any size is one round trip to <c>tk_append_events</c>, which checks the stream
/// version, drops duplicates by dedup key and inserts atomically; an append to several streams is one round trip to
/// <c>tk_append_events_many</c>, one statement, so one commit. Subscriptions read forward in pages, then wait for
/// <c>NOTIFY tk_events</c> with polling as the fallback.
/// </summary>
public sealed class PostgresEventStore : IMultiStreamEventStore
{
    private const string Columns = "global_position, event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, correlation_id, causation_id, dedup_key, payload";

    private readonly NpgsqlDataSource _dataSource;
    private readonly IEventPayloadSerializer _serializer;
    private readonly TimeProvider _timeProvider;
    private readonly PostgresStoreOptions _options;

    /// <summary>Creates the store.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    /// <param name="serializer">The payload serializer.</param>
    /// <param name="timeProvider">The clock for recorded times and polling; the system clock when null.</param>
    /// <param name="options">The options; defaults when null.</param>
    public PostgresEventStore(NpgsqlDataSource dataSource, IEventPayloadSerializer serializer, TimeProvider? timeProvider = null, PostgresStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(serializer);
        _dataSource = dataSource;
        _serializer = serializer;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _options = options ?? new PostgresStoreOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public async ValueTask<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedVersion, ExpectedVersion.Any);

        var columns = new EventColumns(events.Count);
        columns.Fill(events, 0, _serializer);
        await using var command = Sql.Command(_dataSource,
            "SELECT conflict, stream_version, last_position, appended, duplicates FROM tk_append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            [streamId, expectedVersion, _timeProvider.GetUtcNow(), .. columns.Parameters()]);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var version = reader.GetInt64(1);
            if (reader.GetBoolean(0))
            {
                throw new StreamVersionConflictException(streamId, expectedVersion, version);
            }

            return new AppendResult(version, reader.GetInt64(2), reader.GetInt32(3), reader.GetInt32(4));
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(appends);
        var parts = appends.Count;
        var total = 0;
        var streams = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var append in appends)
        {
            ArgumentException.ThrowIfNullOrEmpty(append.StreamId, nameof(appends));
            ArgumentNullException.ThrowIfNull(append.Events, nameof(appends));
            ArgumentOutOfRangeException.ThrowIfLessThan(append.ExpectedVersion, ExpectedVersion.Any, nameof(appends));
            if (!streams.Add(append.StreamId))
            {
                throw new ArgumentException($"Stream {append.StreamId} appears twice in one append.", nameof(appends));
            }

            foreach (var e in append.Events)
            {
                ArgumentNullException.ThrowIfNull(e, nameof(appends));
                if (e.DedupKey is { } key && !keys.Add(key))
                {
                    throw new ArgumentException($"Dedup key {key} appears twice in one append.", nameof(appends));
                }
            }

            total += append.Events.Count;
        }

        var streamIds = new string[parts];
        var expected = new long[parts];
        var counts = new int[parts];
        var columns = new EventColumns(total);
        var offset = 0;
        for (var i = 0; i < parts; i++)
        {
            streamIds[i] = appends[i].StreamId;
            expected[i] = appends[i].ExpectedVersion;
            counts[i] = appends[i].Events.Count;
            offset = columns.Fill(appends[i].Events, offset, _serializer);
        }

        await using var command = Sql.Command(_dataSource,
            "SELECT part, stream_version, last_position, appended, duplicates FROM tk_append_events_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            [Sql.Typed(streamIds, NpgsqlDbType.Array | NpgsqlDbType.Text),
            Sql.Typed(expected, NpgsqlDbType.Array | NpgsqlDbType.Bigint),
            Sql.Typed(counts, NpgsqlDbType.Array | NpgsqlDbType.Integer),
            _timeProvider.GetUtcNow(),
            .. columns.Parameters()]);
        var results = new AppendResult[parts];
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    results[reader.GetInt32(0) - 1] = new AppendResult(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt32(4));
                }
            }
        }
        catch (PostgresException e) when (e.SqlState == ConflictState)
        {
            // conflict|<version>|<stream>; the stream id comes last, so it may hold any character.
            var fields = e.MessageText.Split('|', 3);
            var stream = fields.Length == 3 ? fields[2] : "";
            var actual = fields.Length == 3 && long.TryParse(fields[1], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1;
            var part = Array.FindIndex(streamIds, id => id == stream);
            throw new StreamVersionConflictException(stream, part >= 0 ? expected[part] : ExpectedVersion.Any, actual);
        }

        return results;
    }

    /// <summary>The SQLSTATE <c>tk_append_events_many</c> raises on a version conflict.</summary>
    private const string ConflictState = "TK409";

    /// <summary>The column arrays of an append, laid end to end over its parts.</summary>
    private sealed class EventColumns(int count)
    {
        public Guid[] Ids { get; } = new Guid[count];

        public string[] Types { get; } = new string[count];

        public int[] SchemaVersions { get; } = new int[count];

        public DateTimeOffset[] Occurred { get; } = new DateTimeOffset[count];

        public Guid[] Correlations { get; } = new Guid[count];

        public Guid?[] Causations { get; } = new Guid?[count];

        public string?[] DedupKeys { get; } = new string?[count];

        public string[] Payloads { get; } = new string[count];

        /// <summary>The eight column arrays as typed parameters, in the order both append functions take them.</summary>
        public object?[] Parameters() =>
        [
            Sql.Typed(Ids, NpgsqlDbType.Array | NpgsqlDbType.Uuid),
            Sql.Typed(Types, NpgsqlDbType.Array | NpgsqlDbType.Text),
            Sql.Typed(SchemaVersions, NpgsqlDbType.Array | NpgsqlDbType.Integer),
            Sql.Typed(Occurred, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz),
            Sql.Typed(Correlations, NpgsqlDbType.Array | NpgsqlDbType.Uuid),
            Sql.Typed(Causations, NpgsqlDbType.Array | NpgsqlDbType.Uuid),
            Sql.Typed(DedupKeys, NpgsqlDbType.Array | NpgsqlDbType.Text),
            Sql.Typed(Payloads, NpgsqlDbType.Array | NpgsqlDbType.Jsonb),
        ];

        public int Fill(IReadOnlyList<EventData> events, int offset, IEventPayloadSerializer serializer)
        {
            foreach (var e in events)
            {
                ArgumentNullException.ThrowIfNull(e, nameof(events));
                ArgumentNullException.ThrowIfNull(e.Payload, nameof(events));
                Ids[offset] = e.EventId;
                Types[offset] = serializer.GetTypeName(e.Payload);
                SchemaVersions[offset] = serializer.GetSchemaVersion(e.Payload);
                Occurred[offset] = e.OccurredAt.ToUniversalTime();
                Correlations[offset] = e.CorrelationId.Value;
                Causations[offset] = e.CausationId;
                DedupKeys[offset] = e.DedupKey;
                Payloads[offset] = serializer.Serialize(e.Payload);
                offset++;
            }

            return offset;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var remaining = maxCount;
        if (remaining == 0)
        {
            yield break;
        }

        // The next page is read (and its payloads deserialised) while the caller works through the current one, so a
        // long read such as a rebuild waits for the database only once.
        var size = Math.Min(remaining, _options.ReadPageSize);
        Task<List<EventEnvelope>>? pending = ReadPageAsync(Math.Max(1, fromPosition), size, cancellationToken);
        try
        {
            while (pending is not null)
            {
                var page = await pending.ConfigureAwait(false);
                pending = null;
                remaining -= page.Count;
                var full = page.Count == size;
                if (full && remaining > 0)
                {
                    size = Math.Min(remaining, _options.ReadPageSize);
                    pending = ReadPageAsync(page[^1].GlobalPosition + 1, size, cancellationToken);
                }

                foreach (var envelope in page)
                {
                    yield return envelope;
                }
            }
        }
        finally
        {
            // A caller that stops early leaves a read in flight: let it finish so its connection goes back to the pool.
            if (pending is not null)
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException or TradingKit.Errors.TradingKitException)
                {
                    // Nobody wants the page any more; its error would have surfaced on the next read.
                }
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        var next = Math.Max(1, fromVersion);
        while (true)
        {
            await using var command = Sql.Command(_dataSource,
                $"SELECT {Columns} FROM event_store WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3",
                streamId, next, _options.ReadPageSize);
            var page = await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
            foreach (var envelope in page)
            {
                yield return envelope;
            }

            if (page.Count < _options.ReadPageSize)
            {
                yield break;
            }

            next = page[^1].StreamVersion + 1;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> SubscribeAsync(long fromPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(1, fromPosition);
        NpgsqlConnection? listener = null;
        try
        {
            if (_options.UseNotifications)
            {
                // Listen before the first read: a notification sent between a read and the wait is then still delivered.
                listener = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var listen = new NpgsqlCommand("LISTEN tk_events", listener);
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                var page = await ReadPageAsync(next, _options.ReadPageSize, cancellationToken).ConfigureAwait(false);
                foreach (var envelope in page)
                {
                    yield return envelope;
                    next = envelope.GlobalPosition + 1;
                }

                if (page.Count == _options.ReadPageSize)
                {
                    continue;
                }

                if (listener is not null)
                {
                    await listener.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        await using var command = Sql.Command(_dataSource, "SELECT coalesce(max(stream_version), 0) FROM event_store WHERE stream_id = $1", streamId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public async ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, "SELECT coalesce(max(global_position), 0) FROM event_store");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<List<EventEnvelope>> ReadPageAsync(long from, int count, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(_dataSource,
            $"SELECT {Columns} FROM event_store WHERE global_position >= $1 ORDER BY global_position LIMIT $2", from, count);
        return await Sql.ListAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    private EventEnvelope Read(NpgsqlDataReader reader)
    {
        var type = reader.GetString(4);

        // The UTF-8 bytes as stored: no UTF-16 string to decode and encode again before the JSON reader sees them. A payload
        // stored at an older schema version comes back upcast, and the envelope says the version it now has.
        var payload = _serializer.Deserialize(type, reader.GetInt32(5), reader.GetFieldValue<byte[]>(11).AsSpan());
        return new EventEnvelope(
            reader.GetGuid(1),
            reader.GetString(2),
            reader.GetInt64(3),
            reader.GetInt64(0),
            type,
            _serializer.GetSchemaVersion(payload),
            reader.GetTime(6),
            reader.GetTime(7),
            new CorrelationId(reader.GetGuid(8)),
            reader.IsDBNull(9) ? null : reader.GetGuid(9),
            reader.GetNullableString(10),
            payload);
    }
}
