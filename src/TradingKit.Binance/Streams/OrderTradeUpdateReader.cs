using System.Globalization;
using System.Text.Json;

namespace TradingKit.Binance.Streams;

/// <summary>
/// The fields of one <c>ORDER_TRADE_UPDATE</c> that the adapter maps, read straight from the message's UTF-8 bytes.
/// Text fields are slices of the message (no string is made here); numbers are decoded whether Binance sent them as
/// JSON strings or JSON numbers.
/// </summary>
internal ref struct OrderTradeUpdate
{
    /// <summary><c>E</c>: event time, ms.</summary>
    public long EventTime;

    /// <summary><c>o.s</c>.</summary>
    public ReadOnlySpan<byte> Symbol;

    /// <summary><c>o.c</c>.</summary>
    public ReadOnlySpan<byte> ClientOrderId;

    /// <summary><c>o.S</c>: BUY or SELL.</summary>
    public ReadOnlySpan<byte> Side;

    /// <summary><c>o.x</c>: NEW, TRADE, CANCELED, EXPIRED, CALCULATED, AMENDMENT.</summary>
    public ReadOnlySpan<byte> ExecutionType;

    /// <summary><c>o.X</c>: the order status.</summary>
    public ReadOnlySpan<byte> Status;

    /// <summary><c>o.i</c>.</summary>
    public long OrderId;

    /// <summary><c>o.q</c>.</summary>
    public decimal Quantity;

    /// <summary><c>o.l</c>.</summary>
    public decimal LastQuantity;

    /// <summary><c>o.z</c>.</summary>
    public decimal CumulativeQuantity;

    /// <summary><c>o.L</c>.</summary>
    public decimal LastPrice;

    /// <summary><c>o.N</c>.</summary>
    public ReadOnlySpan<byte> CommissionAsset;

    /// <summary><c>o.n</c>.</summary>
    public decimal Commission;

    /// <summary><c>o.T</c>: trade (transaction) time, ms.</summary>
    public long TradeTime;

    /// <summary><c>o.t</c>.</summary>
    public long TradeId;

    /// <summary><c>o.m</c>.</summary>
    public bool IsMaker;

    /// <summary><c>o.ps</c>: BOTH, LONG or SHORT.</summary>
    public ReadOnlySpan<byte> PositionSide;

    /// <summary><c>o.er</c>: the expiry reason, when given.</summary>
    public ReadOnlySpan<byte> ExpiryReason;
}

/// <summary>
/// Reads an <c>ORDER_TRADE_UPDATE</c> with a <see cref="Utf8JsonReader"/> over the message bytes: one forward pass, no
/// document, nothing allocated for a well-formed message (an escaped string, which Binance does not send, is copied).
/// Every other event type is left to the document-based parser.
/// </summary>
internal static class OrderTradeUpdateReader
{
    /// <summary>Reads the message when it is an <c>ORDER_TRADE_UPDATE</c> (bare or in a combined-stream <c>data</c> envelope).</summary>
    /// <param name="utf8Json">The whole message.</param>
    /// <param name="update">The fields, when it is one.</param>
    /// <returns>False when the message is another event (nothing is read then).</returns>
    /// <exception cref="JsonException">The message is not valid JSON, or a field has the wrong shape.</exception>
    public static bool TryRead(ReadOnlySpan<byte> utf8Json, out OrderTradeUpdate update)
    {
        update = default;
        var u = default(OrderTradeUpdate);
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var isOrderUpdate = false;
        var sawOrder = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("e"u8))
            {
                reader.Read();
                if (!reader.ValueTextEquals("ORDER_TRADE_UPDATE"u8))
                {
                    return false;
                }

                isOrderUpdate = true;
            }
            else if (reader.ValueTextEquals("E"u8))
            {
                reader.Read();
                u.EventTime = ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("o"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                ReadOrder(ref reader, ref u);
                sawOrder = true;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return TryRead(utf8Json[start..(int)reader.BytesConsumed], out update);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!isOrderUpdate || !sawOrder)
        {
            return false;
        }

        update = u;
        return true;
    }

