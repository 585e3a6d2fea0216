using System.Globalization;
using System.Text;

namespace TradingKit.Binance.Configuration;

/// <summary>Which Binance deployment the adapter talks to. Chosen by configuration alone.</summary>
public enum BinanceEnvironment
{
    /// <summary>Binance's futures testnet (<c>testnet.binancefuture.com</c>): no real money. The default.</summary>
    Testnet = 0,

    /// <summary>Binance production (<c>fapi.binance.com</c>): real money.</summary>
    Production = 1,
}

/// <summary>The account's position mode, which decides the <c>positionSide</c> sent with each order.</summary>
public enum BinancePositionMode
{
    /// <summary>One signed position per symbol; orders carry <c>positionSide=BOTH</c> and may be reduce-only.</summary>
    OneWay = 0,

    /// <summary>Separate long and short legs; orders carry <c>positionSide=LONG|SHORT</c> and never <c>reduceOnly</c>.</summary>
    Hedge = 1,
}

/// <summary>
/// Configuration of the Binance USDⓈ-M futures adapter. Bind it from configuration section <c>Binance</c>;
/// it is validated at start (<see cref="BinanceUsdmOptionsValidator"/>). <see cref="ToString"/> masks the secrets.
/// </summary>
public sealed class BinanceUsdmOptions
{
    /// <summary>The configuration section the DI registration binds by default.</summary>
    public const string SectionName = "Binance";

    /// <summary>Production REST base URL.</summary>
    public const string ProductionRestBaseUrl = "https://fapi.binance.com";

    /// <summary>Testnet REST base URL.</summary>
    public const string TestnetRestBaseUrl = "https://testnet.binancefuture.com";

    /// <summary>Production stream base URL.</summary>
    public const string ProductionStreamBaseUrl = "wss://fstream.binance.com";

    /// <summary>Testnet stream base URL.</summary>
    public const string TestnetStreamBaseUrl = "wss://fstream.binancefuture.com";

    /// <summary>Production or testnet.</summary>
    /// <value>Defaults to <see cref="BinanceEnvironment.Testnet"/>, so a missing setting never reaches real money.</value>
    public BinanceEnvironment Environment { get; set; } = BinanceEnvironment.Testnet;

    /// <summary>REST base URL override (a local fake venue, a proxy); null uses the environment's default.</summary>
    public Uri? RestBaseUrl { get; set; }

    /// <summary>Stream base URL override; null uses the environment's default.</summary>
    public Uri? StreamBaseUrl { get; set; }

    /// <summary>The API key, sent as header <c>X-MBX-APIKEY</c>. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The HMAC-SHA256 API secret. Never logged or printed.</summary>
    public string? ApiSecret { get; set; }

    /// <summary>How long after its timestamp a signed request stays valid at the venue, in milliseconds (1..60000).</summary>
    /// <value>Defaults to 5000, Binance's own default.</value>
    public int RecvWindowMilliseconds { get; set; } = 5000;

    /// <summary>The account's position mode.</summary>
    /// <value>Defaults to <see cref="BinancePositionMode.OneWay"/>.</value>
    public BinancePositionMode PositionMode { get; set; } = BinancePositionMode.OneWay;

    /// <summary>Symbols the adapter trades; gap filling polls <c>userTrades</c> for each (the endpoint needs a symbol).</summary>
    public IList<string> Symbols { get; } = [];

    /// <summary>Path of the private (user data) stream; <c>{listenKey}</c> is replaced by the key.</summary>
    /// <value>Defaults to <c>/private/ws?listenKey={listenKey}</c> (2026 route split). Older deployments use <c>/ws/{listenKey}</c>.</value>
    public string PrivateStreamPath { get; set; } = "/private/ws?listenKey={listenKey}";

    /// <summary>Path of the combined market stream route (kline, aggTrade).</summary>
    /// <value>Defaults to <c>/market/stream</c>.</value>
    public string MarketStreamPath { get; set; } = "/market/stream";

    /// <summary>Path of the combined public stream route (bookTicker, depth).</summary>
    /// <value>Defaults to <c>/public/stream</c>.</value>
    public string PublicStreamPath { get; set; } = "/public/stream";

    /// <summary>Used weight (<c>X-MBX-USED-WEIGHT-1M</c>) at which a warning is logged.</summary>
    /// <value>Defaults to 1500 (seed 003).</value>
    public int WeightWarnThreshold { get; set; } = 1500;

