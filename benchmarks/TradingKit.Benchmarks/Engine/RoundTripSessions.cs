using System.Diagnostics;
using System.Globalization;

namespace TradingKit.Benchmarks.Engine;

/// <summary>
/// A console measurement beside BenchmarkDotNet for comparing two builds of the order round trip:
/// <c>dotnet run -c Release --project benchmarks/TradingKit.Benchmarks -- sessions [orders] [sessions] [retained|all] [reconcile]</c>.
/// Each session is one whole engine run of the <see cref="EngineRoundTripBenchmarks"/> workload (one order round trip per
/// bar). A full, compacting collection runs before every session, so one session's garbage is never charged to the next,
/// and the first five sessions are warm-up (tiered compilation). For each session it prints the wall time per order, the
/// garbage-collection pause inside it, the process CPU time and the bytes allocated per order; at the end the median and
/// the best session, and what the finished session still holds per order (measured after the timing). An optional
/// third argument sets how many finished orders the OMS and the paper venue keep (<c>all</c>, their default, or a count),
/// and a fourth, <c>reconcile</c>, turns on the engine's default periodic reconciliation (every bar here). Run it for the
/// two builds alternately in the same minutes: on a shared machine only such pairs compare.
/// Compare builds under the runtime's default (concurrent) collector, as BenchmarkDotNet runs them. Under the
/// non-concurrent one (<c>DOTNET_gcConcurrent=0</c>) a 20,000-order session fits in generation 0 and runs no collection at
/// all, so the cost of collecting what it kept lands in the full collection before the next session, outside the timing:
/// the command then shows about half the default's time, where BenchmarkDotNet measures both modes alike (see
/// docs/benchmarks.md, 2026-12-04).
/// </summary>
internal static class RoundTripSessions
{
    private const int WarmUp = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        if (!EngineFixture.TryReadSessionArguments(args, 15, out var orders, out var sessions, out var retained, out var reconcile))
        {
            await Console.Error.WriteLineAsync("usage: sessions [orders >= 2] [sessions >= 1] [retained finished orders >= 1 | all] [reconcile]").ConfigureAwait(false);
            return 2;
        }

        // The collector's mode changes what this command measures (see the remarks above), so every run says which one it had.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "non-concurrent" : "concurrent")} ({System.Runtime.GCSettings.LatencyMode})"));
        var bars = EngineFixture.Bars(orders);
        var perOrder = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (var s = 0; s < WarmUp + sessions; s++)
        {
            var session = await MeasureSessionAsync(bars, retained, reconcile, process).ConfigureAwait(false);

            // The last bar's order has no next bar to fill on.
            if (session.Fills < orders - 1)
            {
                await Console.Error.WriteLineAsync($"session {s}: {session.Fills} fills for {orders} bars; the workload is broken").ConfigureAwait(false);
                return 1;
            }

            var ns = session.Wall.TotalNanoseconds / orders;
            if (s >= WarmUp)
            {
                perOrder.Add(ns);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"session {s}{(s < WarmUp ? " (warm-up)" : "")}: {ns:F0} ns/order, GC pause {session.Pause.TotalNanoseconds / orders:F0} ns/order, " +
                $"CPU {session.Cpu.TotalNanoseconds / orders:F0} ns/order, {session.Allocated / orders} B/order, kept {session.Kept / orders} B/order, " +
                $"collections {session.Gen0}/{session.Gen1}/{session.Gen2}"));
        }

        perOrder.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{orders} orders x {sessions} sessions: median {perOrder[perOrder.Count / 2]:F0} ns/order, best {perOrder[0]:F0} ns/order"));
        return 0;
    }

    // One session, from the full collection before it to what it still holds after it, in a frame of its own: the engine
    // never reaches the caller, so nothing of one session is still referenced when the next one's collection runs.
    private static async Task<SessionResult> MeasureSessionAsync(TradingKit.MarketData.Bar[] bars, int? retained, bool reconcile, Process process)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var pause = GC.GetTotalPauseDuration();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();

        var engine = EngineFixture.Create(new EngineFixture.PingPongStrategy(), bars[0].OpenTime, retained, reconcile);
        await engine.RunAsync(new EngineFixture.ArrayFeed(bars)).ConfigureAwait(false);
        await engine.DisposeAsync().ConfigureAwait(false);

        var wall = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var result = new SessionResult(
            wall,
            GC.GetTotalPauseDuration() - pause,
            process.TotalProcessorTime - cpu,
            GC.GetAllocatedBytesForCurrentThread() - allocated,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2,
            engine.Orders.FillCount,
            0);

        // What the finished session still holds, measured after the timing while the engine is still referenced.
        var kept = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        GC.KeepAlive(engine);
        return result with { Kept = kept };
    }

    private readonly record struct SessionResult(TimeSpan Wall, TimeSpan Pause, TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2, int Fills, long Kept);
}
