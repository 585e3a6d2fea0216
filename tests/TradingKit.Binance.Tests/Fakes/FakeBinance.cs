using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TradingKit.Binance.Tests.Fakes;

/// <summary>One request the fake venue received.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string RawQuery, string? ApiKey, bool? SignatureValid)
{
    public string? this[string name] => Query.TryGetValue(name, out var v) ? v : null;
}

/// <summary>What the fake answers.</summary>
public sealed record FakeResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static FakeResponse Json(object body, int status = 200) => new(status, JsonSerializer.Serialize(body));

    public static FakeResponse Error(int status, int code, string msg, IReadOnlyDictionary<string, string>? headers = null)
        => new(status, JsonSerializer.Serialize(new { code, msg }), headers);
}

public sealed class FakeOrder
{
    public required long OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required string Side { get; init; }

    public required string Type { get; init; }

    public bool IsAlgo { get; init; }

    public decimal Quantity { get; set; }

    public decimal Price { get; set; }

    public decimal TriggerPrice { get; set; }

    public decimal Executed { get; set; }

    /// <summary>Sum of price × quantity over the order's fills, for its average price.</summary>
    public decimal ExecutedQuote { get; set; }

    public decimal AveragePrice => Executed == 0m ? 0m : ExecutedQuote / Executed;

    public string Status { get; set; } = "NEW";

    public long UpdateTime { get; set; }
}

public sealed record FakeTrade(long Id, long OrderId, string Symbol, string Side, decimal Qty, decimal Price, decimal Commission, long Time);

/// <summary>A one-way (netting) position at the fake venue.</summary>
public sealed class FakePosition
{
    public decimal Quantity { get; set; }

    public decimal EntryPrice { get; set; }

    public decimal UnrealizedProfit { get; set; }
}

/// <summary>
/// A local fake of Binance USDⓈ-M futures on Kestrel (127.0.0.1, free port): REST with signature checks and
/// a small order book of its own, the user-data WebSocket and market streams. Tests script it per request
/// and read what it received; it never touches the internet.
/// </summary>
public sealed class FakeBinance : IAsyncDisposable
{
    public const string ApiKey = "fake-api-key-0123456789abcdefXYZW";
    public const string ApiSecret = "fake-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

    private readonly WebApplication _app;
    private readonly Func<DateTimeOffset> _clock;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<RecordedRequest, Func<FakeResponse>, FakeResponse>>> _scripts = new();
    private readonly List<(Func<RecordedRequest, bool> Match, TaskCompletionSource<RecordedRequest> Tcs)> _requestWaiters = [];
    private readonly List<(int Count, TaskCompletionSource Tcs)> _connectionWaiters = [];
    private readonly List<(int Count, TaskCompletionSource Tcs)> _marketWaiters = [];
    private int _marketConnections;
    private readonly ConcurrentDictionary<WebSocket, TaskCompletionSource> _userSockets = new();
    private readonly ConcurrentDictionary<WebSocket, TaskCompletionSource> _marketSockets = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _venueGate = new(1, 1);
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly List<string> _outbox = [];
    private long _nextOrderId = 1000;
    private long _nextTradeId = 5000;
    private int _listenKeySeq;
    private int _userConnections;

    private FakeBinance(WebApplication app, Func<DateTimeOffset> clock)
    {
        _app = app;
        _clock = clock;
    }

    public Uri RestBaseUrl { get; private set; } = null!;

    public Uri StreamBaseUrl { get; private set; } = null!;

