using System.Diagnostics.Metrics;

namespace TradingKit.Telemetry;

/// <summary>
/// TradingKit's instruments, all on one <see cref="Meter"/> named <c>TradingKit</c> with dotted instrument names.
/// Percentiles (slippage p50/p95, ack latency p95) are also kept in-process by <see cref="ExecutionQuality"/> for the
/// risk guard and the session summary.
/// </summary>
public sealed class TradingKitMetrics : IDisposable
{
    /// <summary>The meter name to listen to (OpenTelemetry: <c>AddMeter("TradingKit")</c>).</summary>
    public const string MeterName = "TradingKit";

    private readonly Meter _meter;
    private readonly Counter<long> _ordersSubmitted;
    private readonly Counter<long> _ordersRejected;
    private readonly Counter<long> _ordersDenied;
    private readonly Counter<long> _fills;
    private readonly Counter<long> _partialFills;
    private readonly Histogram<double> _slippageBps;
    private readonly Histogram<double> _ackLatencyMs;
    private readonly Counter<long> _marketEvents;
    private readonly Histogram<double> _fillDetectionMs;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The meter factory from DI, or null to create the meter directly.</param>
    public TradingKitMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _ordersSubmitted = _meter.CreateCounter<long>("tradingkit.orders.submitted", "{order}", "Orders sent to the venue");
        _ordersRejected = _meter.CreateCounter<long>("tradingkit.orders.rejected", "{order}", "Orders the venue refused");
        _ordersDenied = _meter.CreateCounter<long>("tradingkit.orders.denied", "{order}", "Orders refused before leaving");
        _fills = _meter.CreateCounter<long>("tradingkit.fills", "{fill}", "Fills applied");
        _partialFills = _meter.CreateCounter<long>("tradingkit.fills.partial", "{fill}", "Fills that left the order partially filled");
        _slippageBps = _meter.CreateHistogram<double>("tradingkit.fill.slippage", "bp", "Fill slippage against the decision price");
        _ackLatencyMs = _meter.CreateHistogram<double>("tradingkit.order.ack.duration", "ms", "Submit-to-acknowledgement latency");
        _marketEvents = _meter.CreateCounter<long>("tradingkit.marketdata.events", "{event}", "Market data items processed");
        _fillDetectionMs = _meter.CreateHistogram<double>("tradingkit.fill.detection.duration", "ms", "Venue execution time to first sight of the fill, tagged by source (stream or poll)");
        _meter.CreateObservableGauge("tradingkit.orders.reject_rate", () => (double)Quality.RejectRate, "{ratio}", "Rejected / submitted");
        _meter.CreateObservableGauge("tradingkit.fills.partial_rate", () => (double)Quality.PartialFillRate, "{ratio}", "Partial fills / fills");
        _meter.CreateObservableGauge("tradingkit.orders.per_minute", () => (double)Quality.OrdersPerMinute, "{order}/min", "Orders submitted in the last minute");
    }

    /// <summary>The meter every instrument is on.</summary>
    public Meter Meter => _meter;

    /// <summary>In-process execution quality (percentiles and rates).</summary>
    public ExecutionQuality Quality { get; } = new();

    /// <summary>Counts an order sent.</summary>
    /// <param name="at">Engine time.</param>
    public void OrderSubmitted(DateTimeOffset at)
    {
        _ordersSubmitted.Add(1);
        Quality.RecordSubmitted(at);
    }

    /// <summary>Counts a venue refusal.</summary>
    public void OrderRejected()
    {
        _ordersRejected.Add(1);
        Quality.RecordRejected();
    }

    /// <summary>Counts a denial before the venue.</summary>
    public void OrderDenied() => _ordersDenied.Add(1);

    /// <summary>Counts a fill.</summary>
    /// <param name="partial">True when the order is still partially open.</param>
    /// <param name="slippageBps">Slippage in basis points, if known.</param>
    public void Fill(bool partial, decimal? slippageBps)
    {
        _fills.Add(1);
        if (partial)
        {
            _partialFills.Add(1);
        }

        if (slippageBps is { } bps)
        {
            _slippageBps.Record((double)bps);
        }

        Quality.RecordFill(partial, slippageBps);
    }

    /// <summary>Records a submit-to-ack latency.</summary>
    /// <param name="latency">The latency.</param>
    public void AckLatency(TimeSpan latency)
    {
        _ackLatencyMs.Record(latency.TotalMilliseconds);
        Quality.RecordAckLatency(latency);
    }

    /// <summary>Records how long a fill took to be seen (venue execution time to first sight, engine clock).</summary>
    /// <param name="source">Which source saw it first.</param>
    /// <param name="latency">The latency.</param>
    public void FillDetected(Connectivity.MergeSource source, TimeSpan latency)
        => _fillDetectionMs.Record(latency.TotalMilliseconds, new KeyValuePair<string, object?>("source", source == Connectivity.MergeSource.Stream ? "stream" : "poll"));

    /// <summary>Counts market data items.</summary>
    /// <param name="count">How many.</param>
    public void MarketEvents(long count) => _marketEvents.Add(count);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

