using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TradingKit.Binance.Rest;

/// <summary>
/// Builds and signs Binance request parameters exactly as the official docs and SDK do: parameters keep
/// their order, every value is percent-encoded, <c>recvWindow</c> and <c>timestamp</c> come after the
/// caller's parameters, and <c>signature = hex(HMAC-SHA256(secret, query + body))</c> is appended last.
/// </summary>
internal sealed class BinanceSigner : IDisposable
{
    private const int StackLimit = 1024;

    // One keyed HMAC kept for the adapter's life: a one-shot HMAC sets the key up on every call, which costs as much
    // as hashing the request itself. The instance is not thread-safe, hence the lock (held for about a microsecond).
    private readonly HMACSHA256 _hmac;
    private readonly Lock _gate = new();

    public BinanceSigner(string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        _hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>The lower-case hex HMAC-SHA256 of the query string immediately followed by the body (no separator).</summary>
    public string Sign(string queryString, string body = "")
    {
        ArgumentNullException.ThrowIfNull(queryString);
        ArgumentNullException.ThrowIfNull(body);
        var max = Encoding.UTF8.GetMaxByteCount(queryString.Length + body.Length);
        byte[]? rented = null;
        var buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(queryString, buffer);
            length += Encoding.UTF8.GetBytes(body, buffer[length..]);
            Span<byte> hash = stackalloc byte[32];
            lock (_gate)
            {
                _hmac.TryComputeHash(buffer[..length], hash, out _);
            }

            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Appends <c>recvWindow</c>, <c>timestamp</c> and then the signature of the whole query.</summary>
    public string SignQuery(BinanceParameters parameters, int recvWindowMilliseconds, long timestampMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var sb = new StringBuilder(256);
        parameters.AppendQueryString(sb);
        if (sb.Length > 0)
        {
            sb.Append('&');
        }

        sb.Append("recvWindow=").Append(recvWindowMilliseconds.ToString(CultureInfo.InvariantCulture));
        sb.Append("&timestamp=").Append(timestampMilliseconds.ToString(CultureInfo.InvariantCulture));
        var signature = Sign(sb.ToString());
        return sb.Append("&signature=").Append(signature).ToString();
    }

    public void Dispose() => _hmac.Dispose();
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

    public string ToQueryString() => AppendQueryString(new StringBuilder(256)).ToString();

    public StringBuilder AppendQueryString(StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(sb);
        var first = true;
        foreach (var (key, value) in _items)
        {
            if (!first)
            {
                sb.Append('&');
            }

            first = false;
            AppendEscaped(sb, key).Append('=');
            AppendEscaped(sb, value);
        }

        return sb;
    }

    /// <summary>Percent-encodes like <see cref="Uri.EscapeDataString(string)"/>, without a new string for values that need none.</summary>
    private static StringBuilder AppendEscaped(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            if (!IsUnreserved(c))
            {
                return sb.Append(Uri.EscapeDataString(value));
            }
        }

        return sb.Append(value);
    }

    // RFC 3986 unreserved characters: the only ones EscapeDataString leaves as they are.
    private static bool IsUnreserved(char c)
        => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~';

    /// <summary>Plain invariant notation without exponent or trailing zeros (<c>0.00100</c> becomes <c>0.001</c>).</summary>
    public static string FormatDecimal(decimal value)
    {
        var normalized = value / 1.000000000000000000000000000000000m;
        return normalized.ToString("0.############################", CultureInfo.InvariantCulture);
    }
}
