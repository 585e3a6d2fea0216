using TradingKit.Errors;

namespace TradingKit.Oms;

/// <summary>How the OMS talks to the venue: retries, timeouts and unknown-outcome handling.</summary>
public sealed class OmsOptions
{
    /// <summary>Retries of a transient failure (timeout before sending, 5xx, rate limit), always with the same client order id.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; doubles on each retry (a venue's Retry-After wins).</summary>
    /// <value>Defaults to 200 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Timeout of one venue call; a submit that times out has an unknown outcome and is resolved by a query.</summary>
    /// <value>Defaults to 10 s. <see cref="Timeout.InfiniteTimeSpan"/> disables it.</value>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times an unknown outcome is resolved by query-then-resend before the order is left for the in-flight check.</summary>
    /// <value>Defaults to 2.</value>
    public int MaxUnknownOutcomeResends { get; set; } = 2;

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">Every problem found, code <c>INVALID_OPTIONS</c>.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (MaxRetries is < 0 or > 20)
        {
            problems.Add($"MaxRetries must be 0-20 (got {MaxRetries})");
        }

        if (RetryBaseDelay < TimeSpan.Zero)
        {
            problems.Add("RetryBaseDelay must not be negative");
        }

        if (CallTimeout <= TimeSpan.Zero && CallTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add("CallTimeout must be positive or infinite");
        }

        if (MaxUnknownOutcomeResends is < 0 or > 10)
        {
            problems.Add($"MaxUnknownOutcomeResends must be 0-10 (got {MaxUnknownOutcomeResends})");
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Oms options: " + string.Join("; ", problems) + ".");
        }
    }
}
