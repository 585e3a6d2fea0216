using System.Text.Json;
using TradingKit.Binance.Events;
using TradingKit.Binance.Json;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance.Streams;

/// <summary>
/// Maps user-data stream payloads (<c>ORDER_TRADE_UPDATE</c>, <c>ALGO_UPDATE</c>, <c>ACCOUNT_UPDATE</c>,
/// <c>TRADE_LITE</c>, <c>MARGIN_CALL</c>, <c>listenKeyExpired</c>) to venue events. Fills are deduplicated by
/// trade id through the <see cref="OrderRegistry"/>, shared with gap filling.
/// </summary>
internal static class BinanceUserEventParser
{
    private static readonly string[] ExternalPrefixes = ["autoclose-", "adl_autoclose", "settlement_autoclose-"];

    /// <summary>Parses one message; returns the events it yields (possibly none) and whether the listen key expired.</summary>
    public static (List<VenueEvent> Events, bool ListenKeyExpired) Parse(ReadOnlySpan<byte> utf8Json, OrderRegistry registry)
    {
        var events = new List<VenueEvent>(2);
        var expired = Parse(utf8Json, registry, events.Add);
        return (events, expired);
    }

    /// <summary>Parses one message and hands each event it yields to <paramref name="publish"/>.</summary>
    /// <returns>True when the message says the listen key expired.</returns>
    public static bool Parse(ReadOnlySpan<byte> utf8Json, OrderRegistry registry, Action<VenueEvent> publish)
    {
        // The hot event is read without a document; the rest are rare and read through one.
        if (OrderTradeUpdateReader.TryRead(utf8Json, out var update))
        {
            if (Map(in update, registry) is { } report)
            {
                publish(report);
            }

            return false;
        }

        var reader = new Utf8JsonReader(utf8Json);
        using var doc = JsonDocument.ParseValue(ref reader);
        return Parse(doc.RootElement, registry, publish);
    }

