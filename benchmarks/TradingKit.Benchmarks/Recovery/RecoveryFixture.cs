using Npgsql;
using NpgsqlTypes;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Postgres;
using TradingKit.Replay;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.TestSupport;
using TradingKit.Time;

namespace TradingKit.Benchmarks.Recovery;

/// <summary>
/// Builds the recovery benchmarks' inputs through the real engine, OMS, paper venue and in-memory store, so the log holds
/// exactly what the engine records: order streams (submitted, accepted, partial and full fills, cancel requests, cancels,
/// expiries, modifies, rejects), the account stream (initial cash, position and fee records) and the engine stream.
/// </summary>
internal static class RecoveryFixture
{
    public static readonly Symbol Spx = new("SPX");
    public static readonly Symbol Ndx = new("NDX");
    public static readonly DateTimeOffset Start = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    private static readonly Instrument[] Instruments =
    [
        new(Spx, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m),
        new(Ndx, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m),
    ];

    /// <summary>
    /// Runs a seeded random paper session until its log holds at least <paramref name="events"/> events, then copies exactly
    /// the first <paramref name="events"/> into a fresh store (same streams, versions and positions).
    /// </summary>
    public static async Task<InMemoryEventStore> BuildLogAsync(int events, int seed = 7)
    {
        var clock = new SimulationTimeProvider(Start);
        var venueOptions = new PaperVenueOptions
        {
            InitialCash = 10_000_000m,
            SlippageBps = 2m,
            TakerFeeBps = 1m,
            MakerFeeBps = 0.5m,
            ParticipationRate = 0.5m,
            Instruments = Instruments,
        };
        var venue = new PaperVenue(venueOptions, clock);
        var store = new InMemoryEventStore(clock);
        var options = new EngineOptions
        {
            Execution = { Mode = TradingKit.Execution.ExecutionMode.Paper },
            ReconcileInterval = null,
            SessionId = "bench-log",
            InitialCash = 10_000_000m,
            JournalHoldDecisions = false,
        };
        foreach (var instrument in Instruments)
        {
            options.Instruments.Add(instrument);
        }

        options.Oms.RetryBaseDelay = TimeSpan.Zero;
        options.Oms.CallTimeout = Timeout.InfiniteTimeSpan;
        var random = new Random(seed);
        var engine = new TradingEngine(options, venue, store, [new RandomStrategy(new Random(seed + 1), "bench-random", "BENCH", tradeProbability: 0.6, closeBelow: 0.1, buyBelow: 0.55)], clock);
        await using (engine.ConfigureAwait(false))
        {
            await engine.StartAsync().ConfigureAwait(false);
            var bars = new BarWalk(seed);
            var commandNumber = 0;
            while (await store.GetLastPositionAsync().ConfigureAwait(false) < events)
            {
                await engine.ProcessAsync(EngineInput.ForMarketData(bars.Next())).ConfigureAwait(false);
                var open = engine.Orders.GetOpenOrders();
                if (open.Count > 0 && random.NextDouble() < 0.3)
                {
                    var order = open[random.Next(open.Count)];
                    ITradingCommand command = random.NextDouble() < 0.8
                        ? new CancelOrder(order.ClientOrderId, order.Symbol, "operator cancel")
                        : new ModifyOrder(order.ClientOrderId, order.Symbol, order.Quantity + 1m, order.LimitPrice is { } lp ? lp + 0.05m : null, null);
                    commandNumber++;
                    var envelope = new CommandEnvelope(Guid.NewGuid(), "cmd-" + commandNumber, command, "bench", clock.GetUtcNow(), CorrelationId.New());
                    await engine.ProcessAsync(EngineInput.ForCommand(envelope)).ConfigureAwait(false);
                }
            }
        }

        return await CopyAsync(store, events).ConfigureAwait(false);
    }

    /// <summary>The first <paramref name="events"/> events of a store, in a fresh store, with the same streams, versions and positions.</summary>
    public static async Task<InMemoryEventStore> CopyAsync(IEventStore source, int events)
    {
        var copy = new InMemoryEventStore(new SimulationTimeProvider(Start));
        var one = new EventData[1];
        await foreach (var e in source.ReadAllAsync(1, events).ConfigureAwait(false))
        {
            one[0] = new EventData(e.EventId, e.Payload, e.OccurredAt, e.CorrelationId, e.CausationId, e.DedupKey);
            await copy.AppendAsync(e.StreamId, e.StreamVersion - 1, one).ConfigureAwait(false);
        }

        return copy;
    }

