using System.Globalization;
using System.Text.Json;

namespace TradingKit.Binance.Json;

/// <summary>
/// Reads Binance payload fields. Binance sends numbers sometimes as JSON strings (<c>"0.001"</c>) and sometimes
/// as JSON numbers (<c>0.001</c>), even for the same field across endpoints and versions: every reader accepts both.
/// </summary>
internal static class BinanceJson
{
    public static decimal Decimal(this JsonElement obj, string name, decimal fallback = 0m)
        => obj.TryGetProperty(name, out var v) ? ToDecimal(v, fallback) : fallback;

    public static decimal? DecimalOrNull(this JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        return ToDecimal(v, 0m);
    }

    public static long Long(this JsonElement obj, string name, long fallback = 0)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return fallback;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var l) => l,
            JsonValueKind.Number => (long)v.GetDecimal(),
            JsonValueKind.String when long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
            _ => fallback,
        };
    }

    public static string? String(this JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    public static bool Bool(this JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => string.Equals(v.GetString(), "true", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    public static DateTimeOffset Time(this JsonElement obj, string name)
        => DateTimeOffset.FromUnixTimeMilliseconds(obj.Long(name));

    public static decimal ToDecimal(JsonElement v, decimal fallback)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                return v.TryGetDecimal(out var d) ? d : decimal.Parse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
            case JsonValueKind.String:
                var s = v.GetString();
                return decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : fallback;
            default:
                return fallback;
        }
    }
}
