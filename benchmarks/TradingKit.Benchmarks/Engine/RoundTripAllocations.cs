using System.Diagnostics.Tracing;
using System.Globalization;

namespace TradingKit.Benchmarks.Engine;

/// <summary>
/// Where the round trip's bytes go, by type:
/// <c>dotnet run -c Release --project benchmarks/TradingKit.Benchmarks -- allocations [orders] [sessions]</c>.
/// Runs whole sessions of the <see cref="EngineRoundTripBenchmarks"/> workload (two warm-up sessions first) and listens to
/// the runtime's allocation sampling: about every 100 KB allocated, the runtime names the type of the object that crossed
/// the mark, so each type's share of the samples is its share of the bytes. Prints bytes per order for the types with at
/// least 0.5% of the samples. It says what is allocated, not what is kept: for what a finished session keeps, take a heap
/// dump (docs/benchmarks.md, 2026-12-07, says how).
/// </summary>
internal static class RoundTripAllocations
{
    private const int WarmUp = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        if (!EngineFixture.TryReadSessionArguments(args, 5, out var orders, out var sessions, out var retained, out var reconcile))
        {
            await Console.Error.WriteLineAsync("usage: allocations [orders >= 2] [sessions >= 1] [retained finished orders >= 1 | all] [reconcile]").ConfigureAwait(false);
            return 2;
        }

        var bars = EngineFixture.Bars(orders);
        using var listener = new AllocationSampler();
        long allocated = 0;
        for (var s = 0; s < WarmUp + sessions; s++)
        {
            var measured = s >= WarmUp;
            var before = GC.GetTotalAllocatedBytes(precise: true);
            listener.Listening = measured;
            var engine = EngineFixture.Create(new EngineFixture.PingPongStrategy(), bars[0].OpenTime, retained, reconcile);
            await engine.RunAsync(new EngineFixture.ArrayFeed(bars)).ConfigureAwait(false);
            await engine.DisposeAsync().ConfigureAwait(false);
            listener.Listening = false;
            if (measured)
            {
                allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            }
        }

        var samples = listener.Snapshot();
        var sampled = samples.Sum(s => s.Bytes);
        if (sampled == 0)
        {
            await Console.Error.WriteLineAsync("the runtime sent no allocation samples").ConfigureAwait(false);
            return 1;
        }

        // The samples give each type's share; the process's exact allocation count scales the shares to bytes.
        var perOrder = (double)allocated / ((long)orders * sessions);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{orders} orders x {sessions} sessions: {perOrder:F0} B/order allocated in the process, {sampled / 1024 / 1024} MiB sampled"));
        foreach (var (type, bytes) in samples.OrderByDescending(s => s.Bytes))
        {
            var share = (double)bytes / sampled;
            if (share < 0.005)
            {
                break;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{share,7:P1} {share * perOrder,7:F0} B/order  {type}"));
        }

        return 0;
    }

    /// <summary>Listens to the runtime's allocation ticks (GC keyword, verbose level) and sums the bytes by type name.</summary>
    private sealed class AllocationSampler : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public volatile bool Listening;

        public List<(string Type, long Bytes)> Snapshot()
        {
            lock (_gate)
            {
                return [.. _bytes.Select(kv => (kv.Key, kv.Value))];
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (!Listening || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true
                || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
            {
                return;
            }

            var typeAt = names.IndexOf("TypeName");
            var amountAt = names.IndexOf("AllocationAmount64");
            if (typeAt < 0 || amountAt < 0 || payload[typeAt] is not string type)
            {
                return;
            }

            var amount = Convert.ToInt64(payload[amountAt], CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
