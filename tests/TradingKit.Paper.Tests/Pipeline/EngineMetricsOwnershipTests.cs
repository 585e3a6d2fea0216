using System.Diagnostics.Metrics;
using TradingKit.Engine;
using TradingKit.Paper;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;
using TradingKit.Telemetry;
using TradingKit.Time;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>
/// An engine disposes the metrics it made for itself (their meter is on the runtime's static list until disposed, so a host
/// running engine after engine would otherwise keep every engine's metrics), and leaves metrics it was given to their owner.
/// </summary>
public sealed class EngineMetricsOwnershipTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task DisposeAsync_DisposesTheMeterOfMetricsTheEngineMade()
    {
        var engine = Create(metrics: null);
        using var watch = new MeterWatch(engine.Metrics.Meter);
        Assert.NotEmpty(watch.Published);

        await engine.DisposeAsync();

        Assert.Equal(watch.Published.OrderBy(n => n), watch.Completed.OrderBy(n => n));
    }

    [Fact]
    public async Task DisposeAsync_LeavesMetricsTheCallerGave()
    {
        using var metrics = new TradingKitMetrics();
        var engine = Create(metrics);
        using var watch = new MeterWatch(metrics.Meter);

        await engine.DisposeAsync();

        Assert.Empty(watch.Completed);
        metrics.Dispose();
        Assert.Equal(watch.Published.OrderBy(n => n), watch.Completed.OrderBy(n => n));
    }

    private static TradingEngine Create(TradingKitMetrics? metrics)
    {
        var clock = new SimulationTimeProvider(Start);
        var venue = new PaperVenue(new PaperVenueOptions { InitialCash = 1_000m }, clock);
        var options = new EngineOptions { SessionId = "metrics-owner", InitialCash = 1_000m };
        return new TradingEngine(options, venue, new InMemoryEventStore(clock), [new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 2, SlowPeriod = 3 })], clock, metrics: metrics);
    }

    /// <summary>Which instruments of one meter a listener saw published, and which it was told are completed (meter disposed).</summary>
    private sealed class MeterWatch : IDisposable
    {
        private readonly MeterListener _listener = new();

        public MeterWatch(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    Published.Add(instrument.Name);
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.MeasurementsCompleted = (instrument, _) => Completed.Add(instrument.Name);
            _listener.Start();
        }

        public List<string> Published { get; } = [];

        public List<string> Completed { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
