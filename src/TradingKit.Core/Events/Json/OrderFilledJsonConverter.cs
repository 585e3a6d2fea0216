using System.Buffers;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Events.Json;

/// <summary>
/// The contract of <see cref="OrderFilled"/>, the most frequent event, written by hand: the same JSON, field for field and
/// rule for rule, as the generated contracts of the other events (snake_case names in declaration order, every member
/// required, no unknown or repeated member, strict numbers, ids and enums through the catalogue's converters), without the
/// generic property machinery the generated reader runs for each of its twelve members. Three short cuts, each giving
/// exactly what the slow path gives and leaving everything else to it: plain decimals (digits and a fraction, at most 19
/// digits) are parsed here; enum names equal to the catalogue converter's are matched and written from encoded text; and
/// the symbols and fee currencies read last are reused rather than decoded and validated again.
/// </summary>
internal sealed class OrderFilledJsonConverter : JsonConverter<OrderFilled>
{
    private static readonly JsonEncodedText[] Names =
    [
        JsonEncodedText.Encode("trade_id"),
        JsonEncodedText.Encode("client_order_id"),
        JsonEncodedText.Encode("venue_order_id"),
        JsonEncodedText.Encode("symbol"),
        JsonEncodedText.Encode("side"),
        JsonEncodedText.Encode("quantity"),
        JsonEncodedText.Encode("price"),
        JsonEncodedText.Encode("fee"),
        JsonEncodedText.Encode("fee_currency"),
        JsonEncodedText.Encode("liquidity"),
        JsonEncodedText.Encode("position_side"),
        JsonEncodedText.Encode("executed_at"),
    ];

    private const int AllMembers = (1 << 12) - 1;

    private static readonly ClientOrderIdJsonConverter ClientOrderIds = new();
    private static readonly VenueOrderIdJsonConverter VenueOrderIds = new();
    private static readonly TradeIdJsonConverter TradeIds = new();
    private static readonly SymbolJsonConverter Symbols = new();

    // A log repeats a handful of symbols and fee currencies: the strings read last are reused rather than decoded again.
    private static readonly RecentValues<Symbol> RecentSymbols = new();
    private static readonly RecentValues<string> RecentCurrencies = new();

    private EnumConverters? _enums;