    /// <summary>Used weight at which every request is delayed by <see cref="SlowDownDelay"/>.</summary>
    /// <value>Defaults to 2000 (seed 003).</value>
    public int WeightSlowThreshold { get; set; } = 2000;

    /// <summary>Used weight at which no request is sent until the minute window rolls over.</summary>
    /// <value>Defaults to 2300 (seed 003), below Binance's 2400 limit.</value>
    public int WeightStopThreshold { get; set; } = 2300;

    /// <summary>The pause added before each request while weight is at or above <see cref="WeightSlowThreshold"/>.</summary>
    /// <value>Defaults to 500 ms.</value>
    public TimeSpan SlowDownDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Order count in the 10-second window (<c>X-MBX-ORDER-COUNT-10S</c>) at which new orders stop until it rolls.</summary>
    /// <value>Defaults to 290, below Binance's 300.</value>
    public int OrderCount10sStop { get; set; } = 290;

    /// <summary>Order count in the minute window (<c>X-MBX-ORDER-COUNT-1M</c>) at which new orders stop until it rolls.</summary>
    /// <value>Defaults to 1180, below Binance's 1200.</value>
    public int OrderCount1mStop { get; set; } = 1180;

    /// <summary>How many times a transient failure (including 429) is retried inside the adapter before it is surfaced.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff delay of a retry when the venue gave no <c>Retry-After</c>; doubles each attempt.</summary>
    /// <value>Defaults to 500 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a REST call may take before its outcome is treated as unknown.</summary>
    /// <value>Defaults to 10 s.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the listen key is kept alive. Binance expires it 60 minutes after the last keepalive.</summary>
    /// <value>Defaults to 30 minutes: well inside the hour, so one failed keepalive still leaves time for another.</value>
    public TimeSpan ListenKeyKeepAliveInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one stream connection is kept before a planned reconnect. Binance cuts connections at 24 h.</summary>
    /// <value>Defaults to 23 hours.</value>
    public TimeSpan StreamMaxLifetime { get; set; } = TimeSpan.FromHours(23);

    /// <summary>First delay between reconnect attempts after the immediate one fails; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    /// <value>Defaults to 1 s.</value>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between reconnect attempts.</summary>
    /// <value>Defaults to 30 s.</value>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far back gap filling looks for fills on its first run (later runs start from the last fill seen).</summary>
    /// <value>Defaults to 1 hour; Binance's <c>userTrades</c> window is at most 7 days.</value>
    public TimeSpan GapFillLookback { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The REST base URL in effect: the override, or the environment's default.</summary>
    public Uri EffectiveRestBaseUrl => RestBaseUrl ?? new Uri(Environment == BinanceEnvironment.Production ? ProductionRestBaseUrl : TestnetRestBaseUrl);

    /// <summary>The stream base URL in effect: the override, or the environment's default.</summary>
    public Uri EffectiveStreamBaseUrl => StreamBaseUrl ?? new Uri(Environment == BinanceEnvironment.Production ? ProductionStreamBaseUrl : TestnetStreamBaseUrl);

    /// <summary>True when both the API key and secret are set: the adapter may sign requests.</summary>
    public bool HasCredentials => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(ApiSecret);

    /// <summary>The API key with all but its last four characters hidden, for logs and <c>ops_metadata.json</c>.</summary>
    public string MaskedApiKey => Mask(ApiKey);

    /// <summary>Checks every rule and throws with all problems listed. Use outside DI; DI validates at start.</summary>
    /// <exception cref="Errors.TradingKitException">A rule is broken (<c>INVALID_OPTIONS</c>).</exception>
    public void Validate()
    {
        var failures = BinanceUsdmOptionsValidator.Check(this);
        if (failures.Count > 0)
        {
            throw new Errors.TradingKitException(Errors.ErrorCodes.InvalidOptions,
                "Binance options are invalid: " + string.Join("; ", failures));
        }
    }

    /// <summary>A readable summary with the key masked and the secret hidden.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Binance USDⓈ-M {Environment}: rest {EffectiveRestBaseUrl}, streams {EffectiveStreamBaseUrl}, ");
        sb.Append(CultureInfo.InvariantCulture, $"apiKey {MaskedApiKey}, apiSecret {(string.IsNullOrEmpty(ApiSecret) ? "(none)" : "***")}, ");
        sb.Append(CultureInfo.InvariantCulture, $"recvWindow {RecvWindowMilliseconds} ms, position mode {PositionMode}");
        return sb.ToString();
    }

    internal static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "(none)";
        }

        return secret.Length <= 8 ? "***" : "***" + secret[^4..];
    }
}
