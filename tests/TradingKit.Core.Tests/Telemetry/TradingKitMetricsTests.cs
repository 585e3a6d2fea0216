using System.Diagnostics.Metrics;
using TradingKit.Telemetry;

namespace TradingKit.Core.Tests.Telemetry;

public sealed class TradingKitMetricsTests
{
    [Fact]
    public void Instruments_ArePublishedOnTheTradingKitMeter_WithTheirValues()
    {
        using var metrics = new TradingKitMetrics();
        var longs = new Dictionary<string, long>();
        var doubles = new Dictionary<string, List<double>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => longs[i.Name] = longs.GetValueOrDefault(i.Name) + v);
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => (doubles.TryGetValue(i.Name, out var list) ? list : doubles[i.Name] = []).Add(v));
        listener.Start();

        var t0 = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        metrics.OrderSubmitted(t0);
        metrics.OrderSubmitted(t0.AddSeconds(10));
        metrics.OrderSubmitted(t0.AddSeconds(70));
        metrics.OrderSubmitted(t0.AddSeconds(80));
        metrics.OrderRejected();
        metrics.Fill(partial: true, slippageBps: 2m);
        metrics.Fill(partial: false, slippageBps: 10m);
        metrics.AckLatency(TimeSpan.FromMilliseconds(40));
        listener.RecordObservableInstruments();

        Assert.Equal(4, longs["tradingkit.orders.submitted"]);
        Assert.Equal(1, longs["tradingkit.orders.rejected"]);
        Assert.Equal(2, longs["tradingkit.fills"]);
        Assert.Equal(1, longs["tradingkit.fills.partial"]);
        Assert.Equal([2d, 10d], doubles["tradingkit.fill.slippage"]);
        Assert.Equal([40d], doubles["tradingkit.order.ack.duration"]);
        Assert.Equal([0.25d], doubles["tradingkit.orders.reject_rate"]);
        Assert.Equal([0.5d], doubles["tradingkit.fills.partial_rate"]);
        Assert.Equal([2d], doubles["tradingkit.orders.per_minute"]); // submits at 70 s and 80 s are within the minute before the last
    }

    [Fact]
    public void ExecutionQuality_Percentiles_AreOverTheRecordedSamples()
    {
        using var metrics = new TradingKitMetrics();
        for (var i = 1; i <= 100; i++)
        {
            metrics.Fill(partial: false, slippageBps: i);
            metrics.AckLatency(TimeSpan.FromMilliseconds(i));
        }

        Assert.Equal(50m, metrics.Quality.SlippageP50);
        Assert.Equal(95m, metrics.Quality.SlippageP95);
        Assert.Equal(95d, metrics.Quality.AckLatencyP95Ms);
        Assert.Equal(0m, metrics.Quality.RejectRate);
    }
}