    /// <summary>Maps one <c>ORDER_TRADE_UPDATE</c> to its execution report; null when there is nothing to report.</summary>
    public static ExecutionReport? Map(in OrderTradeUpdate o, OrderRegistry registry)
    {
        var symbolText = AsciiText.Intern(o.Symbol.IsEmpty ? "UNKNOWN"u8 : o.Symbol);
        var symbol = new Symbol(symbolText);
        var orderId = o.OrderId;
        var status = Status(o.Status);

        // A triggered conditional order trades under its own order id; report it under the algo order's client id.
        var algoParent = registry.AlgoFor(orderId);
        if (algoParent is not null && o.ExecutionType.SequenceEqual("NEW"u8))
        {
            return null; // already reported as Triggered by ALGO_UPDATE
        }

        ExecutionKind kind;
        string? reason = null;
        var x = o.ExecutionType;
        if (x.SequenceEqual("TRADE"u8))
        {
            kind = ExecutionKind.Trade;
        }
        else if (x.SequenceEqual("NEW"u8))
        {
            kind = ExecutionKind.Accepted;
        }
        else if (x.SequenceEqual("CANCELED"u8))
        {
            kind = ExecutionKind.Cancelled;
        }
        else if (x.SequenceEqual("CALCULATED"u8))
        {
            kind = ExecutionKind.Trade;
            reason = "liquidation";
        }
        else if (x.SequenceEqual("EXPIRED"u8))
        {
            kind = ExecutionKind.Expired;
            reason = o.ExpiryReason.IsEmpty ? null : "expiry reason " + System.Text.Encoding.UTF8.GetString(o.ExpiryReason);
        }
        else if (x.SequenceEqual("AMENDMENT"u8))
        {
            kind = ExecutionKind.Updated;
        }
        else
        {
            return null;
        }

        var tracked = algoParent is null ? registry.Find(o.ClientOrderId) : registry.Find(algoParent.Value);
        var clientOrderId = algoParent ?? tracked?.ClientOrderId ?? ToClientOrderId(o.ClientOrderId.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(o.ClientOrderId), orderId);
        tracked ??= registry.FindByOrderId(orderId);
        var venueOrderId = tracked?.OrderId == orderId && tracked.VenueOrderId is { } known ? known : VenueId(orderId);
        var side = o.Side.SequenceEqual("SELL"u8) ? OrderSide.Sell : OrderSide.Buy;

        Fill? fill = null;
        if (kind == ExecutionKind.Trade)
        {
            var key = TradeKey(symbolText, o.TradeId);
            var tradeTime = DateTimeOffset.FromUnixTimeMilliseconds(o.TradeTime);
            if (o.LastQuantity <= 0m || !registry.TryMarkTrade(key, symbolText, tradeTime))
            {
                return null; // no quantity, or already reported (stream replay or gap fill)
            }

            fill = new Fill
            {
                TradeId = new TradeId(key),
                ClientOrderId = clientOrderId,
                VenueOrderId = venueOrderId,
                Symbol = symbol,
                Side = side,
                Quantity = o.LastQuantity,
                Price = o.LastPrice,
                Fee = o.Commission,
                FeeCurrency = o.CommissionAsset.IsEmpty ? "USDT" : AsciiText.Intern(o.CommissionAsset),
                Liquidity = o.IsMaker ? LiquiditySide.Maker : LiquiditySide.Taker,
                PositionSide = PositionSideOf(o.PositionSide),
                Timestamp = tradeTime,
            };
        }

        if (tracked is not null)
        {
            if (tracked.OrderId is null && algoParent is null)
            {
                registry.SetOrderId(tracked, orderId);
            }

            tracked.Status = status;
            tracked.FilledQuantity = Math.Max(tracked.FilledQuantity, o.CumulativeQuantity);
        }

        return new ExecutionReport(DateTimeOffset.FromUnixTimeMilliseconds(o.EventTime))
        {
            Kind = kind,
            ClientOrderId = clientOrderId,
            VenueOrderId = venueOrderId,
            Symbol = symbol,
            Side = side,
            Status = status,
            OrderQuantity = o.Quantity,
            CumulativeQuantity = o.CumulativeQuantity,
            Fill = fill,
            Reason = reason,
            IsExternal = algoParent is null && IsExternal(o.ClientOrderId),
        };
    }

    private static bool Parse(JsonElement root, OrderRegistry registry, Action<VenueEvent> publish)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            root = data;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        switch (root.String("e"))
        {
            case "ALGO_UPDATE":
                if (AlgoUpdate(root, registry) is { } algo)
                {
                    publish(algo);
                }

                break;
            case "ACCOUNT_UPDATE":
                AccountUpdate(root, publish);
                break;
            case "TRADE_LITE":
                publish(TradeLite(root));
                break;
            case "MARGIN_CALL":
                publish(MarginCall(root));
                break;
            case "ACCOUNT_CONFIG_UPDATE":
                if (AccountConfigUpdate(root) is { } config)
                {
                    publish(config);
                }

                break;
            case "listenKeyExpired":
                return true;
            default:
                break;
        }

