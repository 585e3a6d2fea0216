using System.Text;
using BenchmarkDotNet.Attributes;
using Npgsql;
using NpgsqlTypes;
using TradingKit.Events;
using TradingKit.Postgres;
using TradingKit.Stores;

namespace TradingKit.Benchmarks.Stores;

/// <summary>
/// PostgreSQL appends of 100 events: one call per event, one batched call, and the raw limits for the same rows
/// (one plain multi-row INSERT, one binary COPY) into a copy of <c>event_store</c> with the same columns, constraints and indexes but no trigger and no checks.
/// </summary>
[MemoryDiagnoser]
public class PostgresAppendBenchmarks
{
    private const int Events = 100;

    private BenchPostgres _postgres = null!;
    private PostgresEventStore _store = null!;
    private readonly BenchSerializer _serializer = new();
    private EventData[] _events = [];
    private string _multiRowInsert = "";
    private int _stream;

    [GlobalSetup]
    public async Task Setup()
    {
        _postgres = await BenchPostgres.StartAsync();
        _store = new PostgresEventStore(_postgres.DataSource, _serializer);
        _events = Enumerable.Range(0, Events).Select(BenchSerializer.Event).ToArray();
        await using (var create = _postgres.DataSource.CreateCommand("CREATE TABLE raw_events (LIKE event_store INCLUDING ALL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var sql = new StringBuilder("INSERT INTO raw_events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, correlation_id, causation_id, dedup_key, payload) VALUES ");
        for (var i = 0; i < Events; i++)
        {
            var p = i * 8;
            sql.Append(i == 0 ? "" : ", ").Append(System.Globalization.CultureInfo.InvariantCulture,
                $"(${p + 1}, ${p + 2}, ${p + 3}, 'BenchEvent', 1, ${p + 4}, ${p + 5}, ${p + 6}, NULL, ${p + 7}, ${p + 8}::jsonb)");
        }

        _multiRowInsert = sql.ToString();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _postgres.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task AppendOneEventPerCall()
    {
        var stream = "order-" + Interlocked.Increment(ref _stream);
        for (var i = 0; i < Events; i++)
        {
            await _store.AppendAsync(stream, ExpectedVersion.Any, [_events[i]]);
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> AppendBatched() =>
        (await _store.AppendAsync("order-" + Interlocked.Increment(ref _stream), ExpectedVersion.NoStream, _events)).LastPosition;

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task<int> RawMultiRowInsert()
    {
        var stream = "raw-" + Interlocked.Increment(ref _stream);
        var now = DateTimeOffset.UtcNow;
        await using var command = _postgres.DataSource.CreateCommand(_multiRowInsert);
        for (var i = 0; i < Events; i++)
        {
            var e = _events[i];
            command.Parameters.Add(new NpgsqlParameter { Value = e.EventId });
            command.Parameters.Add(new NpgsqlParameter { Value = stream });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)i + 1 });
            command.Parameters.Add(new NpgsqlParameter { Value = e.OccurredAt });
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            command.Parameters.Add(new NpgsqlParameter { Value = e.CorrelationId.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = _serializer.Serialize(e.Payload) });
        }

        return await command.ExecuteNonQueryAsync();
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<ulong> RawBinaryCopy()
    {
        var stream = "copy-" + Interlocked.Increment(ref _stream);
        var now = DateTimeOffset.UtcNow;
        await using var connection = await _postgres.DataSource.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY raw_events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, correlation_id, payload) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < Events; i++)
        {
            var e = _events[i];
            await writer.StartRowAsync();
            await writer.WriteAsync(e.EventId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(stream, NpgsqlDbType.Text);
            await writer.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
            await writer.WriteAsync("BenchEvent", NpgsqlDbType.Text);
            await writer.WriteAsync(1, NpgsqlDbType.Integer);
            await writer.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(e.CorrelationId.Value, NpgsqlDbType.Uuid);
            await writer.WriteAsync(_serializer.Serialize(e.Payload), NpgsqlDbType.Jsonb);
        }

        return await writer.CompleteAsync();
    }
}
