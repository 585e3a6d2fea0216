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
        var reader = new Utf8JsonReader(utf8Json);
        using var doc = JsonDocument.ParseValue(ref reader);
        return Parse(doc.RootElement, registry);
    }

    public static (List<VenueEvent> Events, bool ListenKeyExpired) Parse(JsonElement root, OrderRegistry registry)
    {
        var events = new List<VenueEvent>(2);
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            root = data;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (events, false);
        }

        switch (root.String("e"))
        {
            case "ORDER_TRADE_UPDATE":
                if (OrderTradeUpdate(root, registry) is { } report)
                {
                    events.Add(report);
                }

                break;
            case "ALGO_UPDATE":
                if (AlgoUpdate(root, registry) is { } algo)
                {
                    events.Add(algo);
                }

                break;
            case "ACCOUNT_UPDATE":
                AccountUpdate(root, events);
                break;
            case "TRADE_LITE":
                events.Add(TradeLite(root));
                break;
            case "MARGIN_CALL":
                events.Add(MarginCall(root));
                break;
            case "listenKeyExpired":
                return (events, true);
            default:
                break;
        }

        return (events, false);
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
        => symbol + ":" + tradeId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ExecutionReport? OrderTradeUpdate(JsonElement root, OrderRegistry registry)
    {
        var o = root.GetProperty("o");
        var symbol = new Symbol(o.String("s") ?? "UNKNOWN");
        var orderId = o.Long("i");
        var rawClientId = o.String("c");
        var execution = o.String("x");
        var status = Status(o.String("X"));

        // A triggered conditional order trades under its own order id; report it under the algo order's client id.
        var algoParent = registry.AlgoFor(orderId);
        if (algoParent is not null && execution == "NEW")
        {
            return null; // already reported as Triggered by ALGO_UPDATE
        }

        var clientOrderId = algoParent ?? ToClientOrderId(rawClientId, orderId);
        var kind = execution switch
        {
            "NEW" => ExecutionKind.Accepted,
            "TRADE" or "CALCULATED" => ExecutionKind.Trade,
            "CANCELED" => ExecutionKind.Cancelled,
            "EXPIRED" => ExecutionKind.Expired,
            "AMENDMENT" => ExecutionKind.Updated,
            _ => (ExecutionKind?)null,
        };
        if (kind is null)
        {
            return null;
        }

        Fill? fill = null;
        var lastQty = o.Decimal("l");
        if (kind == ExecutionKind.Trade)
        {
            var tradeId = o.Long("t");
            var key = TradeKey(symbol.Value, tradeId);
            var tradeTime = o.Time("T");
            if (lastQty <= 0m || !registry.TryMarkTrade(key, symbol.Value, tradeTime))
            {
                return null; // no quantity, or already reported (stream replay or gap fill)
            }

            fill = new Fill
            {
                TradeId = new TradeId(key),
                ClientOrderId = clientOrderId,
                VenueOrderId = new VenueOrderId(orderId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Symbol = symbol,
                Side = Side(o.String("S")),
                Quantity = lastQty,
                Price = o.Decimal("L"),
                Fee = o.Decimal("n"),
                FeeCurrency = o.String("N") ?? "USDT",
                Liquidity = o.Bool("m") ? LiquiditySide.Maker : LiquiditySide.Taker,
                PositionSide = PositionSideOf(o.String("ps")),
                Timestamp = tradeTime,
            };
        }

        var tracked = registry.Find(clientOrderId) ?? registry.FindByOrderId(orderId);
        if (tracked is not null)
        {
            if (tracked.OrderId is null && algoParent is null)
            {
                registry.SetOrderId(tracked, orderId);
            }

            tracked.Status = status;
            tracked.FilledQuantity = Math.Max(tracked.FilledQuantity, o.Decimal("z"));
        }

        string? reason = execution switch
        {
            "CALCULATED" => "liquidation",
            "EXPIRED" => o.String("er") is { Length: > 0 } er ? "expiry reason " + er : null,
            _ => null,
        };

        return new ExecutionReport(root.Time("E"))
        {
            Kind = kind.Value,
            ClientOrderId = clientOrderId,
            VenueOrderId = new VenueOrderId(orderId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Symbol = symbol,
            Side = Side(o.String("S")),
            Status = status,
            OrderQuantity = o.Decimal("q"),
            CumulativeQuantity = o.Decimal("z"),
            Fill = fill,
            Reason = reason,
            IsExternal = algoParent is null && IsExternal(rawClientId),
        };
    }

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

    private static void AccountUpdate(JsonElement root, List<VenueEvent> events)
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

            events.Add(new BinanceBalanceChanged(time, reason, list));
        }

        if (a.TryGetProperty("P", out var positions) && positions.ValueKind == JsonValueKind.Array && positions.GetArrayLength() > 0)
        {
            var list = new List<BinancePosition>(positions.GetArrayLength());
            foreach (var p in positions.EnumerateArray())
            {
                list.Add(new BinancePosition(new Symbol(p.String("s") ?? "UNKNOWN"), p.Decimal("pa"), p.Decimal("ep"), p.Decimal("bep"),
                    p.Decimal("cr"), p.Decimal("up"), p.String("mt") ?? "cross", PositionSideOf(p.String("ps"))));
            }

            events.Add(new BinancePositionChanged(time, reason, list));
        }
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