        return false;
    }

    public static bool IsExternal(string? rawClientId)
    {
        if (rawClientId is null)
        {
            return false;
        }

        foreach (var prefix in ExternalPrefixes)
        {
            if (rawClientId.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsExternal(ReadOnlySpan<byte> rawClientId)
        => rawClientId.StartsWith("autoclose-"u8) || rawClientId.StartsWith("adl_autoclose"u8) || rawClientId.StartsWith("settlement_autoclose-"u8);

    /// <summary>The client id as TradingKit's type; ids the venue made that break the rules get a stable stand-in.</summary>
    public static ClientOrderId ToClientOrderId(string? raw, long orderId)
    {
        if (!string.IsNullOrEmpty(raw) && raw.Length <= 36 && IsVenueSafe(raw))
        {
            return new ClientOrderId(raw);
        }

        return new ClientOrderId("binance-" + orderId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static OrderSide Side(string? s) => s == "SELL" ? OrderSide.Sell : OrderSide.Buy;

    public static PositionSide PositionSideOf(ReadOnlySpan<byte> s)
        => s.SequenceEqual("LONG"u8) ? PositionSide.Long : s.SequenceEqual("SHORT"u8) ? PositionSide.Short : PositionSide.Both;

    public static OrderStatus Status(ReadOnlySpan<byte> s)
    {
        if (s.SequenceEqual("PARTIALLY_FILLED"u8))
        {
            return OrderStatus.PartiallyFilled;
        }

        if (s.SequenceEqual("FILLED"u8))
        {
            return OrderStatus.Filled;
        }

        if (s.SequenceEqual("CANCELED"u8))
        {
            return OrderStatus.Cancelled;
        }

        if (s.SequenceEqual("EXPIRED"u8) || s.SequenceEqual("EXPIRED_IN_MATCH"u8))
        {
            return OrderStatus.Expired;
        }

        return s.SequenceEqual("REJECTED"u8) ? OrderStatus.Rejected : OrderStatus.Acknowledged;
    }

    public static PositionSide PositionSideOf(string? s) => s switch
    {
        "LONG" => PositionSide.Long,
        "SHORT" => PositionSide.Short,
        _ => PositionSide.Both,
    };

    public static OrderStatus Status(string? s) => s switch
    {
        "NEW" => OrderStatus.Acknowledged,
        "PARTIALLY_FILLED" => OrderStatus.PartiallyFilled,
        "FILLED" => OrderStatus.Filled,
        "CANCELED" => OrderStatus.Cancelled,
        "EXPIRED" or "EXPIRED_IN_MATCH" => OrderStatus.Expired,
        "REJECTED" => OrderStatus.Rejected,
        _ => OrderStatus.Acknowledged,
    };

    public static OrderType Type(string? s) => s switch
    {
        "MARKET" => OrderType.Market,
        "LIMIT" => OrderType.Limit,
        "STOP" => OrderType.StopLimit,
        "STOP_MARKET" => OrderType.StopMarket,
        "TAKE_PROFIT" => OrderType.TakeProfitLimit,
        "TAKE_PROFIT_MARKET" => OrderType.TakeProfitMarket,
        "TRAILING_STOP_MARKET" => OrderType.TrailingStop,
        _ => OrderType.Limit,
    };

    public static string TradeKey(string symbol, long tradeId)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{symbol}:{tradeId}");

    public static VenueOrderId VenueId(long orderId) => new(orderId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static ExecutionReport? AlgoUpdate(JsonElement root, OrderRegistry registry)
    {
        var o = root.GetProperty("o");
        var algoId = o.Long("aid");
        var clientId = ToClientOrderId(o.String("caid"), algoId);
        var algoStatus = o.String("X");
        var actual = o.Long("ai");
        if (actual > 0)
        {
            registry.MapAlgoActualOrder(actual, clientId);
        }

        (ExecutionKind Kind, OrderStatus Status)? mapped = algoStatus switch
        {
            "NEW" => (ExecutionKind.Accepted, OrderStatus.Acknowledged),
            "TRIGGERED" => (ExecutionKind.Triggered, OrderStatus.Triggered),
            "CANCELED" => (ExecutionKind.Cancelled, OrderStatus.Cancelled),
            "EXPIRED" => (ExecutionKind.Expired, OrderStatus.Expired),
            "REJECTED" => (ExecutionKind.Rejected, OrderStatus.Rejected),
            // TRIGGERING is transient; FINISHED is reported by the triggered order's own ORDER_TRADE_UPDATE.
            _ => null,
        };
        if (mapped is null)
        {
            return null;
        }

        if (registry.Find(clientId) is { } tracked)
        {
            tracked.Status = mapped.Value.Status;
        }

        return new ExecutionReport(root.Time("E"))
        {
            Kind = mapped.Value.Kind,
            ClientOrderId = clientId,
            VenueOrderId = new VenueOrderId(algoId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Symbol = new Symbol(o.String("s") ?? "UNKNOWN"),
            Side = Side(o.String("S")),
            Status = mapped.Value.Status,
            OrderQuantity = o.Decimal("q"),
            CumulativeQuantity = o.Decimal("aq"),
            Reason = o.String("rm") is { Length: > 0 } rm ? rm : null,
            IsExternal = IsExternal(o.String("caid")),
        };
    }

    private static void AccountUpdate(JsonElement root, Action<VenueEvent> publish)
    {
        var time = root.Time("E");
        var a = root.GetProperty("a");
        var reason = a.String("m") ?? "UNKNOWN";
        if (a.TryGetProperty("B", out var balances) && balances.ValueKind == JsonValueKind.Array && balances.GetArrayLength() > 0)
        {
            var list = new List<BinanceBalanceChange>(balances.GetArrayLength());
            foreach (var b in balances.EnumerateArray())
            {
                list.Add(new BinanceBalanceChange(b.String("a") ?? "?", b.Decimal("wb"), b.Decimal("cw"), b.Decimal("bc")));
            }

            publish(new BinanceBalanceChanged(time, reason, list));
        }

        if (a.TryGetProperty("P", out var positions) && positions.ValueKind == JsonValueKind.Array && positions.GetArrayLength() > 0)
        {
            var list = new List<BinancePosition>(positions.GetArrayLength());
            foreach (var p in positions.EnumerateArray())
            {
                list.Add(new BinancePosition(new Symbol(p.String("s") ?? "UNKNOWN"), p.Decimal("pa"), p.Decimal("ep"), p.Decimal("bep"),
                    p.Decimal("cr"), p.Decimal("up"), p.String("mt") ?? "cross", PositionSideOf(p.String("ps"))));
            }

            publish(new BinancePositionChanged(time, reason, list));
        }
    }

    private static BinanceAccountConfigChanged? AccountConfigUpdate(JsonElement root)
    {
        var time = root.Time("E");
        if (root.TryGetProperty("ac", out var ac) && ac.ValueKind == JsonValueKind.Object)
        {
            return new BinanceAccountConfigChanged(time, new Symbol(ac.String("s") ?? "UNKNOWN"), (int)ac.Long("l"), null);
        }

        if (root.TryGetProperty("ai", out var ai) && ai.ValueKind == JsonValueKind.Object)
        {
            return new BinanceAccountConfigChanged(time, null, null, ai.Bool("j"));
        }

        return null;
    }

    private static BinanceTradeLite TradeLite(JsonElement root)
    {
        var symbol = root.String("s") ?? "UNKNOWN";
        return new BinanceTradeLite(root.Time("E"), root.String("c") ?? string.Empty, new Symbol(symbol),
            new TradeId(TradeKey(symbol, root.Long("t"))), Side(root.String("S")), root.Decimal("l"), root.Decimal("L"));
    }

    private static BinanceMarginCall MarginCall(JsonElement root)
    {
        var list = new List<BinanceMarginCallPosition>();
        if (root.TryGetProperty("p", out var positions) && positions.ValueKind == JsonValueKind.Array)
        {
            foreach (var p in positions.EnumerateArray())
            {
                list.Add(new BinanceMarginCallPosition(new Symbol(p.String("s") ?? "UNKNOWN"), PositionSideOf(p.String("ps")), p.Decimal("pa"),
                    p.Decimal("mp"), p.Decimal("up"), p.Decimal("mm")));
            }
        }

        return new BinanceMarginCall(root.Time("E"), root.Decimal("cw"), list);
    }

    private static bool IsVenueSafe(string value)
    {
        foreach (var c in value)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or ':' or '/' or '_' or '-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
