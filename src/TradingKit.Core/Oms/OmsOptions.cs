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

    /// <summary>
    /// How many terminal orders (filled, cancelled, expired, rejected, denied) the OMS keeps as objects, newest first; null
    /// keeps every order. An older one is retired: it leaves <see cref="OrderManager.Orders"/>,
    /// <see cref="OrderManager.TryGetOrder"/> and <see cref="OrderManager.GetContext"/>, and only its client order id stays,
    /// so the same intent again is still answered <see cref="SubmitStatus.Duplicate"/> and never sent, and a late report for
    /// it is counted in <see cref="OrderManager.RetiredReports"/> and changes nothing. Open orders are never retired. The
    /// event log keeps the whole history either way.
    /// </summary>
    /// <remarks>
    /// A bound trades time for memory: each retired order frees about 600 B of OMS objects but costs up to a microsecond or
    /// so, because retiring it touches memory last used a whole window earlier (docs/benchmarks.md, 2026-12-07). Set it for
    /// sessions that run long enough for their orders to matter (a live process that trades for weeks); leave it null
    /// for backtests that must run fast.
    /// </remarks>
    /// <value>Defaults to null (keep every order); otherwise 1 to 100,000,000.</value>
    public int? RetainedTerminalOrders { get; set; }

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

        if (RetainedTerminalOrders is < 1 or > 100_000_000)
        {
            problems.Add($"RetainedTerminalOrders must be 1-100,000,000 (got {RetainedTerminalOrders})");
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Oms options: " + string.Join("; ", problems) + ".");
        }
    }
}
