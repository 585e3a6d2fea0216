using System.Globalization;
using System.Text.Json;
using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Replay;

/// <summary>
/// The replay artifact's JSON shapes, written with <see cref="Utf8JsonWriter"/> and read from <see cref="JsonElement"/>.
/// Decimals are JSON numbers carrying the exact value; times are ISO-8601 UTC; enums are their names.
/// </summary>
internal static class ReplayJson
{
    public static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset time) => w.WriteString(name, FileSessionJournal.FormatTime(time));

    public static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            WriteTime(w, name, t);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteDecimal(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteMarketData(Utf8JsonWriter w, string name, MarketDataEvent marketData)
    {
        w.WriteStartObject(name);
        switch (marketData)
        {
            case Bar bar:
                w.WriteString("type", "bar");
                w.WriteString("symbol", bar.Symbol.Value);
                WriteTime(w, "open_time", bar.OpenTime);
                WriteTime(w, "ts", bar.Timestamp);
                w.WriteNumber("open", bar.Open);
                w.WriteNumber("high", bar.High);
                w.WriteNumber("low", bar.Low);
                w.WriteNumber("close", bar.Close);
                w.WriteNumber("volume", bar.Volume);
                break;
            case TradeTick trade:
                w.WriteString("type", "trade");
                w.WriteString("symbol", trade.Symbol.Value);
                WriteTime(w, "ts", trade.Timestamp);
                w.WriteNumber("price", trade.Price);
                w.WriteNumber("qty", trade.Quantity);
                w.WriteBoolean("aggressor_is_buyer", trade.AggressorIsBuyer);
                break;
            case QuoteTick quote:
                w.WriteString("type", "quote");
                w.WriteString("symbol", quote.Symbol.Value);
                WriteTime(w, "ts", quote.Timestamp);
                w.WriteNumber("bid", quote.BidPrice);
                w.WriteNumber("bid_size", quote.BidSize);
                w.WriteNumber("ask", quote.AskPrice);
                w.WriteNumber("ask_size", quote.AskSize);
                break;
            default:
                throw new NotSupportedException($"Market data of type {marketData.GetType().Name} cannot be recorded for replay.");
        }

        w.WriteEndObject();
    }

    public static MarketDataEvent ReadMarketData(JsonElement e)
    {
        var type = Str(e, "type");
        var symbol = new Symbol(Str(e, "symbol"));
        return type switch
        {
            "bar" => new Bar(symbol, Time(e, "open_time"), Time(e, "ts"), Dec(e, "open"), Dec(e, "high"), Dec(e, "low"), Dec(e, "close"), Dec(e, "volume")),
            "trade" => new TradeTick(symbol, Time(e, "ts"), Dec(e, "price"), Dec(e, "qty"), Bool(e, "aggressor_is_buyer")),
            "quote" => new QuoteTick(symbol, Time(e, "ts"), Dec(e, "bid"), Dec(e, "bid_size"), Dec(e, "ask"), Dec(e, "ask_size")),
            _ => throw Bad($"unknown market data type '{type}'"),
        };
    }

    public static void WriteVenueEvent(Utf8JsonWriter w, string name, VenueEvent venueEvent)
    {
        w.WriteStartObject(name);
        switch (venueEvent)
        {
            case ExecutionReport r:
                w.WriteString("type", "execution_report");
                WriteTime(w, "ts", r.Timestamp);
                w.WriteString("kind", r.Kind.ToString());
                w.WriteString("client_order_id", r.ClientOrderId.Value);
                w.WriteString("venue_order_id", r.VenueOrderId?.Value);
                w.WriteString("symbol", r.Symbol.Value);
                w.WriteString("side", r.Side.ToString());
                w.WriteString("status", r.Status.ToString());
                w.WriteNumber("order_qty", r.OrderQuantity);
                w.WriteNumber("cum_qty", r.CumulativeQuantity);
                if (r.Fill is { } fill)
                {
                    WriteFill(w, "fill", fill);
                }
                else
                {
                    w.WriteNull("fill");
                }

                w.WriteString("reason", r.Reason);
                w.WriteBoolean("is_external", r.IsExternal);
                break;
            case ConnectionStateChanged c:
                w.WriteString("type", "connection");
                WriteTime(w, "ts", c.Timestamp);
                w.WriteString("state", c.State.ToString());
                w.WriteString("reason", c.Reason);
                break;
            default:
                throw new NotSupportedException($"Venue event of type {venueEvent.GetType().Name} cannot be recorded for replay.");
        }

        w.WriteEndObject();
    }

    public static VenueEvent ReadVenueEvent(JsonElement e)
    {
        var type = Str(e, "type");
        return type switch
        {
            "execution_report" => new ExecutionReport(Time(e, "ts"))
            {
                Kind = Enum<ExecutionKind>(e, "kind"),
                ClientOrderId = new ClientOrderId(Str(e, "client_order_id")),
                VenueOrderId = OptStr(e, "venue_order_id") is { } v ? new VenueOrderId(v) : null,
                Symbol = new Symbol(Str(e, "symbol")),
                Side = Enum<OrderSide>(e, "side"),
                Status = Enum<OrderStatus>(e, "status"),
                OrderQuantity = Dec(e, "order_qty"),
                CumulativeQuantity = Dec(e, "cum_qty"),
                Fill = Prop(e, "fill") is { ValueKind: JsonValueKind.Object } f ? ReadFill(f) : null,
                Reason = OptStr(e, "reason"),
                IsExternal = Bool(e, "is_external"),
            },
            "connection" => new ConnectionStateChanged(Time(e, "ts"), Enum<ConnectionState>(e, "state"), OptStr(e, "reason")),
            _ => throw Bad($"unknown venue event type '{type}'"),
        };
    }

    public static void WriteFill(Utf8JsonWriter w, string? name, Fill fill)
    {
        if (name is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(name);
        }

        w.WriteString("trade_id", fill.TradeId.Value);
        w.WriteString("client_order_id", fill.ClientOrderId.Value);
        w.WriteString("venue_order_id", fill.VenueOrderId?.Value);
        w.WriteString("symbol", fill.Symbol.Value);
        w.WriteString("side", fill.Side.ToString());
        w.WriteNumber("qty", fill.Quantity);
        w.WriteNumber("price", fill.Price);
        w.WriteNumber("fee", fill.Fee);
        w.WriteString("fee_currency", fill.FeeCurrency);
        w.WriteString("liquidity", fill.Liquidity.ToString());
        w.WriteString("position_side", fill.PositionSide.ToString());
        WriteTime(w, "ts", fill.Timestamp);
        w.WriteEndObject();
    }

    public static Fill ReadFill(JsonElement e) => new()
    {
        TradeId = new TradeId(Str(e, "trade_id")),
        ClientOrderId = new ClientOrderId(Str(e, "client_order_id")),
        VenueOrderId = OptStr(e, "venue_order_id") is { } v ? new VenueOrderId(v) : null,
        Symbol = new Symbol(Str(e, "symbol")),
        Side = Enum<OrderSide>(e, "side"),
        Quantity = Dec(e, "qty"),
        Price = Dec(e, "price"),
        Fee = Dec(e, "fee"),
        FeeCurrency = Str(e, "fee_currency"),
        Liquidity = Enum<LiquiditySide>(e, "liquidity"),
        PositionSide = Enum<PositionSide>(e, "position_side"),
        Timestamp = Time(e, "ts"),
    };

    /// <summary>The deterministic fields of an order request (everything but correlation, which is per call).</summary>
    public static void WriteOrderRequestFields(Utf8JsonWriter w, OrderRequest request)
    {
        w.WriteString("client_order_id", request.ClientOrderId.Value);
        w.WriteString("symbol", request.Symbol.Value);
        w.WriteString("side", request.Side.ToString());
        w.WriteString("type", request.Type.ToString());
        w.WriteNumber("qty", request.Quantity);
        WriteDecimal(w, "limit_price", request.LimitPrice);
        WriteDecimal(w, "stop_price", request.StopPrice);
        WriteDecimal(w, "trailing_offset", request.TrailingOffset);
        w.WriteString("tif", request.TimeInForce.ToString());
        WriteTime(w, "expire_at", request.ExpireAt);
        w.WriteBoolean("reduce_only", request.ReduceOnly);
        w.WriteString("position_side", request.PositionSide.ToString());
    }

    public static OrderRequest ReadOrderRequest(JsonElement e) => new()
    {
        ClientOrderId = new ClientOrderId(Str(e, "client_order_id")),
        Symbol = new Symbol(Str(e, "symbol")),
        Side = Enum<OrderSide>(e, "side"),
        Type = Enum<OrderType>(e, "type"),
        Quantity = Dec(e, "qty"),
        LimitPrice = OptDec(e, "limit_price"),
        StopPrice = OptDec(e, "stop_price"),
        TrailingOffset = OptDec(e, "trailing_offset"),
        TimeInForce = Enum<TimeInForce>(e, "tif"),
        ExpireAt = OptTime(e, "expire_at"),
        ReduceOnly = Bool(e, "reduce_only"),
        PositionSide = Enum<PositionSide>(e, "position_side"),
    };

    public static void WriteSubmitResult(Utf8JsonWriter w, SubmitResult result)
    {
        w.WriteStartObject("result");
        w.WriteBoolean("accepted", result.Accepted);
        w.WriteString("venue_order_id", result.VenueOrderId?.Value);
        w.WriteString("reject_code", result.RejectCode);
        w.WriteString("reject_reason", result.RejectReason);
        w.WriteEndObject();
    }

    public static SubmitResult ReadSubmitResult(JsonElement e) => new()
    {
        Accepted = Bool(e, "accepted"),
        VenueOrderId = OptStr(e, "venue_order_id") is { } v ? new VenueOrderId(v) : null,
        RejectCode = OptStr(e, "reject_code"),
        RejectReason = OptStr(e, "reject_reason"),
    };

    public static void WriteOrderState(Utf8JsonWriter w, VenueOrderState state)
    {
        w.WriteStartObject();
        w.WriteString("client_order_id", state.ClientOrderId.Value);
        w.WriteString("venue_order_id", state.VenueOrderId?.Value);
        w.WriteString("symbol", state.Symbol.Value);
        w.WriteString("side", state.Side.ToString());
        w.WriteString("type", state.Type.ToString());
        w.WriteString("status", state.Status.ToString());
        w.WriteNumber("qty", state.Quantity);
        w.WriteNumber("filled_qty", state.FilledQuantity);
        WriteDecimal(w, "avg_price", state.AveragePrice);
        WriteDecimal(w, "limit_price", state.LimitPrice);
        WriteDecimal(w, "stop_price", state.StopPrice);
        WriteTime(w, "updated_at", state.UpdatedAt);
        w.WriteEndObject();
    }

    public static VenueOrderState ReadOrderState(JsonElement e) => new()
    {
        ClientOrderId = new ClientOrderId(Str(e, "client_order_id")),
        VenueOrderId = OptStr(e, "venue_order_id") is { } v ? new VenueOrderId(v) : null,
        Symbol = new Symbol(Str(e, "symbol")),
        Side = Enum<OrderSide>(e, "side"),
        Type = Enum<OrderType>(e, "type"),
        Status = Enum<OrderStatus>(e, "status"),
        Quantity = Dec(e, "qty"),
        FilledQuantity = Dec(e, "filled_qty"),
        AveragePrice = OptDec(e, "avg_price"),
        LimitPrice = OptDec(e, "limit_price"),
        StopPrice = OptDec(e, "stop_price"),
        UpdatedAt = Time(e, "updated_at"),
    };

    public static void WritePosition(Utf8JsonWriter w, VenuePosition position)
    {
        w.WriteStartObject();
        w.WriteString("symbol", position.Symbol.Value);
        w.WriteNumber("qty", position.Quantity);
        w.WriteNumber("avg_price", position.AveragePrice);
        w.WriteString("position_side", position.PositionSide.ToString());
        WriteDecimal(w, "unrealized_pnl", position.UnrealizedPnl);
        w.WriteEndObject();
    }

    public static VenuePosition ReadPosition(JsonElement e)
        => new(new Symbol(Str(e, "symbol")), Dec(e, "qty"), Dec(e, "avg_price"), Enum<PositionSide>(e, "position_side"), OptDec(e, "unrealized_pnl"));

    public static void WriteBalance(Utf8JsonWriter w, Balance balance)
    {
        w.WriteStartObject();
        w.WriteString("asset", balance.Asset);
        w.WriteNumber("total", balance.Total);
        w.WriteNumber("available", balance.Available);
        w.WriteEndObject();
    }

    public static Balance ReadBalance(JsonElement e) => new(Str(e, "asset"), Dec(e, "total"), Dec(e, "available"));

    public static IReadOnlyList<T> ReadList<T>(JsonElement e, Func<JsonElement, T> read)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"expected an array, found {e.ValueKind}");
        }

        var list = new List<T>(e.GetArrayLength());
        foreach (var item in e.EnumerateArray())
        {
            list.Add(read(item));
        }

        return list;
    }

    // Readers: a wrong or missing field is a FormatException; the artifact reader adds the line number.

    public static JsonElement? Prop(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) ? p : null;

    public static JsonElement Req(JsonElement e, string name)
        => Prop(e, name) ?? throw Bad($"missing field '{name}'");

    public static string Str(JsonElement e, string name)
    {
        var p = Req(e, name);
        return p.ValueKind == JsonValueKind.String ? p.GetString()! : throw Bad($"field '{name}' must be a string, found {p.ValueKind}");
    }

    public static string? OptStr(JsonElement e, string name)
        => Prop(e, name) is { ValueKind: not JsonValueKind.Null } ? Str(e, name) : null;

    public static decimal Dec(JsonElement e, string name)
    {
        var p = Req(e, name);
        return p.ValueKind == JsonValueKind.Number && p.TryGetDecimal(out var d) ? d : throw Bad($"field '{name}' must be a decimal number, found {p.ValueKind}");
    }

    public static decimal? OptDec(JsonElement e, string name)
        => Prop(e, name) is { ValueKind: not JsonValueKind.Null } ? Dec(e, name) : null;

    public static long Long(JsonElement e, string name)
    {
        var p = Req(e, name);
        return p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var l) ? l : throw Bad($"field '{name}' must be an integer, found {p.ValueKind}");
    }

    public static bool Bool(JsonElement e, string name)
    {
        var p = Req(e, name);
        return p.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad($"field '{name}' must be true or false, found {p.ValueKind}"),
        };
    }

    public static DateTimeOffset Time(JsonElement e, string name)
    {
        var text = Str(e, name);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw Bad($"field '{name}' must be an ISO-8601 time, found '{text}'");
    }

    public static DateTimeOffset? OptTime(JsonElement e, string name)
        => Prop(e, name) is { ValueKind: not JsonValueKind.Null } ? Time(e, name) : null;

    public static TEnum Enum<TEnum>(JsonElement e, string name)
        where TEnum : struct, Enum
    {
        var text = Str(e, name);
        return System.Enum.TryParse<TEnum>(text, ignoreCase: false, out var value) && System.Enum.IsDefined(value) && !char.IsDigit(text[0]) && text[0] != '-'
            ? value
            : throw Bad($"field '{name}' has an unknown {typeof(TEnum).Name} '{text}'");
    }

    public static FormatException Bad(string message) => new(message);
}