/// <summary>Execution quality kept in-process: rates and percentiles over a bounded window of recent samples.</summary>
public sealed class ExecutionQuality
{
    private const int Window = 4096;
    private readonly decimal[] _slippage = new decimal[Window];
    private readonly double[] _latencyMs = new double[Window];
    private readonly Queue<DateTimeOffset> _recentSubmits = new();
    private long _slippageCount;
    private long _latencyCount;
    private DateTimeOffset _lastSubmit;

    /// <summary>Orders submitted.</summary>
    public long Submitted { get; private set; }

    /// <summary>Orders rejected by the venue.</summary>
    public long Rejected { get; private set; }

    /// <summary>Fills.</summary>
    public long Fills { get; private set; }

    /// <summary>Fills that left their order partially filled.</summary>
    public long PartialFills { get; private set; }

    /// <summary>Rejected / submitted (0 when nothing submitted).</summary>
    public decimal RejectRate => Submitted == 0 ? 0m : (decimal)Rejected / Submitted;

    /// <summary>Partial fills / fills (0 when no fill).</summary>
    public decimal PartialFillRate => Fills == 0 ? 0m : (decimal)PartialFills / Fills;

    /// <summary>Orders submitted in the minute before the last submit.</summary>
    public int OrdersPerMinute
    {
        get
        {
            while (_recentSubmits.Count > 0 && _lastSubmit - _recentSubmits.Peek() >= TimeSpan.FromMinutes(1))
            {
                _recentSubmits.Dequeue();
            }

            return _recentSubmits.Count;
        }
    }

    /// <summary>Median slippage (bps) over the recent window.</summary>
    public decimal SlippageP50 => Percentile(_slippage, _slippageCount, 0.50m);

    /// <summary>95th percentile slippage (bps) over the recent window.</summary>
    public decimal SlippageP95 => Percentile(_slippage, _slippageCount, 0.95m);

    /// <summary>95th percentile submit-to-ack latency (ms) over the recent window.</summary>
    public double AckLatencyP95Ms
    {
        get
        {
            var n = (int)Math.Min(_latencyCount, Window);
            if (n == 0)
            {
                return 0;
            }

            var copy = _latencyMs.AsSpan(0, n).ToArray();
            Array.Sort(copy);
            return copy[Math.Min(n - 1, (int)Math.Ceiling(0.95 * n) - 1)];
        }
    }

    internal void RecordSubmitted(DateTimeOffset at)
    {
        Submitted++;
        _lastSubmit = at;
        _recentSubmits.Enqueue(at);
        if (_recentSubmits.Count > Window)
        {
            _recentSubmits.Dequeue();
        }
    }

    internal void RecordRejected() => Rejected++;

    internal void RecordFill(bool partial, decimal? slippageBps)
    {
        Fills++;
        if (partial)
        {
            PartialFills++;
        }

        if (slippageBps is { } bps)
        {
            _slippage[_slippageCount++ % Window] = bps;
        }
    }

    internal void RecordAckLatency(TimeSpan latency) => _latencyMs[_latencyCount++ % Window] = latency.TotalMilliseconds;

    private static decimal Percentile(decimal[] samples, long count, decimal p)
    {
        var n = (int)Math.Min(count, Window);
        if (n == 0)
        {
            return 0m;
        }

        var copy = samples.AsSpan(0, n).ToArray();
        Array.Sort(copy);
        return copy[Math.Min(n - 1, (int)Math.Ceiling(p * n) - 1)];
    }
}
