namespace TradingKit.Risk;

// The built-in trip conditions. Thresholds and observed values are in quote currency, counts, bps or milliseconds.

/// <summary>The day's loss (realised + unrealised) is above the limit.</summary>
internal sealed class DailyLossTrip(decimal limit, TradingState state) : ITripCondition
{
    public string Id => TripCauses.DailyLoss;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
        => context.Portfolio.DailyLoss > limit
            ? new(limit, context.Portfolio.DailyLoss, RiskOptions.Invariant($"Daily loss {context.Portfolio.DailyLoss} is above the limit {limit}."))
            : null;
}

/// <summary>Peak-to-current equity drop is above the maximum drawdown.</summary>
internal sealed class DrawdownTrip(decimal limit, TradingState state) : ITripCondition
{
    public string Id => TripCauses.MaxDrawdown;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
        => context.Portfolio.Drawdown > limit
            ? new(limit, context.Portfolio.Drawdown, RiskOptions.Invariant($"Drawdown {context.Portfolio.Drawdown} is above the maximum {limit}."))
            : null;
}

/// <summary>The limit-th failed submission in a row trips (seed 000: 3).</summary>
internal sealed class ConsecutiveFailuresTrip(int limit, TradingState state) : ITripCondition
{
    public string Id => TripCauses.ConsecutiveFailures;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
        => context.Quality.ConsecutiveFailures >= limit
            ? new(limit, context.Quality.ConsecutiveFailures, RiskOptions.Invariant($"{context.Quality.ConsecutiveFailures} submissions failed in a row; the limit is {limit}."))
            : null;
}

/// <summary>The limit-th rejected submission in a row trips.</summary>
internal sealed class ConsecutiveRejectsTrip(int limit, TradingState state) : ITripCondition
{
    public string Id => TripCauses.ConsecutiveRejects;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
        => context.Quality.ConsecutiveRejects >= limit
            ? new(limit, context.Quality.ConsecutiveRejects, RiskOptions.Invariant($"{context.Quality.ConsecutiveRejects} submissions were rejected in a row; the limit is {limit}."))
            : null;
}

/// <summary>A new slippage sample above the maximum (adverse bps) trips.</summary>
internal sealed class SlippageSpikeTrip(decimal maxBps, TradingState state) : ITripCondition
{
    public string Id => TripCauses.SlippageSpike;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
        => context.Trigger == TripTrigger.Slippage && context.Quality.LastSlippageBps is { } bps && bps > maxBps
            ? new(maxBps, bps, RiskOptions.Invariant($"Fill slippage {bps} bps is above the maximum {maxBps} bps."))
            : null;
}

/// <summary>A new latency sample above the absolute threshold trips (seed 000: 30 s).</summary>
internal sealed class LatencyAbsoluteTrip(TimeSpan threshold, TradingState state) : ITripCondition
{
    public string Id => TripCauses.LatencyAbsolute;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
        => context.Trigger == TripTrigger.Latency && context.Quality.LastLatency is { } latency && latency > threshold
            ? new((decimal)threshold.TotalMilliseconds, (decimal)latency.TotalMilliseconds,
                RiskOptions.Invariant($"Latency {latency.TotalMilliseconds} ms is above the threshold {threshold.TotalMilliseconds} ms."))
            : null;
}

/// <summary>After n samples, a new sample above k × the EWMA of the earlier samples trips (seed 000: 3×, 5 samples).</summary>
internal sealed class LatencySpikeTrip(double multiplier, int minSamples, TradingState state) : ITripCondition
{
    public string Id => TripCauses.LatencySpike;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
    {
        var q = context.Quality;
        if (context.Trigger != TripTrigger.Latency || q.LatencySamplesBefore < minSamples || q.LastLatency is not { } latency || q.LatencyEwma is not { } ewma)
        {
            return null;
        }

        var limitMs = ewma.TotalMilliseconds * multiplier;
        return latency.TotalMilliseconds > limitMs
            ? new((decimal)limitMs, (decimal)latency.TotalMilliseconds,
                RiskOptions.Invariant($"Latency {latency.TotalMilliseconds} ms is above {multiplier} × its EWMA {ewma.TotalMilliseconds:0.###} ms ({q.LatencySamplesBefore} samples)."))
            : null;
    }
}

/// <summary>The symbol with the oldest market data has had none for longer than the maximum age.</summary>
internal sealed class StaleMarketDataTrip(TimeSpan maxAge, TradingState state) : ITripCondition
{
    public string Id => TripCauses.StaleMarketData;

    public TradingState TripState => state;

    public TripObservation? Evaluate(in TripContext context)
    {
        if (context.Quality.OldestMarketDataAt is not { } at)
        {
            return null;
        }

        var age = context.Now - at;
        return age > maxAge
            ? new((decimal)maxAge.TotalMilliseconds, (decimal)age.TotalMilliseconds,
                RiskOptions.Invariant($"No market data for {context.Quality.OldestMarketDataSymbol} for {age.TotalMilliseconds} ms; the maximum age is {maxAge.TotalMilliseconds} ms."))
            : null;
    }
}
