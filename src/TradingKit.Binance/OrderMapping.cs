using System.Globalization;
using System.Text.Json;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Json;
using TradingKit.Binance.Rest;
using TradingKit.Binance.Streams;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Instruments;
using TradingKit.Orders;

namespace TradingKit.Binance;

/// <summary>Translates TradingKit orders to Binance parameters and Binance answers back.</summary>
internal static class OrderMapping
{
    /// <summary>Binance accepts a trailing callback rate of 0.1%..10%.</summary>
    private const decimal MinCallbackRate = 0.1m;
    private const decimal MaxCallbackRate = 10m;

    public static bool IsConditional(OrderType type)
        => type is OrderType.StopMarket or OrderType.StopLimit or OrderType.TakeProfitMarket or OrderType.TakeProfitLimit or OrderType.TrailingStop;

    public static string Format(decimal value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Rounds a limit price to the tick, never to a worse price: buys down, sells up.</summary>
    public static decimal RoundLimit(Instrument instrument, decimal price, OrderSide side)
        => instrument.RoundPrice(price, side == OrderSide.Buy ? MidpointRounding.ToZero : MidpointRounding.ToPositiveInfinity);

    public static BinanceRequest ToVenueRequest(OrderRequest request, Instrument instrument, BinancePositionMode mode, DateTimeOffset now)
    {
        var quantity = instrument.RoundQuantity(request.Quantity);
        decimal? limit = request.LimitPrice is { } lp ? RoundLimit(instrument, lp, request.Side) : null;
        decimal? trigger = request.StopPrice is { } sp ? instrument.RoundPrice(sp) : null;
        instrument.Validate(quantity, limit);

        var p = new BinanceParameters()
            .Add("symbol", request.Symbol.Value)
            .Add("side", request.Side == OrderSide.Buy ? "BUY" : "SELL")
            .Add("positionSide", PositionSide(request, mode));
        var conditional = IsConditional(request.Type);
        if (conditional)
        {
            p.Add("algoType", "CONDITIONAL");
        }

        p.Add("type", VenueType(request.Type));
        if (request.Type != OrderType.Market && request.Type != OrderType.StopMarket && request.Type != OrderType.TakeProfitMarket
            && request.Type != OrderType.TrailingStop)
        {
            p.Add("timeInForce", TimeInForce(request.TimeInForce));
        }

        p.Add("quantity", Format(quantity, instrument.QuantityPrecision));
        if (limit is { } l)
        {
            p.Add("price", Format(l, instrument.PricePrecision));
        }

        if (request.Type == OrderType.TrailingStop)
        {
            if (trigger is not { } activation)
            {
                throw new TradingKitException(BinanceErrorCodes.UnsupportedOrder,
                    "A Binance trailing stop needs an activation price (StopPrice) to turn the offset into a callback rate.");
            }

            var rate = Math.Round(request.TrailingOffset!.Value / activation * 100m, 1, MidpointRounding.AwayFromZero);
            if (rate is < MinCallbackRate or > MaxCallbackRate)
            {
                throw new TradingKitException(BinanceErrorCodes.UnsupportedOrder,
                    $"Trailing offset {request.TrailingOffset} is {rate}% of the activation price; Binance accepts {MinCallbackRate}%..{MaxCallbackRate}%.");
            }

            p.Add("activatePrice", Format(activation, instrument.PricePrecision)).Add("callbackRate", rate);
        }
        else if (conditional && trigger is { } t)
        {
            p.Add("triggerPrice", Format(t, instrument.PricePrecision));
        }

        if (request.ReduceOnly && mode == BinancePositionMode.OneWay)
        {
            p.Add("reduceOnly", true);
        }

        if (request.TimeInForce == Orders.TimeInForce.Gtd)
        {
            p.Add("goodTillDate", request.ExpireAt!.Value.ToUnixTimeMilliseconds());
        }

        if (conditional)
        {
            p.Add("clientAlgoId", request.ClientOrderId.Value);
            return new BinanceRequest(HttpMethod.Post, "/fapi/v1/algoOrder", p, BinanceSecurity.Signed, IsMutating: true, IsOrder: true);
        }

        // ACK on purpose: fills need trade ids, which only the stream and userTrades carry (see BinanceUsdmBroker remarks).
        p.Add("newClientOrderId", request.ClientOrderId.Value).Add("newOrderRespType", "ACK");
        return new BinanceRequest(HttpMethod.Post, "/fapi/v1/order", p, BinanceSecurity.Signed, IsMutating: true, IsOrder: true);
    }

    public static VenueOrderState FromRegular(JsonElement o)
    {
        var orderId = o.Long("orderId");
        var avg = o.Decimal("avgPrice");
        var price = o.Decimal("price");
        var stop = o.Decimal("stopPrice");
        return new VenueOrderState
        {
            ClientOrderId = BinanceUserEventParser.ToClientOrderId(o.String("clientOrderId"), orderId),
            VenueOrderId = new VenueOrderId(orderId.ToString(CultureInfo.InvariantCulture)),
            Symbol = new Symbol(o.String("symbol") ?? "UNKNOWN"),
            Side = BinanceUserEventParser.Side(o.String("side")),
            Type = BinanceUserEventParser.Type(o.String("type")),
            Status = BinanceUserEventParser.Status(o.String("status")),
            Quantity = o.Decimal("origQty"),
            FilledQuantity = o.Decimal("executedQty"),
            AveragePrice = avg > 0m ? avg : null,
            LimitPrice = price > 0m ? price : null,
            StopPrice = stop > 0m ? stop : null,
            UpdatedAt = o.Time("updateTime"),
        };
    }

    public static VenueOrderState FromAlgo(JsonElement o)
    {
        var algoId = o.Long("algoId");
        var quantity = o.Decimal("quantity");
        var executed = o.Decimal("executedQty");
        var avg = o.Decimal("avgPrice");
        var price = o.Decimal("price");
        var trigger = o.Decimal("triggerPrice");
        var status = o.String("algoStatus") switch
        {
            "NEW" => OrderStatus.Acknowledged,
            "TRIGGERING" or "TRIGGERED" => OrderStatus.Triggered,
            "FINISHED" => executed >= quantity && quantity > 0m ? OrderStatus.Filled : OrderStatus.Cancelled,
            "CANCELED" => OrderStatus.Cancelled,
            "REJECTED" => OrderStatus.Rejected,
            "EXPIRED" => OrderStatus.Expired,
            _ => OrderStatus.Acknowledged,
        };
        return new VenueOrderState
        {
            ClientOrderId = BinanceUserEventParser.ToClientOrderId(o.String("clientAlgoId"), algoId),
            VenueOrderId = new VenueOrderId(algoId.ToString(CultureInfo.InvariantCulture)),
            Symbol = new Symbol(o.String("symbol") ?? "UNKNOWN"),
            Side = BinanceUserEventParser.Side(o.String("side")),
            Type = BinanceUserEventParser.Type(o.String("orderType")),
            Status = status,
            Quantity = quantity,
            FilledQuantity = executed,
            AveragePrice = avg > 0m ? avg : null,
            LimitPrice = price > 0m ? price : null,
            StopPrice = trigger > 0m ? trigger : null,
            UpdatedAt = o.Time("updateTime"),
        };
    }

    public static Fill FillFromTrade(JsonElement t, ClientOrderId clientOrderId)
    {
        var symbol = t.String("symbol") ?? "UNKNOWN";
        return new Fill
        {
            TradeId = new TradeId(BinanceUserEventParser.TradeKey(symbol, t.Long("id"))),
            ClientOrderId = clientOrderId,
            VenueOrderId = new VenueOrderId(t.Long("orderId").ToString(CultureInfo.InvariantCulture)),
            Symbol = new Symbol(symbol),
            Side = BinanceUserEventParser.Side(t.String("side")),
            Quantity = t.Decimal("qty"),
            Price = t.Decimal("price"),
            Fee = t.Decimal("commission"),
            FeeCurrency = t.String("commissionAsset") ?? "USDT",
            Liquidity = t.Bool("maker") ? LiquiditySide.Maker : LiquiditySide.Taker,
            PositionSide = BinanceUserEventParser.PositionSideOf(t.String("positionSide")),
            Timestamp = t.Time("time"),
        };
    }

    private static string PositionSide(OrderRequest request, BinancePositionMode mode)
    {
        if (mode == BinancePositionMode.OneWay)
        {
            return request.PositionSide == Orders.PositionSide.Both
                ? "BOTH"
                : throw new TradingKitException(ErrorCodes.InvalidOrderRequest,
                    $"Order {request.ClientOrderId}: the account is in one-way mode; PositionSide must be Both (got {request.PositionSide}).");
        }

        return request.PositionSide switch
        {
            Orders.PositionSide.Long => "LONG",
            Orders.PositionSide.Short => "SHORT",
            _ => throw new TradingKitException(ErrorCodes.InvalidOrderRequest,
                $"Order {request.ClientOrderId}: the account is in hedge mode; PositionSide must be Long or Short."),
        };
    }

    private static string VenueType(OrderType type) => type switch
    {
        OrderType.Market => "MARKET",
        OrderType.Limit => "LIMIT",
        OrderType.StopMarket => "STOP_MARKET",
        OrderType.StopLimit => "STOP",
        OrderType.TakeProfitMarket => "TAKE_PROFIT_MARKET",
        OrderType.TakeProfitLimit => "TAKE_PROFIT",
        OrderType.TrailingStop => "TRAILING_STOP_MARKET",
        _ => throw new TradingKitException(BinanceErrorCodes.UnsupportedOrder, $"Binance has no order type for {type}."),
    };

    private static string TimeInForce(Orders.TimeInForce tif) => tif switch
    {
        Orders.TimeInForce.Gtc => "GTC",
        Orders.TimeInForce.Ioc => "IOC",
        Orders.TimeInForce.Fok => "FOK",
        Orders.TimeInForce.Gtd => "GTD",
        Orders.TimeInForce.PostOnly => "GTX",
        _ => throw new TradingKitException(BinanceErrorCodes.UnsupportedOrder, $"Binance futures have no time in force {tif}."),
    };
}