    public override OrderFilled Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"An order_filled payload must be a JSON object, not {reader.TokenType}.");
        }

        var enums = Enums(options);
        var seen = 0;
        TradeId tradeId = default;
        ClientOrderId clientOrderId = default;
        VenueOrderId? venueOrderId = null;
        Symbol symbol = default;
        OrderSide side = default;
        decimal quantity = 0m, price = 0m, fee = 0m;
        string? feeCurrency = null;
        LiquiditySide liquidity = default;
        PositionSide positionSide = default;
        DateTimeOffset executedAt = default;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // Payloads written by this converter list members in order: try the next one first, then search.
            var next = BitOperations.PopCount((uint)seen);
            var member = next < Names.Length && reader.ValueTextEquals(Names[next].EncodedUtf8Bytes) ? next : Member(ref reader);
            if ((seen & (1 << member)) != 0)
            {
                throw new JsonException($"The member '{Names[member]}' appears twice.");
            }

            seen |= 1 << member;
            reader.Read();
            switch (member)
            {
                case 0:
                    tradeId = TradeIds.Read(ref reader, typeof(TradeId), options);
                    break;
                case 1:
                    clientOrderId = ClientOrderIds.Read(ref reader, typeof(ClientOrderId), options);
                    break;
                case 2:
                    venueOrderId = reader.TokenType == JsonTokenType.Null ? null : VenueOrderIds.Read(ref reader, typeof(VenueOrderId), options);
                    break;
                case 3:
                    if (!RecentSymbols.TryFind(ref reader, out symbol))
                    {
                        symbol = Symbols.Read(ref reader, typeof(Symbol), options);
                        RecentSymbols.Remember(symbol.Value, symbol);
                    }

                    break;
                case 4:
                    side = NotNull(ref reader, member) ? enums.Sides.Read(ref reader, options) : default;
                    break;
                case 5:
                    quantity = Number(ref reader, member);
                    break;
                case 6:
                    price = Number(ref reader, member);
                    break;
                case 7:
                    fee = Number(ref reader, member);
                    break;
                case 8:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException($"The member 'fee_currency' must be a JSON string, not {reader.TokenType}.");
                    }

                    if (!RecentCurrencies.TryFind(ref reader, out feeCurrency))
                    {
                        feeCurrency = reader.GetString()!;
                        RecentCurrencies.Remember(feeCurrency, feeCurrency);
                    }

                    break;
                case 9:
                    liquidity = NotNull(ref reader, member) ? enums.Liquidity.Read(ref reader, options) : default;
                    break;
                case 10:
                    positionSide = NotNull(ref reader, member) ? enums.PositionSides.Read(ref reader, options) : default;
                    break;
                default:
                    executedAt = reader.TokenType == JsonTokenType.String
                        ? reader.GetDateTimeOffset()
                        : throw new JsonException($"The member 'executed_at' must be a JSON string, not {reader.TokenType}.");
                    break;
            }
        }

        if (seen != AllMembers)
        {
            var missing = Enumerable.Range(0, Names.Length).Where(i => (seen & (1 << i)) == 0).Select(i => Names[i].ToString());
            throw new JsonException($"The order_filled payload lacks the required member(s) {string.Join(", ", missing)}.");
        }

        return new OrderFilled
        {
            TradeId = tradeId,
            ClientOrderId = clientOrderId,
            VenueOrderId = venueOrderId,
            Symbol = symbol,
            Side = side,
            Quantity = quantity,
            Price = price,
            Fee = fee,
            FeeCurrency = feeCurrency!,
            Liquidity = liquidity,
            PositionSide = positionSide,
            ExecutedAt = executedAt,
        };
    }

    public override void Write(Utf8JsonWriter writer, OrderFilled value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var enums = Enums(options);
        writer.WriteStartObject();
        writer.WritePropertyName(Names[0]);
        TradeIds.Write(writer, value.TradeId, options);
        writer.WritePropertyName(Names[1]);
        ClientOrderIds.Write(writer, value.ClientOrderId, options);
        writer.WritePropertyName(Names[2]);
        if (value.VenueOrderId is { } venueOrderId)
        {
            VenueOrderIds.Write(writer, venueOrderId, options);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName(Names[3]);
        Symbols.Write(writer, value.Symbol, options);
        writer.WritePropertyName(Names[4]);
        enums.Sides.Write(writer, value.Side, options);
        writer.WriteNumber(Names[5], value.Quantity);
        writer.WriteNumber(Names[6], value.Price);
        writer.WriteNumber(Names[7], value.Fee);
        writer.WriteString(Names[8], value.FeeCurrency ?? throw new JsonException("An order_filled event needs a fee currency."));
        writer.WritePropertyName(Names[9]);
        enums.Liquidity.Write(writer, value.Liquidity, options);
        writer.WritePropertyName(Names[10]);
        enums.PositionSides.Write(writer, value.PositionSide, options);
        writer.WriteString(Names[11], value.ExecutedAt);
        writer.WriteEndObject();
    }

    private static int Member(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (reader.ValueTextEquals(Names[i].EncodedUtf8Bytes))
            {
                return i;
            }
        }

        throw new JsonException($"The order_filled payload has an unknown member '{reader.GetString()}'.");
    }

    private static decimal Number(ref Utf8JsonReader reader, int member)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"The member '{Names[member]}' must be a JSON number, not {reader.TokenType}.");
        }

        return !reader.HasValueSequence && TryParsePlainDecimal(reader.ValueSpan, out var value) ? value : reader.GetDecimal();
    }

    /// <summary>
    /// Parses the common shape of a price, quantity or fee, an optional minus, digits and an optional fraction with at most 19
    /// digits in all, to the same value and scale as <see cref="Utf8JsonReader.GetDecimal"/> gives; any other number (an
    /// exponent, more digits, negative zero) is left to it. The reader has already checked the JSON number syntax.
    /// </summary>
    internal static bool TryParsePlainDecimal(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0m;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        ulong mantissa = 0;
        var digits = 0;
        var scale = -1;
        for (var i = negative ? 1 : 0; i < text.Length; i++)
        {
            var c = text[i];
            var digit = (uint)(c - '0');
            if (digit <= 9)
            {
                if (++digits > 19)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + digit;
                if (scale >= 0)
                {
                    scale++;
                }
            }
            else if (c == (byte)'.' && scale < 0)
            {
                scale = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || scale == 0 || (negative && mantissa == 0))
        {
            return false;
        }

        value = new decimal((int)mantissa, (int)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }

    private static bool NotNull(ref Utf8JsonReader reader, int member)
        => reader.TokenType != JsonTokenType.Null
            ? true
            : throw new JsonException($"The member '{Names[member]}' must not be null.");

    /// <summary>The catalogue's enum converters (UPPER_SNAKE names, no numbers), taken once per options.</summary>
    private EnumConverters Enums(JsonSerializerOptions options)
    {
        var enums = _enums;
        if (enums is null || !ReferenceEquals(enums.Options, options))
        {
            enums = new EnumConverters(options, new EnumNames<OrderSide>(options), new EnumNames<LiquiditySide>(options),
                new EnumNames<PositionSide>(options));
            _enums = enums;
        }

        return enums;
    }

    private sealed record EnumConverters(JsonSerializerOptions Options, EnumNames<OrderSide> Sides, EnumNames<LiquiditySide> Liquidity,
        EnumNames<PositionSide> PositionSides);

    /// <summary>
    /// One enum through the catalogue's converter, with the names that converter writes for each defined value encoded once:
    /// a defined value is written from its encoded name, and a JSON string equal to one of those names is read without the
    /// converter. Anything else (another spelling the converter accepts, an undefined value, a number) goes to the
    /// converter, so the contract's rules are the converter's.
    /// </summary>
    internal sealed class EnumNames<TEnum>
        where TEnum : struct, Enum
    {
        private readonly JsonConverter<TEnum> _converter;
        private readonly TEnum[] _values;
        private readonly JsonEncodedText[] _names;

        public EnumNames(JsonSerializerOptions options)
        {
            _converter = (JsonConverter<TEnum>)options.GetConverter(typeof(TEnum));
            _values = Enum.GetValues<TEnum>();
            _names = new JsonEncodedText[_values.Length];
            var buffer = new ArrayBufferWriter<byte>(64);
            for (var i = 0; i < _values.Length; i++)
            {
                buffer.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    _converter.Write(writer, _values[i], options);
                }

                var reader = new Utf8JsonReader(buffer.WrittenSpan);
                reader.Read();
                _names[i] = JsonEncodedText.Encode(reader.GetString()!);
            }
        }

        public TEnum Read(ref Utf8JsonReader reader, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                for (var i = 0; i < _names.Length; i++)
                {
                    if (reader.ValueTextEquals(_names[i].EncodedUtf8Bytes))
                    {
                        return _values[i];
                    }
                }
            }

            return _converter.Read(ref reader, typeof(TEnum), options);
        }

        public void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        {
            for (var i = 0; i < _values.Length; i++)
            {
                if (EqualityComparer<TEnum>.Default.Equals(_values[i], value))
                {
                    writer.WriteStringValue(_names[i]);
                    return;
                }
            }

            _converter.Write(writer, value, options);
        }
    }

    /// <summary>
    /// The values of a few JSON strings read recently, each with its UTF-8 text, in 16 slots chosen by the text's length and
    /// first and last bytes: a string equal to one of them is not decoded (nor, for an id, validated) again. Safe to share
    /// between threads: a slot holds one immutable entry, replaced whole.
    /// </summary>
    internal sealed class RecentValues<T>
    {
        private const int Slots = 16;
        private readonly Entry?[] _entries = new Entry?[Slots];

        /// <summary>The remembered value of the string under the reader, if there is one.</summary>
        public bool TryFind(ref Utf8JsonReader reader, out T value)
        {
            if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped
                && Volatile.Read(ref _entries[SlotOf(reader.ValueSpan)]) is { } entry && reader.ValueSpan.SequenceEqual(entry.Utf8))
            {
                value = entry.Value;
                return true;
            }

            value = default!;
            return false;
        }

        /// <summary>Remembers the value read from a string, replacing whatever its slot held.</summary>
        public void Remember(string text, T value)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
            Volatile.Write(ref _entries[SlotOf(utf8)], new Entry(utf8, value));
        }

        private static int SlotOf(ReadOnlySpan<byte> utf8)
            => utf8.IsEmpty ? 0 : (utf8.Length + (utf8[0] * 3) + (utf8[^1] * 7)) & (Slots - 1);

        private sealed record Entry(byte[] Utf8, T Value);
    }
}
