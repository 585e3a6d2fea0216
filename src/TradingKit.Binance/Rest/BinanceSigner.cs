using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TradingKit.Binance.Rest;

/// <summary>
/// Builds and signs Binance request parameters exactly as the official docs and SDK do: parameters keep
/// their order, every value is percent-encoded, <c>recvWindow</c> and <c>timestamp</c> come after the
/// caller's parameters, and <c>signature = hex(HMAC-SHA256(secret, query + body))</c> is appended last.
/// </summary>
internal sealed class BinanceSigner
{
    private readonly byte[] _secret;

    public BinanceSigner(string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        _secret = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The lower-case hex HMAC-SHA256 of the query string immediately followed by the body (no separator).</summary>
    public string Sign(string queryString, string body = "")
    {
        ArgumentNullException.ThrowIfNull(queryString);
        ArgumentNullException.ThrowIfNull(body);
        var total = body.Length == 0 ? queryString : queryString + body;
        var data = Encoding.UTF8.GetBytes(total);
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_secret, data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Appends <c>recvWindow</c>, <c>timestamp</c> and then the signature of the whole query.</summary>
    public string SignQuery(BinanceParameters parameters, int recvWindowMilliseconds, long timestampMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = parameters.ToQueryString();
        var sb = new StringBuilder(query.Length + 120);
        sb.Append(query);
        if (sb.Length > 0)
        {
            sb.Append('&');
        }

        sb.Append("recvWindow=").Append(recvWindowMilliseconds.ToString(CultureInfo.InvariantCulture));
        sb.Append("&timestamp=").Append(timestampMilliseconds.ToString(CultureInfo.InvariantCulture));
        var unsigned = sb.ToString();
        return unsigned + "&signature=" + Sign(unsigned);
    }
}

/// <summary>An ordered list of request parameters; values are percent-encoded when the query is built.</summary>
internal sealed class BinanceParameters
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public int Count => _items.Count;

    public BinanceParameters Add(string name, string? value)
    {
        if (value is not null)
        {
            _items.Add(new(name, value));
        }

        return this;
    }

    public BinanceParameters Add(string name, decimal? value)
        => value is { } v ? Add(name, FormatDecimal(v)) : this;

    public BinanceParameters Add(string name, long? value)
        => value is { } v ? Add(name, v.ToString(CultureInfo.InvariantCulture)) : this;

    public BinanceParameters Add(string name, bool? value)
        => value is { } v ? Add(name, v ? "true" : "false") : this;

    public string? Get(string name)
    {
        foreach (var item in _items)
        {
            if (item.Key == name)
            {
                return item.Value;
            }
        }

        return null;
    }

    public string ToQueryString()
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in _items)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return sb.ToString();
    }

    /// <summary>Plain invariant notation without exponent or trailing zeros (<c>0.00100</c> becomes <c>0.001</c>).</summary>
    public static string FormatDecimal(decimal value)
    {
        var normalized = value / 1.000000000000000000000000000000000m;
        return normalized.ToString("0.############################", CultureInfo.InvariantCulture);
    }
}
