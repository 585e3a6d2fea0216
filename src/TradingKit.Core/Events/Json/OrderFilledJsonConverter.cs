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
/// generic property machinery the generated reader runs for each of its twelve members.
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
                    symbol = Symbols.Read(ref reader, typeof(Symbol), options);
                    break;
                case 4:
                    side = NotNull(ref reader, member) ? enums.Sides.Read(ref reader, typeof(OrderSide), options) : default;
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
                    feeCurrency = reader.TokenType == JsonTokenType.String
                        ? reader.GetString()
                        : throw new JsonException($"The member 'fee_currency' must be a JSON string, not {reader.TokenType}.");
                    break;
                case 9:
                    liquidity = NotNull(ref reader, member) ? enums.Liquidity.Read(ref reader, typeof(LiquiditySide), options) : default;
                    break;
                case 10:
                    positionSide = NotNull(ref reader, member) ? enums.PositionSides.Read(ref reader, typeof(PositionSide), options) : default;
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
        => reader.TokenType == JsonTokenType.Number
            ? reader.GetDecimal()
            : throw new JsonException($"The member '{Names[member]}' must be a JSON number, not {reader.TokenType}.");

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
            enums = new EnumConverters(options,
                (JsonConverter<OrderSide>)options.GetConverter(typeof(OrderSide)),
                (JsonConverter<LiquiditySide>)options.GetConverter(typeof(LiquiditySide)),
                (JsonConverter<PositionSide>)options.GetConverter(typeof(PositionSide)));
            _enums = enums;
        }

        return enums;
    }

    private sealed record EnumConverters(JsonSerializerOptions Options, JsonConverter<OrderSide> Sides, JsonConverter<LiquiditySide> Liquidity,
        JsonConverter<PositionSide> PositionSides);
}
