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

/// <summary>What the compact scan made of a message.</summary>
internal enum CompactScan
{
    /// <summary>A well-formed compact <c>ORDER_TRADE_UPDATE</c>: the fields are read.</summary>
    OrderUpdate = 0,

    /// <summary>A compact message of another event type.</summary>
    OtherEvent = 1,

    /// <summary>Not the compact shape (whitespace, escapes, an envelope, exponents, nested values): read it with the JSON reader.</summary>
    Declined = 2,
}

/// <summary>
/// Reads an <c>ORDER_TRADE_UPDATE</c> straight from the message bytes, without a document. Binance sends the event as
/// compact JSON: one object, a flat <c>o</c> object inside, no whitespace, no escapes, plain decimals. That exact shape is
/// scanned directly (<see cref="ScanCompact"/>, about three times faster than a <see cref="Utf8JsonReader"/> pass); anything
/// else is read by one <see cref="Utf8JsonReader"/> pass (<see cref="TryReadWithReader"/>), which accepts any valid JSON.
/// Both read the same fields the same way (a test compares them); neither allocates for a well-formed message.
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
        switch (ScanCompact(utf8Json, out update))
        {
            case CompactScan.OrderUpdate:
                return true;
            case CompactScan.OtherEvent:
                return false;
            default:
                return TryReadWithReader(utf8Json, out update);
        }
    }

    /// <summary>Scans Binance's compact shape of the event; declines anything else.</summary>
    internal static CompactScan ScanCompact(ReadOnlySpan<byte> json, out OrderTradeUpdate update)
    {
        update = default;
        var u = default(OrderTradeUpdate);
        if (json.Length < 2 || json[0] != (byte)'{')
        {
            return CompactScan.Declined;
        }

        var i = 1;
        var isOrderUpdate = false;
        var sawOrder = false;
        while (true)
        {
            if (!ReadName(json, ref i, out var name))
            {
                return CompactScan.Declined;
            }

            if (name.SequenceEqual("o"u8))
            {
                if (!ScanOrder(json, ref i, ref u))
                {
                    return CompactScan.Declined;
                }

                sawOrder = true;
            }
            else
            {
                if (!ReadScalar(json, ref i, out var value, out var quoted))
                {
                    return CompactScan.Declined;
                }

                if (name.SequenceEqual("e"u8))
                {
                    if (!quoted)
                    {
                        return CompactScan.Declined;
                    }

                    if (!value.SequenceEqual("ORDER_TRADE_UPDATE"u8))
                    {
                        return CompactScan.OtherEvent;
                    }

                    isOrderUpdate = true;
                }
                else if (name.SequenceEqual("E"u8) && !TryLong(value, out u.EventTime))
                {
                    return CompactScan.Declined;
                }
            }

            if (i >= json.Length)
            {
                return CompactScan.Declined;
            }

            var next = json[i++];
            if (next == (byte)'}')
            {
                break;
            }

            if (next != (byte)',')
            {
                return CompactScan.Declined;
            }
        }

        if (i != json.Length || !isOrderUpdate || !sawOrder)
        {
            return CompactScan.Declined;
        }

        update = u;
        return CompactScan.OrderUpdate;
    }

    private static bool ScanOrder(ReadOnlySpan<byte> json, scoped ref int i, scoped ref OrderTradeUpdate u)
    {
        if (i >= json.Length || json[i] != (byte)'{')
        {
            return false;
        }

        i++;
        while (true)
        {
            if (!ReadName(json, ref i, out var name) || !ReadScalar(json, ref i, out var value, out var quoted))
            {
                return false;
            }

            var ok = true;
            if (name.Length == 1)
            {
                switch (name[0])
                {
                    case (byte)'s': u.Symbol = Text(value, quoted); break;
                    case (byte)'c': u.ClientOrderId = Text(value, quoted); break;
                    case (byte)'S': u.Side = Text(value, quoted); break;
                    case (byte)'x': u.ExecutionType = Text(value, quoted); break;
                    case (byte)'X': u.Status = Text(value, quoted); break;
                    case (byte)'i': ok = TryLong(value, out u.OrderId); break;
                    case (byte)'q': ok = TryParsePlainDecimal(value, out u.Quantity); break;
                    case (byte)'l': ok = TryParsePlainDecimal(value, out u.LastQuantity); break;
                    case (byte)'z': ok = TryParsePlainDecimal(value, out u.CumulativeQuantity); break;
                    case (byte)'L': ok = TryParsePlainDecimal(value, out u.LastPrice); break;
                    case (byte)'N': u.CommissionAsset = Text(value, quoted); break;
                    case (byte)'n': ok = TryParsePlainDecimal(value, out u.Commission); break;
                    case (byte)'T': ok = TryLong(value, out u.TradeTime); break;
                    case (byte)'t': ok = TryLong(value, out u.TradeId); break;
                    case (byte)'m': u.IsMaker = value.SequenceEqual("true"u8); break;
                    default: break;
                }
            }
            else if (name.Length == 2 && name[0] == (byte)'p' && name[1] == (byte)'s')
            {
                u.PositionSide = Text(value, quoted);
            }
            else if (name.Length == 2 && name[0] == (byte)'e' && name[1] == (byte)'r')
            {
                u.ExpiryReason = Text(value, quoted);
            }

            if (!ok || i >= json.Length)
            {
                return false;
            }

            var next = json[i++];
            if (next == (byte)'}')
            {
                return true;
            }

            if (next != (byte)',')
            {
                return false;
            }
        }
    }

    // A JSON null reads as no text, as the reader does.
    private static ReadOnlySpan<byte> Text(ReadOnlySpan<byte> value, bool quoted)
        => quoted || !value.SequenceEqual("null"u8) ? value : default;

    /// <summary>Reads <c>"name":</c> at <paramref name="i"/>.</summary>
    private static bool ReadName(ReadOnlySpan<byte> json, scoped ref int i, out ReadOnlySpan<byte> name)
    {
        if (!ReadQuoted(json, ref i, out name) || i >= json.Length || json[i] != (byte)':')
        {
            return false;
        }

        i++;
        return true;
    }

    /// <summary>Reads a string without escapes, or a bare literal (number, true, false, null) at <paramref name="i"/>.</summary>
    private static bool ReadScalar(ReadOnlySpan<byte> json, scoped ref int i, out ReadOnlySpan<byte> value, out bool quoted)
    {
        value = default;
        quoted = i < json.Length && json[i] == (byte)'"';
        if (quoted)
        {
            return ReadQuoted(json, ref i, out value);
        }

        // Fields are short: a plain loop beats a vectorised search's set-up here.
        var end = i;
        while (end < json.Length && json[end] != (byte)',' && json[end] != (byte)'}')
        {
            end++;
        }

        if (end == i || end == json.Length)
        {
            return false;
        }

        value = json[i..end];
        i = end;
        return value.SequenceEqual("true"u8) || value.SequenceEqual("false"u8) || value.SequenceEqual("null"u8) || IsNumber(value);
    }

    private static bool ReadQuoted(ReadOnlySpan<byte> json, scoped ref int i, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (i >= json.Length || json[i] != (byte)'"')
        {
            return false;
        }

        var start = i + 1;
        for (var end = start; end < json.Length; end++)
        {
            var c = json[end];
            if (c == (byte)'"')
            {
                content = json[start..end];
                i = end + 1;
                return true;
            }

            if (c == (byte)'\\' || c < 0x20)
            {
                return false; // an escape or a control character: the reader decides
            }
        }

        return false; // unterminated
    }

    // JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private static bool IsNumber(ReadOnlySpan<byte> s)
    {
        var i = 0;
        if (i < s.Length && s[i] == (byte)'-')
        {
            i++;
        }

        if (i >= s.Length || !IsDigit(s[i]) || (s[i] == (byte)'0' && i + 1 < s.Length && IsDigit(s[i + 1])))
        {
            return false;
        }

        while (i < s.Length && IsDigit(s[i]))
        {
            i++;
        }

        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            var start = i;
            while (i < s.Length && IsDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
        {
            i++;
            if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
            {
                i++;
            }

            var start = i;
            while (i < s.Length && IsDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    private static bool IsDigit(byte c) => (uint)(c - (byte)'0') <= 9;

    private static bool TryLong(ReadOnlySpan<byte> text, out long value)
        => long.TryParse(text, NumberStyles.None | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>Reads the message with a <see cref="Utf8JsonReader"/> when it is an <c>ORDER_TRADE_UPDATE</c>; any valid JSON.</summary>
    internal static bool TryReadWithReader(ReadOnlySpan<byte> utf8Json, out OrderTradeUpdate update)
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
                return TryReadWithReader(utf8Json[start..(int)reader.BytesConsumed], out update);
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