    /// <summary>
    /// Copies a log into a migrated, empty PostgreSQL event store with binary COPY in global position order (positions are
    /// assigned in row order, so they match), payloads as <paramref name="serializer"/> stores them; then vacuums and analyses.
    /// </summary>
    public static async Task CopyIntoAsync(NpgsqlDataSource dataSource, IEventStore log, IEventPayloadSerializer serializer)
    {
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using (var writer = await connection.BeginBinaryImportAsync(
                "COPY event_store (event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, correlation_id, causation_id, dedup_key, payload) FROM STDIN (FORMAT BINARY)"))
            {
                await foreach (var e in log.ReadAllAsync())
                {
                    writer.StartRow();
                    writer.Write(e.EventId, NpgsqlDbType.Uuid);
                    writer.Write(e.StreamId, NpgsqlDbType.Text);
                    writer.Write(e.StreamVersion, NpgsqlDbType.Bigint);
                    writer.Write(e.EventType, NpgsqlDbType.Text);
                    writer.Write(e.SchemaVersion, NpgsqlDbType.Integer);
                    writer.Write(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    writer.Write(e.RecordedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    writer.Write(e.CorrelationId.Value, NpgsqlDbType.Uuid);
                    if (e.CausationId is { } causation)
                    {
                        writer.Write(causation, NpgsqlDbType.Uuid);
                    }
                    else
                    {
                        writer.WriteNull();
                    }

                    if (e.DedupKey is { } key)
                    {
                        writer.Write(key, NpgsqlDbType.Text);
                    }
                    else
                    {
                        writer.WriteNull();
                    }

                    writer.Write(serializer.Serialize(e.Payload), NpgsqlDbType.Jsonb);
                }

                await writer.CompleteAsync();
            }

            await using var vacuum = connection.CreateCommand();
            vacuum.CommandText = "VACUUM (ANALYZE) event_store";
            await vacuum.ExecuteNonQueryAsync();
        }

    }

    /// <summary>Counts a log's events by type, most frequent first (for the report).</summary>
    public static async Task<string> DescribeAsync(IEventStore store)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var e in store.ReadAllAsync().ConfigureAwait(false))
        {
            counts[e.EventType] = counts.GetValueOrDefault(e.EventType) + 1;
        }

        return string.Join(", ", counts.OrderByDescending(static p => p.Value).Select(static p => p.Key + "=" + p.Value));
    }

    /// <summary>Rebuilds once and throws unless the log replays without a single issue (the log is the engine's own).</summary>
    public static async Task<ProjectionRebuilder> CheckedRebuildAsync(IEventStore store, int events)
    {
        var rebuilder = new ProjectionRebuilder();
        var applied = await rebuilder.RebuildAsync(store).ConfigureAwait(false);
        if (applied != events || rebuilder.Issues.Count > 0)
        {
            throw new InvalidOperationException($"rebuild applied {applied} of {events} events with {rebuilder.Issues.Count} issue(s): "
                + string.Join("; ", rebuilder.Issues.Take(5).Select(static i => i.Code + " " + i.Message)));
        }

        return rebuilder;
    }

    /// <summary>A seeded random walk of one-minute bars on two symbols, thin volume now and then so limit orders fill partially.</summary>
    private sealed class BarWalk(int seed)
    {
        private readonly Random _random = new(seed * 31 + 7);
        private decimal _price = 100m;
        private DateTimeOffset _time = Start;
        private long _count;

        public Bar Next()
        {
            var open = _price;
            var close = Math.Max(10m, Math.Round(open * (1m + ((decimal)_random.NextDouble() - 0.5m) * 0.02m), 2));
            var high = Math.Round(Math.Max(open, close) * (1m + (decimal)_random.NextDouble() * 0.005m), 2);
            var low = Math.Round(Math.Min(open, close) * (1m - (decimal)_random.NextDouble() * 0.005m), 2);
            var volume = _random.Next(0, 4) == 0 ? 2m : _random.Next(5, 200);
            var bar = new Bar(_count++ % 3 == 2 ? Ndx : Spx, _time, _time.AddMinutes(1), open, high, low, close, volume);
            _time = _time.AddMinutes(1);
            _price = close;
            return bar;
        }
    }
}