    public ConcurrentDictionary<string, FakeOrder> Orders { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<FakeTrade> Trades { get; } = new();

    /// <summary>Net positions by symbol, moved by every fill; <c>positionRisk</c> answers from here.</summary>
    public ConcurrentDictionary<string, FakePosition> Positions { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// When true the fake tells the user stream what the venue would: <c>NEW</c> on placement, <c>CANCELED</c> on cancel,
    /// <c>AMENDMENT</c> on modify and <c>TRADE</c> on every match, each pushed before the REST answer is written, and
    /// requests are handled one at a time so the stream's order is the venue's order. Off by default: most tests script
    /// the stream themselves.
    /// </summary>
    public bool PushOrderUpdates { get; set; }

    /// <summary>Added to the shared clock to make the venue's clock differ from the client's.</summary>
    public long ClockSkewMilliseconds { get; set; }

    /// <summary>Reported in <c>X-MBX-USED-WEIGHT-1M</c>.</summary>
    public int UsedWeight { get; set; } = 10;

    public string? ListenKey { get; private set; }

    public bool ListenKeyValid { get; set; }

    public int UserConnections => Volatile.Read(ref _userConnections);

    public IReadOnlyList<string> UserConnectionKeys => _userConnectionKeys;

    private readonly List<string> _userConnectionKeys = [];

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeBinance> StartAsync(Func<DateTimeOffset> clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeBinance(app, clock);
        app.UseWebSockets();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        fake.RestBaseUrl = new Uri($"http://127.0.0.1:{uri.Port}");
        fake.StreamBaseUrl = new Uri($"ws://127.0.0.1:{uri.Port}");
        return fake;
    }

    public long ServerTimeMs => _clock().ToUnixTimeMilliseconds() + ClockSkewMilliseconds;

    /// <summary>Scripts the next request to <paramref name="method"/> <paramref name="path"/>; the handler may call the default behaviour.</summary>
    public void Once(string method, string path, Func<RecordedRequest, Func<FakeResponse>, FakeResponse> handler)
        => _scripts.GetOrAdd(method + " " + path, _ => new()).Enqueue(handler);

    public void Once(string method, string path, FakeResponse response) => Once(method, path, (_, _) => response);

    public int Count(string method, string path) => _requests.Count(r => r.Method == method && r.Path == path);

    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match)
    {
        lock (_gate)
        {
            var existing = _requests.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var tcs = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requestWaiters.Add((match, tcs));
            return tcs.Task;
        }
    }

    public Task WaitForUserConnectionsAsync(int count)
    {
        lock (_gate)
        {
            if (_userConnections >= count)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connectionWaiters.Add((count, tcs));
            return tcs.Task;
        }
    }

    public Task WaitForMarketConnectionsAsync(int count)
    {
        lock (_gate)
        {
            if (_marketConnections >= count)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _marketWaiters.Add((count, tcs));
            return tcs.Task;
        }
    }

    public IReadOnlyList<string> MarketPaths => _marketPaths;

    private readonly List<string> _marketPaths = [];

    public async Task SendUserEventAsync(string json)
    {
        // A WebSocket takes one send at a time; the venue's pushes and a test's own may overlap.
        await _sendGate.WaitAsync();
        try
        {
            foreach (var socket in _userSockets.Keys)
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// The market trades at <paramref name="price"/>: open orders of <paramref name="symbol"/> that the price reaches fill,
    /// oldest first, at most <paramref name="liquidity"/> per side, at <paramref name="price"/>. Market orders rest until
    /// this is called (the fake has no book of its own). With <see cref="PushOrderUpdates"/> each fill is pushed as an
    /// <c>ORDER_TRADE_UPDATE</c> before this returns.
    /// </summary>
    public async Task TradeAsync(string symbol, decimal price, decimal liquidity)
    {
        await _venueGate.WaitAsync();
        try
        {
            var buyLeft = liquidity;
            var sellLeft = liquidity;
            var working = Orders.Values
                .Where(o => !o.IsAlgo && o.Symbol == symbol && o.Status is "NEW" or "PARTIALLY_FILLED")
                .OrderBy(o => o.OrderId)
                .ToList();
            foreach (var order in working)
            {
                var isBuy = order.Side == "BUY";
                var marketable = order.Type == "MARKET" || (isBuy ? order.Price >= price : order.Price <= price);
                var left = isBuy ? buyLeft : sellLeft;
                var qty = Math.Min(order.Quantity - order.Executed, left);
                if (!marketable || qty <= 0m)
                {
                    continue;
                }

                if (isBuy)
                {
                    buyLeft -= qty;
                }
                else
                {
                    sellLeft -= qty;
                }

                var trade = Fill(order, qty, price);
                Push(TradeUpdate(order, trade));
            }

            await FlushOutboxAsync();
        }
        finally
        {
            _venueGate.Release();
        }
    }

    /// <summary>
    /// A user-stream event that maps to a venue event and nothing else (an <c>ACCOUNT_UPDATE</c> whose reason is
    /// <paramref name="marker"/>): sent after other events, its arrival proves they have all been read.
    /// </summary>
    public string MarkerEvent(string marker) => $$$"""
        {"e":"ACCOUNT_UPDATE","E":{{{ServerTimeMs}}},"T":{{{ServerTimeMs}}},"a":{"m":"{{{marker}}}","B":[{"a":"MARKER","wb":"0","cw":"0","bc":"0"}],"P":[]}}
        """;

    private void Push(string json)
    {
        if (PushOrderUpdates)
        {
            _outbox.Add(json);
        }
    }

    private async Task FlushOutboxAsync()
    {
        var pending = _outbox.ToArray();
        _outbox.Clear();
        foreach (var json in pending)
        {
            await SendUserEventAsync(json);
        }
    }

    public async Task SendMarketAsync(string json)
    {
        foreach (var socket in _marketSockets.Keys)
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
    }

    /// <summary>Cuts every user-data connection open at the time of the call, abruptly, as a network failure would.</summary>
    /// <remarks>
    /// The snapshot matters: enumerating the live dictionary can also reach the connection the adapter opens in reaction
    /// to the first abort, and killing that one too makes the adapter back off on its (frozen) fake clock, so it never
    /// reconnects and whatever the test sends afterwards is lost.
    /// </remarks>
    public void DropUserConnections()
    {
        foreach (var (socket, done) in _userSockets.ToArray())
        {
            socket.Abort();
            done.TrySetResult();
        }
    }

    /// <summary>Creates an order as if placed earlier (for queries, fills and gap tests).</summary>
    public FakeOrder AddOrder(string clientOrderId, string symbol = "BTCUSDT", string side = "BUY", decimal qty = 1m, decimal price = 50000m, string type = "LIMIT")
    {
        var order = new FakeOrder
        {
            OrderId = Interlocked.Increment(ref _nextOrderId),
            ClientOrderId = clientOrderId,
            Symbol = symbol,
            Side = side,
            Type = type,
            Quantity = qty,
            Price = price,
            UpdateTime = ServerTimeMs,
        };
        Orders[clientOrderId] = order;
        return order;
    }

    /// <summary>Fills part of an order at the venue (without telling the stream) and returns the trade.</summary>
    public FakeTrade Fill(FakeOrder order, decimal qty, decimal price)
    {
        order.Executed += qty;
        order.ExecutedQuote += qty * price;
        order.Status = order.Executed >= order.Quantity ? "FILLED" : "PARTIALLY_FILLED";
        order.UpdateTime = ServerTimeMs;
        MovePosition(order.Symbol, order.Side == "BUY" ? qty : -qty, price);
        var trade = new FakeTrade(Interlocked.Increment(ref _nextTradeId), order.OrderId, order.Symbol, order.Side, qty, price, 0.01m, ServerTimeMs);
        Trades.Enqueue(trade);
        return trade;
    }

    private void MovePosition(string symbol, decimal signedQty, decimal price)
    {
        var position = Positions.GetOrAdd(symbol, _ => new FakePosition());
        lock (position)
        {
            var before = position.Quantity;
            var after = before + signedQty;
            if (after == 0m)
            {
                position.EntryPrice = 0m;
            }
            else if (before == 0m || Math.Sign(before) != Math.Sign(after))
            {
                position.EntryPrice = price; // opened, or flipped through zero
            }
            else if (Math.Abs(after) > Math.Abs(before))
            {
                position.EntryPrice = ((position.EntryPrice * Math.Abs(before)) + (price * Math.Abs(signedQty))) / Math.Abs(after);
            }

            position.Quantity = after;
        }
    }

    /// <summary>An <c>ORDER_TRADE_UPDATE</c> without a trade (NEW, CANCELED, EXPIRED, AMENDMENT) for the order as it is now.</summary>
    public string OrderUpdate(FakeOrder order, string executionType)
    {
        string N(decimal d) => "\"" + d.ToString(CultureInfo.InvariantCulture) + "\"";
        return $$"""
            {"e":"ORDER_TRADE_UPDATE","E":{{ServerTimeMs}},"T":{{ServerTimeMs}},"o":{"s":"{{order.Symbol}}","c":"{{order.ClientOrderId}}","S":"{{order.Side}}","o":"{{order.Type}}","f":"GTC","q":{{N(order.Quantity)}},"p":{{N(order.Price)}},"ap":{{N(order.AveragePrice)}},"sp":"0","x":"{{executionType}}","X":"{{order.Status}}","i":{{order.OrderId}},"l":"0","z":{{N(order.Executed)}},"L":"0","N":"USDT","n":"0","T":{{ServerTimeMs}},"t":0,"b":"0","a":"0","m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"{{order.Type}}","ps":"BOTH","cp":false,"rp":"0","pP":false,"si":0,"ss":0,"V":"NONE","pm":"NONE","gtd":0} }
            """;
    }

    /// <summary>The <c>ORDER_TRADE_UPDATE</c> the venue would push for a trade.</summary>
    public string TradeUpdate(FakeOrder order, FakeTrade trade, bool numbersAsStrings = true)
    {
        string N(decimal d) => numbersAsStrings ? $"\"{d.ToString(CultureInfo.InvariantCulture)}\"" : d.ToString(CultureInfo.InvariantCulture);
        return $$"""
            {"e":"ORDER_TRADE_UPDATE","E":{{ServerTimeMs}},"T":{{trade.Time}},"o":{"s":"{{order.Symbol}}","c":"{{order.ClientOrderId}}","S":"{{order.Side}}","o":"{{order.Type}}","f":"GTC","q":{{N(order.Quantity)}},"p":{{N(order.Price)}},"ap":{{N(trade.Price)}},"sp":"0","x":"TRADE","X":"{{order.Status}}","i":{{order.OrderId}},"l":{{N(trade.Qty)}},"z":{{N(order.Executed)}},"L":{{N(trade.Price)}},"N":"USDT","n":{{N(trade.Commission)}},"T":{{trade.Time}},"t":{{trade.Id}},"b":"0","a":"0","m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"{{order.Type}}","ps":"BOTH","cp":false,"rp":"0","pP":false,"si":0,"ss":0,"V":"NONE","pm":"NONE","gtd":0} }
            """;
    }

    public string NewUpdate(FakeOrder order) => OrderUpdate(order, "NEW");

    public async ValueTask DisposeAsync()
    {
        foreach (var (socket, done) in _userSockets.Concat(_marketSockets))
        {
            socket.Abort();
            done.TrySetResult();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _venueGate.Dispose();
        _sendGate.Dispose();
    }

    private static object OrderJson(FakeOrder o) => new
    {
        orderId = o.OrderId,
        symbol = o.Symbol,
        status = o.Status,
        clientOrderId = o.ClientOrderId,
        price = o.Price.ToString(CultureInfo.InvariantCulture),
        avgPrice = o.AveragePrice.ToString(CultureInfo.InvariantCulture),
        origQty = o.Quantity.ToString(CultureInfo.InvariantCulture),
        executedQty = o.Executed.ToString(CultureInfo.InvariantCulture),
        type = o.Type,
        side = o.Side,
        stopPrice = "0",
        positionSide = "BOTH",
        updateTime = o.UpdateTime,
    };

    private static object AlgoJson(FakeOrder o) => new
    {
        algoId = o.OrderId,
        clientAlgoId = o.ClientOrderId,
        algoType = "CONDITIONAL",
        orderType = o.Type,
        symbol = o.Symbol,
        side = o.Side,
        quantity = o.Quantity.ToString(CultureInfo.InvariantCulture),
        algoStatus = o.Status,
        triggerPrice = o.TriggerPrice.ToString(CultureInfo.InvariantCulture),
        price = o.Price.ToString(CultureInfo.InvariantCulture),
        updateTime = o.UpdateTime,
    };

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (ctx.WebSockets.IsWebSocketRequest)
        {
            await HandleWebSocketAsync(ctx, path);
            return;
        }

        var raw = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value![1..] : string.Empty;
        var query = ctx.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        bool? signatureValid = null;
        var sigIndex = raw.IndexOf("&signature=", StringComparison.Ordinal);
        if (sigIndex >= 0)
        {
            var payload = raw[..sigIndex];
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ApiSecret), Encoding.UTF8.GetBytes(payload)));
            signatureValid = expected == raw[(sigIndex + "&signature=".Length)..];
        }

        var recorded = new RecordedRequest(ctx.Request.Method, path, query, raw,
            ctx.Request.Headers.TryGetValue("X-MBX-APIKEY", out var key) ? key.ToString() : null, signatureValid);
        Record(recorded);

        FakeResponse response;
        var serialise = PushOrderUpdates;
        if (serialise)
        {
            await _venueGate.WaitAsync();
        }

        try
        {
            if (_scripts.TryGetValue(ctx.Request.Method + " " + path, out var queue) && queue.TryDequeue(out var script))
            {
                response = script(recorded, () => Default(recorded));
            }
            else
            {
                response = Default(recorded);
            }

            // The venue's stream reports a change no later than the REST answer does.
            await FlushOutboxAsync();
        }
        finally
        {
            if (serialise)
            {
                _venueGate.Release();
            }
        }

        ctx.Response.StatusCode = response.Status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers["X-MBX-USED-WEIGHT-1M"] = UsedWeight.ToString(CultureInfo.InvariantCulture);
        if (response.Headers is not null)
        {
            foreach (var (name, value) in response.Headers)
            {
                ctx.Response.Headers[name] = value;
            }
        }

        await ctx.Response.WriteAsync(response.Body);
    }

