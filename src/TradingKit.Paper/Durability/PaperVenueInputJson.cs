using System.Globalization;
using System.Text.Json;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Durability;

/// <summary>
/// The JSON form of a venue's identity and inputs, one object per record. Written by hand rather than by reflection so the
/// format is stable and explicit: decimals as JSON numbers (exact), times as round-trip ISO 8601, enums by name.
/// </summary>
internal static class PaperVenueInputJson
{
    public const int FormatVersion = 1;

    public static void WriteHeader(Utf8JsonWriter writer, PaperVenueIdentity identity)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "header");
        writer.WriteNumber("format", FormatVersion);
        writer.WriteString("venue", identity.VenueName);
        writer.WriteString("options", identity.OptionsFingerprint);
        writer.WriteStartObject("labels");
        foreach (var (key, value) in identity.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static PaperVenueIdentity ReadHeader(JsonElement root)
    {
        if (Text(root, "type") != "header")
        {
            throw new FormatException("the first record is not a venue header");
        }

        if (root.GetProperty("format").GetInt32() != FormatVersion)
        {
            throw new FormatException($"format {root.GetProperty("format").GetInt32()} is not supported (this version reads {FormatVersion})");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in root.GetProperty("labels").EnumerateObject())
        {
            labels[label.Name] = label.Value.GetString() ?? string.Empty;
        }

        return new PaperVenueIdentity { VenueName = Required(root, "venue"), OptionsFingerprint = Required(root, "options"), Labels = labels };
    }

    public static void Write(Utf8JsonWriter writer, PaperVenueInput input)
    {
        writer.WriteStartObject();
        writer.WriteNumber("seq", input.Sequence);
        writer.WriteString("at", Time(input.At));
        switch (input)
        {
            case PaperConnectInput:
                writer.WriteString("type", "connect");
                break;
            case PaperAdvanceInput:
                writer.WriteString("type", "advance");
                break;
            case PaperSubmitInput submit:
                writer.WriteString("type", "submit");
                WriteOrder(writer, submit.Request);
                break;
            case PaperCancelInput cancel:
                writer.WriteString("type", "cancel");
                writer.WriteString("symbol", cancel.Symbol.Value);
                writer.WriteString("clientOrderId", cancel.ClientOrderId.Value);
                break;
            case PaperModifyInput modify:
                writer.WriteString("type", "modify");
                writer.WriteString("symbol", modify.Request.Symbol.Value);
                writer.WriteString("clientOrderId", modify.Request.ClientOrderId.Value);
                Number(writer, "quantity", modify.Request.NewQuantity);
                Number(writer, "limitPrice", modify.Request.NewLimitPrice);
                Number(writer, "stopPrice", modify.Request.NewStopPrice);
                break;
            case PaperMarketDataInput data:
                WriteMarketData(writer, data.Item);
                break;
            default:
                throw new ArgumentException($"Unknown venue input {input.GetType().Name}.", nameof(input));
        }

        writer.WriteEndObject();
    }

    public static PaperVenueInput Read(JsonElement root)
    {
        var sequence = root.GetProperty("seq").GetInt64();
        var at = ReadTime(root, "at");
        var type = Required(root, "type");
        return type switch
        {
            "connect" => new PaperConnectInput(sequence, at),
            "advance" => new PaperAdvanceInput(sequence, at),
            "submit" => new PaperSubmitInput(sequence, at, ReadOrder(root.GetProperty("order"))),
            "cancel" => new PaperCancelInput(sequence, at, new Symbol(Required(root, "symbol")), new ClientOrderId(Required(root, "clientOrderId"))),
            "modify" => new PaperModifyInput(sequence, at, new ModifyRequest(new ClientOrderId(Required(root, "clientOrderId")), new Symbol(Required(root, "symbol")),
                NullableDecimal(root, "quantity"), NullableDecimal(root, "limitPrice"), NullableDecimal(root, "stopPrice"))),
            "bar" or "trade" or "quote" => new PaperMarketDataInput(sequence, at, ReadMarketData(type, root)),
            _ => throw new FormatException($"unknown record type '{type}'"),
        };
    }

    private static void WriteOrder(Utf8JsonWriter writer, OrderRequest r)
    {
        writer.WriteStartObject("order");
        writer.WriteString("clientOrderId", r.ClientOrderId.Value);
        writer.WriteString("symbol", r.Symbol.Value);
        writer.WriteString("side", r.Side.ToString());
        writer.WriteString("orderType", r.Type.ToString());
        writer.WriteNumber("quantity", r.Quantity);
        Number(writer, "limitPrice", r.LimitPrice);
        Number(writer, "stopPrice", r.StopPrice);
        Number(writer, "trailingOffset", r.TrailingOffset);
        writer.WriteString("timeInForce", r.TimeInForce.ToString());
        if (r.ExpireAt is { } expireAt)
        {
            writer.WriteString("expireAt", Time(expireAt));
        }

        writer.WriteBoolean("reduceOnly", r.ReduceOnly);
        writer.WriteString("positionSide", r.PositionSide.ToString());
        writer.WriteEndObject();
    }

    private static OrderRequest ReadOrder(JsonElement o) => new()
    {
        ClientOrderId = new ClientOrderId(Required(o, "clientOrderId")),
        Symbol = new Symbol(Required(o, "symbol")),
        Side = Enum.Parse<OrderSide>(Required(o, "side")),
        Type = Enum.Parse<OrderType>(Required(o, "orderType")),
        Quantity = o.GetProperty("quantity").GetDecimal(),
        LimitPrice = NullableDecimal(o, "limitPrice"),
        StopPrice = NullableDecimal(o, "stopPrice"),
        TrailingOffset = NullableDecimal(o, "trailingOffset"),
        TimeInForce = Enum.Parse<TimeInForce>(Required(o, "timeInForce")),
        ExpireAt = o.TryGetProperty("expireAt", out _) ? ReadTime(o, "expireAt") : null,
        ReduceOnly = o.GetProperty("reduceOnly").GetBoolean(),
        PositionSide = Enum.Parse<PositionSide>(Required(o, "positionSide")),
    };

    private static void WriteMarketData(Utf8JsonWriter writer, MarketDataEvent item)
    {
        switch (item)
        {
            case Bar bar:
                writer.WriteString("type", "bar");
                writer.WriteString("symbol", bar.Symbol.Value);
                writer.WriteString("openTime", Time(bar.OpenTime));
                writer.WriteString("time", Time(bar.Timestamp));
                writer.WriteNumber("open", bar.Open);
                writer.WriteNumber("high", bar.High);
                writer.WriteNumber("low", bar.Low);
                writer.WriteNumber("close", bar.Close);
                writer.WriteNumber("volume", bar.Volume);
                break;
            case TradeTick trade:
                writer.WriteString("type", "trade");
                writer.WriteString("symbol", trade.Symbol.Value);
                writer.WriteString("time", Time(trade.Timestamp));
                writer.WriteNumber("price", trade.Price);
                writer.WriteNumber("quantity", trade.Quantity);
                writer.WriteBoolean("aggressorIsBuyer", trade.AggressorIsBuyer);
                break;
            case QuoteTick quote:
                writer.WriteString("type", "quote");
                writer.WriteString("symbol", quote.Symbol.Value);
                writer.WriteString("time", Time(quote.Timestamp));
                writer.WriteNumber("bidPrice", quote.BidPrice);
                writer.WriteNumber("bidSize", quote.BidSize);
                writer.WriteNumber("askPrice", quote.AskPrice);
                writer.WriteNumber("askSize", quote.AskSize);
                break;
            default:
                throw new ArgumentException($"The paper venue store keeps bars, trades and quotes, not {item.GetType().Name}.", nameof(item));
        }
    }

    private static MarketDataEvent ReadMarketData(string type, JsonElement o)
    {
        var symbol = new Symbol(Required(o, "symbol"));
        var time = ReadTime(o, "time");
        return type switch
        {
            "bar" => new Bar(symbol, ReadTime(o, "openTime"), time, Decimal(o, "open"), Decimal(o, "high"), Decimal(o, "low"), Decimal(o, "close"), Decimal(o, "volume")),
            "trade" => new TradeTick(symbol, time, Decimal(o, "price"), Decimal(o, "quantity"), o.GetProperty("aggressorIsBuyer").GetBoolean()),
            _ => new QuoteTick(symbol, time, Decimal(o, "bidPrice"), Decimal(o, "bidSize"), Decimal(o, "askPrice"), Decimal(o, "askSize")),
        };
    }

    private static void Number(Utf8JsonWriter writer, string name, decimal? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ReadTime(JsonElement o, string name)
        => DateTimeOffset.ParseExact(Required(o, name), "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static decimal Decimal(JsonElement o, string name) => o.GetProperty(name).GetDecimal();

    private static decimal? NullableDecimal(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetDecimal() : null;

    private static string? Text(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static string Required(JsonElement o, string name)
        => o.GetProperty(name).GetString() is { Length: > 0 } s ? s : throw new FormatException($"'{name}' is empty");
}
