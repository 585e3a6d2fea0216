namespace TradingKit.Binance;

/// <summary>Stable error and alert codes raised by the Binance adapter.</summary>
public static class BinanceErrorCodes
{
    /// <summary>Binance banned the IP (HTTP 418); every request is stopped until the ban ends.</summary>
    public const string IpBanned = "BINANCE_IP_BANNED";

    /// <summary>Used weight reached the stop threshold; requests wait for the minute window to roll.</summary>
    public const string WeightLimit = "BINANCE_WEIGHT_LIMIT";

    /// <summary>Used weight crossed the warn threshold.</summary>
    public const string WeightWarning = "BINANCE_WEIGHT_WARNING";

    /// <summary>The order counters reached their stop threshold; new orders wait for the window to roll.</summary>
    public const string OrderRateLimit = "BINANCE_ORDER_RATE_LIMIT";

    /// <summary>A signed call was attempted without an API key and secret.</summary>
    public const string CredentialsMissing = "BINANCE_CREDENTIALS_MISSING";

    /// <summary>The venue's answer could not be read.</summary>
    public const string MalformedResponse = "BINANCE_MALFORMED_RESPONSE";

    /// <summary>An order the adapter cannot express at Binance (for example a trailing stop without an activation price).</summary>
    public const string UnsupportedOrder = "BINANCE_UNSUPPORTED_ORDER";

    /// <summary>No exchangeInfo rules are known for the symbol.</summary>
    public const string UnknownSymbol = "BINANCE_UNKNOWN_SYMBOL";
}