    private static void ReadOrder(scoped ref Utf8JsonReader reader, scoped ref OrderTradeUpdate u)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Binance's field names are one or two ASCII letters and never escaped.
            var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
            reader.Read();
            if (name.Length == 1)
            {
                switch (name[0])
                {
                    case (byte)'s': u.Symbol = ReadText(ref reader); continue;
                    case (byte)'c': u.ClientOrderId = ReadText(ref reader); continue;
                    case (byte)'S': u.Side = ReadText(ref reader); continue;
                    case (byte)'x': u.ExecutionType = ReadText(ref reader); continue;
                    case (byte)'X': u.Status = ReadText(ref reader); continue;
                    case (byte)'i': u.OrderId = ReadLong(ref reader); continue;
                    case (byte)'q': u.Quantity = ReadDecimal(ref reader); continue;
                    case (byte)'l': u.LastQuantity = ReadDecimal(ref reader); continue;
                    case (byte)'z': u.CumulativeQuantity = ReadDecimal(ref reader); continue;
                    case (byte)'L': u.LastPrice = ReadDecimal(ref reader); continue;
                    case (byte)'N': u.CommissionAsset = ReadText(ref reader); continue;
                    case (byte)'n': u.Commission = ReadDecimal(ref reader); continue;
                    case (byte)'T': u.TradeTime = ReadLong(ref reader); continue;
                    case (byte)'t': u.TradeId = ReadLong(ref reader); continue;
                    case (byte)'m': u.IsMaker = ReadBool(ref reader); continue;
                    default: break;
                }
            }
            else if (name.Length == 2)
            {
                if (name[0] == (byte)'p' && name[1] == (byte)'s')
                {
                    u.PositionSide = ReadText(ref reader);
                    continue;
                }

                if (name[0] == (byte)'e' && name[1] == (byte)'r')
                {
                    u.ExpiryReason = ReadText(ref reader);
                    continue;
                }
            }

            reader.Skip();
        }
    }

    private static ReadOnlySpan<byte> ReadText(scoped ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when !reader.ValueIsEscaped:
            case JsonTokenType.Number:
                return reader.ValueSpan;
            case JsonTokenType.String:
                var copy = new byte[reader.ValueSpan.Length];
                return copy.AsSpan(0, reader.CopyString(copy));
            case JsonTokenType.True:
                return "true"u8;
            case JsonTokenType.False:
                return "false"u8;
            default:
                reader.Skip();
                return default;
        }
    }

    private static long ReadLong(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out var l) ? l : (long)reader.GetDecimal();
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && long.TryParse(reader.ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
        {
            return s;
        }

        reader.Skip();
        return 0;
    }

    private static decimal ReadDecimal(ref Utf8JsonReader reader)
    {
        // Numbers and numeric strings alike: the same digits, parsed the same way.
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            if (TryParsePlainDecimal(text, out var plain) || decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out plain))
            {
                return plain;
            }
        }

        reader.Skip();
        return 0m;
    }

    /// <summary>
    /// Parses what Binance sends (<c>-?digits[.digits]</c>, at most 19 digits) several times faster than the general
    /// parser; anything else (exponents, more digits, stray characters) is left to <see cref="decimal.TryParse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider?, out decimal)"/>.
    /// The result equals the general parser's, scale included.
    /// </summary>
    internal static bool TryParsePlainDecimal(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0m;
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        var i = negative ? 1 : 0;
        ulong mantissa = 0;
        var digits = 0;
        var scale = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == (byte)'.')
            {
                if (scale >= 0)
                {
                    return false;
                }

                scale = 0;
                continue;
            }

            var digit = (uint)(c - (byte)'0');
            if (digit > 9 || digits == 19)
            {
                return false;
            }

            mantissa = (mantissa * 10) + digit;
            digits++;
            if (scale >= 0)
            {
                scale++;
            }
        }

        if (digits == 0 || scale == 0)
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }

    private static bool ReadBool(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.String => reader.ValueTextEquals("true"u8),
        _ => false,
    };
}