    private void Record(RecordedRequest recorded)
    {
        List<TaskCompletionSource<RecordedRequest>> fire = [];
        lock (_gate)
        {
            _requests.Enqueue(recorded);
            for (var i = _requestWaiters.Count - 1; i >= 0; i--)
            {
                if (_requestWaiters[i].Match(recorded))
                {
                    fire.Add(_requestWaiters[i].Tcs);
                    _requestWaiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in fire)
        {
            tcs.TrySetResult(recorded);
        }
    }

    private FakeResponse Default(RecordedRequest r)
    {
        if (r.SignatureValid == false)
        {
            return FakeResponse.Error(400, -1022, "Signature for this request is not valid.");
        }

        if (r.Query.ContainsKey("signature") && r.ApiKey != ApiKey)
        {
            return FakeResponse.Error(401, -2015, "Invalid API-key, IP, or permissions for action.");
        }

        if (r.Query.TryGetValue("timestamp", out var ts))
        {
            var t = long.Parse(ts, CultureInfo.InvariantCulture);
            var recv = r.Query.TryGetValue("recvWindow", out var rw) ? long.Parse(rw, CultureInfo.InvariantCulture) : 5000;
            var server = ServerTimeMs;
            if (t >= server + 1000 || server - t > recv)
            {
                return FakeResponse.Error(400, -1021, "Timestamp for this request is outside of the recvWindow.");
            }
        }

        switch (r.Method, r.Path)
        {
            case ("GET", "/fapi/v1/time"):
                return FakeResponse.Json(new { serverTime = ServerTimeMs });
            case ("GET", "/fapi/v1/exchangeInfo"):
                return new FakeResponse(200, """
                    {"timezone":"UTC","symbols":[{"symbol":"BTCUSDT","status":"TRADING","quoteAsset":"USDT","pricePrecision":2,"quantityPrecision":3,
                    "filters":[{"filterType":"PRICE_FILTER","minPrice":"556.80","maxPrice":"4529764","tickSize":"0.10"},
                    {"filterType":"LOT_SIZE","stepSize":"0.001","maxQty":"1000","minQty":"0.001"},
                    {"filterType":"MARKET_LOT_SIZE","stepSize":"0.001","maxQty":"120","minQty":"0.001"},
                    {"filterType":"MAX_NUM_ORDERS","limit":200},{"filterType":"MIN_NOTIONAL","notional":"5"},
                    {"filterType":"PERCENT_PRICE","multiplierUp":"1.0500","multiplierDown":"0.9500","multiplierDecimal":"4"}]}]}
                    """);
            case ("POST", "/fapi/v1/listenKey"):
                if (ListenKey is null || !ListenKeyValid)
                {
                    ListenKey = "listen-key-" + Interlocked.Increment(ref _listenKeySeq).ToString(CultureInfo.InvariantCulture);
                    ListenKeyValid = true;
                }

                return FakeResponse.Json(new { listenKey = ListenKey });
            case ("PUT", "/fapi/v1/listenKey"):
                return ListenKeyValid ? FakeResponse.Json(new { listenKey = ListenKey }) : FakeResponse.Error(400, -1125, "This listenKey does not exist.");
            case ("POST", "/fapi/v1/order"):
                return PlaceOrder(r, algo: false);
            case ("POST", "/fapi/v1/algoOrder"):
                return PlaceOrder(r, algo: true);
            case ("GET", "/fapi/v1/order"):
                {
                    var order = Find(r, algo: false);
                    return order is null ? FakeResponse.Error(400, -2013, "Order does not exist.") : FakeResponse.Json(OrderJson(order));
                }

            case ("GET", "/fapi/v1/algoOrder"):
                {
                    var order = Find(r, algo: true);
                    return order is null ? FakeResponse.Error(400, -2013, "Order does not exist.") : FakeResponse.Json(AlgoJson(order));
                }

            case ("DELETE", "/fapi/v1/order"):
            case ("DELETE", "/fapi/v1/algoOrder"):
                {
                    var order = Find(r, algo: r.Path.EndsWith("algoOrder", StringComparison.Ordinal));
                    if (order is null)
                    {
                        return FakeResponse.Error(400, -2013, "Order does not exist.");
                    }

                    if (order.Status is "FILLED" or "CANCELED" or "EXPIRED")
                    {
                        return FakeResponse.Error(400, -2011, "Unknown order sent.");
                    }

                    order.Status = "CANCELED";
                    order.UpdateTime = ServerTimeMs;
                    if (!order.IsAlgo)
                    {
                        Push(OrderUpdate(order, "CANCELED"));
                    }

                    return FakeResponse.Json(order.IsAlgo ? AlgoJson(order) : OrderJson(order));
                }

            case ("PUT", "/fapi/v1/order"):
                {
                    var order = Find(r, algo: false);
                    if (order is null)
                    {
                        return FakeResponse.Error(400, -2013, "Order does not exist.");
                    }

                    if (order.Status is not ("NEW" or "PARTIALLY_FILLED"))
                    {
                        return FakeResponse.Error(400, -2013, "Order does not exist.");
                    }

                    order.Quantity = decimal.Parse(r["quantity"]!, CultureInfo.InvariantCulture);
                    order.Price = decimal.Parse(r["price"]!, CultureInfo.InvariantCulture);
                    order.UpdateTime = ServerTimeMs;
                    Push(OrderUpdate(order, "AMENDMENT"));
                    return FakeResponse.Json(OrderJson(order));
                }

            case ("GET", "/fapi/v1/openOrders"):
                return FakeResponse.Json(Orders.Values.Where(o => !o.IsAlgo && o.Status is "NEW" or "PARTIALLY_FILLED")
                    .Where(o => r["symbol"] is null || o.Symbol == r["symbol"]).Select(OrderJson).ToArray());
            case ("GET", "/fapi/v1/openAlgoOrders"):
                return FakeResponse.Json(Orders.Values.Where(o => o.IsAlgo && o.Status == "NEW").Select(AlgoJson).ToArray());
            case ("GET", "/fapi/v1/userTrades"):
                {
                    // As Binance: fromId excludes times; startTime alone means [startTime, startTime + 7 days];
                    // neither means the last 7 days; at most `limit` (default 500, max 1000) trades, oldest first.
                    const long Week = 7L * 24 * 60 * 60 * 1000;
                    var fromId = r["fromId"] is { } f ? long.Parse(f, CultureInfo.InvariantCulture) : (long?)null;
                    if (fromId is not null && (r["startTime"] is not null || r["endTime"] is not null))
                    {
                        return FakeResponse.Error(400, -1128, "Combination of optional parameters invalid.");
                    }

                    long? start = r["startTime"] is { } s ? long.Parse(s, CultureInfo.InvariantCulture) : null;
                    long? end = r["endTime"] is { } e ? long.Parse(e, CultureInfo.InvariantCulture) : null;
                    if (start is not null && end is not null && end - start > Week)
                    {
                        return FakeResponse.Error(400, -1127, "More than 7 days between startTime and endTime.");
                    }

                    var limit = r["limit"] is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : 500;
                    var from = fromId is null ? start ?? (end ?? ServerTimeMs) - Week : long.MinValue;
                    var to = fromId is null ? end ?? (start is null ? ServerTimeMs : start + Week) : long.MaxValue;
                    var list = Trades.Where(t => t.Symbol == r["symbol"] && t.Time >= from && t.Time <= to && t.Id >= (fromId ?? long.MinValue))
                        .OrderBy(t => t.Id).Take(Math.Min(limit, 1000)).Select(t => new
                    {
                        symbol = t.Symbol,
                        id = t.Id,
                        orderId = t.OrderId,
                        side = t.Side,
                        price = t.Price.ToString(CultureInfo.InvariantCulture),
                        qty = t.Qty.ToString(CultureInfo.InvariantCulture),
                        commission = t.Commission.ToString(CultureInfo.InvariantCulture),
                        commissionAsset = "USDT",
                        time = t.Time,
                        positionSide = "BOTH",
                        maker = false,
                        buyer = t.Side == "BUY",
                    }).ToArray();
                    return FakeResponse.Json(list);
                }

            case ("GET", "/fapi/v3/positionRisk"):
                return FakeResponse.Json(Positions.Where(p => r["symbol"] is null || p.Key == r["symbol"]).Select(p => new
                {
                    symbol = p.Key,
                    positionSide = "BOTH",
                    positionAmt = p.Value.Quantity.ToString(CultureInfo.InvariantCulture),
                    entryPrice = p.Value.EntryPrice.ToString(CultureInfo.InvariantCulture),
                    unRealizedProfit = p.Value.UnrealizedProfit.ToString(CultureInfo.InvariantCulture),
                }).ToArray());
            case ("GET", "/fapi/v3/balance"):
                return new FakeResponse(200, """[{"asset":"USDT","balance":"1000.5","availableBalance":800}]""");
            default:
                return FakeResponse.Error(404, -1100, "Unknown endpoint " + r.Path);
        }
    }

    private FakeOrder? Find(RecordedRequest r, bool algo)
    {
        if (algo && r["clientAlgoId"] is { } caid)
        {
            return Orders.TryGetValue(caid, out var a) && a.IsAlgo ? a : null;
        }

        if (r["origClientOrderId"] is { } cid)
        {
            return Orders.TryGetValue(cid, out var o) && o.IsAlgo == algo ? o : null;
        }

        if (r["orderId"] is { } oid)
        {
            return Orders.Values.FirstOrDefault(o => o.OrderId.ToString(CultureInfo.InvariantCulture) == oid && o.IsAlgo == algo);
        }

        return null;
    }

    private FakeResponse PlaceOrder(RecordedRequest r, bool algo)
    {
        var clientId = algo ? r["clientAlgoId"]! : r["newClientOrderId"]!;
        if (Orders.TryGetValue(clientId, out var existing) && existing.Status is "NEW" or "PARTIALLY_FILLED")
        {
            return FakeResponse.Error(400, -4116, "ClientOrderId is duplicated.");
        }

        var order = new FakeOrder
        {
            OrderId = Interlocked.Increment(ref _nextOrderId),
            ClientOrderId = clientId,
            Symbol = r["symbol"]!,
            Side = r["side"]!,
            Type = r["type"]!,
            IsAlgo = algo,
            Quantity = decimal.Parse(r["quantity"]!, CultureInfo.InvariantCulture),
            Price = r["price"] is { } p ? decimal.Parse(p, CultureInfo.InvariantCulture) : 0m,
            TriggerPrice = r["triggerPrice"] is { } tp ? decimal.Parse(tp, CultureInfo.InvariantCulture) : 0m,
            UpdateTime = ServerTimeMs,
        };
        Orders[clientId] = order;
        if (!algo)
        {
            Push(OrderUpdate(order, "NEW"));
        }

        return FakeResponse.Json(algo ? AlgoJson(order) : OrderJson(order));
    }

    private async Task HandleWebSocketAsync(HttpContext ctx, string path)
    {
        var isUser = path.StartsWith("/private/ws", StringComparison.Ordinal);
        if (isUser && (ctx.Request.Query["listenKey"].ToString() != ListenKey || !ListenKeyValid))
        {
            ctx.Response.StatusCode = 400;
            return;
        }

        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sockets = isUser ? _userSockets : _marketSockets;
        sockets[socket] = done;
        List<TaskCompletionSource> fire = [];
        lock (_gate)
        {
            var waiters = isUser ? _connectionWaiters : _marketWaiters;
            int n;
            if (isUser)
            {
                _userConnectionKeys.Add(ListenKey!);
                n = Interlocked.Increment(ref _userConnections);
            }
            else
            {
                _marketPaths.Add(path + ctx.Request.QueryString.Value);
                n = Interlocked.Increment(ref _marketConnections);
            }

            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (waiters[i].Count <= n)
                {
                    fire.Add(waiters[i].Tcs);
                    waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in fire)
        {
            tcs.TrySetResult();
        }

        var buffer = new byte[4096];
        try
        {
            var receive = Task.Run(async () =>
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, ctx.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            });
            await Task.WhenAny(receive, done.Task, Task.Delay(Timeout.Infinite, ctx.RequestAborted));
        }
        catch (Exception)
        {
            // The connection ended either way.
        }
        finally
        {
            sockets.TryRemove(socket, out _);
        }

        if (socket.State == WebSocketState.Open)
        {
            socket.Abort();
        }
    }

    internal static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
