using Microsoft.Extensions.Options;

namespace TradingKit.Binance.Configuration;

/// <summary>
/// Validates <see cref="BinanceUsdmOptions"/> at start-up and lists every problem at once. Messages never
/// contain the key or the secret.
/// </summary>
public sealed class BinanceUsdmOptionsValidator : IValidateOptions<BinanceUsdmOptions>
{
    private const int MaxRecvWindow = 60_000;
    private const int VenueWeightLimit = 2400;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BinanceUsdmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Check(BinanceUsdmOptions o)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(o.Environment))
        {
            failures.Add($"Environment must be Production or Testnet (got {(int)o.Environment}).");
        }

        if (!Enum.IsDefined(o.PositionMode))
        {
            failures.Add("PositionMode must be OneWay or Hedge.");
        }

        CheckUrl(failures, o.RestBaseUrl, "RestBaseUrl", "http", "https");
        CheckUrl(failures, o.StreamBaseUrl, "StreamBaseUrl", "ws", "wss");
        CheckEnvironmentMatchesUrls(failures, o);

        var hasKey = !string.IsNullOrWhiteSpace(o.ApiKey);
        var hasSecret = !string.IsNullOrWhiteSpace(o.ApiSecret);
        if (hasKey != hasSecret)
        {
            failures.Add(hasKey ? "ApiSecret is missing while ApiKey is set." : "ApiKey is missing while ApiSecret is set.");
        }

        if (o.RecvWindowMilliseconds is <= 0 or > MaxRecvWindow)
        {
            failures.Add($"RecvWindowMilliseconds must be 1..{MaxRecvWindow} (got {o.RecvWindowMilliseconds}).");
        }

        if (!(o.WeightWarnThreshold > 0 && o.WeightWarnThreshold <= o.WeightSlowThreshold
            && o.WeightSlowThreshold <= o.WeightStopThreshold && o.WeightStopThreshold <= VenueWeightLimit))
        {
            failures.Add($"Weight thresholds must satisfy 0 < warn <= slow <= stop <= {VenueWeightLimit} " +
                $"(got {o.WeightWarnThreshold}, {o.WeightSlowThreshold}, {o.WeightStopThreshold}).");
        }

        if (o.OrderCount10sStop <= 0 || o.OrderCount1mStop <= 0)
        {
            failures.Add("OrderCount10sStop and OrderCount1mStop must be positive.");
        }

        if (o.MaxRetries < 0)
        {
            failures.Add("MaxRetries must not be negative.");
        }

        Positive(failures, o.SlowDownDelay, "SlowDownDelay", allowZero: true);
        Positive(failures, o.RetryBaseDelay, "RetryBaseDelay", allowZero: true);
        Positive(failures, o.RequestTimeout, "RequestTimeout");
        Positive(failures, o.ReconnectBaseDelay, "ReconnectBaseDelay", allowZero: true);
        Positive(failures, o.ReconnectMaxDelay, "ReconnectMaxDelay");
        Positive(failures, o.GapFillLookback, "GapFillLookback");

        if (o.ListenKeyKeepAliveInterval <= TimeSpan.Zero || o.ListenKeyKeepAliveInterval >= TimeSpan.FromMinutes(60))
        {
            failures.Add($"ListenKeyKeepAliveInterval must be positive and under 60 minutes (got {o.ListenKeyKeepAliveInterval}).");
        }

        if (o.StreamMaxLifetime <= TimeSpan.Zero || o.StreamMaxLifetime >= TimeSpan.FromHours(24))
        {
            failures.Add($"StreamMaxLifetime must be positive and under 24 hours (got {o.StreamMaxLifetime}).");
        }

        if (string.IsNullOrWhiteSpace(o.PrivateStreamPath) || !o.PrivateStreamPath.Contains("{listenKey}", StringComparison.Ordinal))
        {
            failures.Add("PrivateStreamPath must contain the placeholder {listenKey}.");
        }
        else if (o.PrivateStreamPath.Contains("events=", StringComparison.Ordinal) && !o.PrivateStreamPath.Contains("listenKeyExpired", StringComparison.Ordinal))
        {
            // With an events filter Binance sends only the listed events: without this one an expired key goes unnoticed.
            failures.Add("PrivateStreamPath filters events but does not list listenKeyExpired; add it to the events parameter.");
        }

        if (string.IsNullOrWhiteSpace(o.MarketStreamPath) || string.IsNullOrWhiteSpace(o.PublicStreamPath))
        {
            failures.Add("MarketStreamPath and PublicStreamPath must be set.");
        }

        return failures;
    }

    private static void CheckUrl(List<string> failures, Uri? url, string name, params string[] schemes)
    {
        if (url is null)
        {
            return;
        }

        if (!url.IsAbsoluteUri || !schemes.Contains(url.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{name} must be an absolute {string.Join(" or ", schemes)} URL (got {url}).");
        }
    }

    // An override pointing at the other environment's well-known host is almost always a copy-paste
    // accident; refusing it keeps "testnet" from ever reaching real money.
    private static void CheckEnvironmentMatchesUrls(List<string> failures, BinanceUsdmOptions o)
    {
        foreach (var (url, name) in new[] { (o.RestBaseUrl, "RestBaseUrl"), (o.StreamBaseUrl, "StreamBaseUrl") })
        {
            if (url is not { IsAbsoluteUri: true })
            {
                continue;
            }

            var host = url.Host;
            var isProductionHost = host.Equals("fapi.binance.com", StringComparison.OrdinalIgnoreCase)
                || host.Equals("fstream.binance.com", StringComparison.OrdinalIgnoreCase);
            var isTestnetHost = host.EndsWith("binancefuture.com", StringComparison.OrdinalIgnoreCase);
            if (o.Environment == BinanceEnvironment.Testnet && isProductionHost)
            {
                failures.Add($"{name} points at production ({host}) while Environment is Testnet.");
            }
            else if (o.Environment == BinanceEnvironment.Production && isTestnetHost)
            {
                failures.Add($"{name} points at the testnet ({host}) while Environment is Production.");
            }
        }
    }

    private static void Positive(List<string> failures, TimeSpan value, string name, bool allowZero = false)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            failures.Add($"{name} must be {(allowZero ? "zero or positive" : "positive")} (got {value}).");
        }
    }
}
