using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Events;
using TradingKit.Binance.Json;
using TradingKit.Binance.Rest;
using TradingKit.Binance.Streams;
using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Instruments;
using TradingKit.Orders;

namespace TradingKit.Binance;

/// <summary>
/// The broker port for Binance USDⓈ-M futures: signed REST for orders and queries, the user-data stream for
/// execution reports, REST polling after every reconnect so no fill is missed and none is reported twice.
/// </summary>
/// <remarks>
/// <para><b>Idempotency.</b> <c>newClientOrderId</c> is TradingKit's <see cref="ClientOrderId"/> unchanged. Binance
/// enforces it only among open orders, so after an unknown outcome (timeout, HTTP 503 "Unknown error", -1006,
/// -1007, 408) the adapter queries by <c>origClientOrderId</c> and resends only when the venue provably does not
/// have the order; a -4116 (duplicate) on that resend means the original exists and is fetched.</para>
/// <para><b>Response type.</b> Orders are sent with <c>newOrderRespType=ACK</c>. A <c>RESULT</c> answer carries no
/// trade ids, so it could never be the source of fills (fills need a dedup key); it only delays the answer.
/// Fills come from <c>ORDER_TRADE_UPDATE</c> and, after gaps, from <c>userTrades</c>, both keyed by trade id.</para>
/// <para><b>Conditional orders</b> (stop, take-profit, trailing) go to the algo-order endpoints; their client id is
/// sent as <c>clientAlgoId</c> and the triggered order's fills are reported under it.</para>
/// </remarks>
public sealed partial class BinanceUsdmBroker : IBrokerAdapter, IAsyncDisposable
{
    private const int UserTradesPageSize = 1000;
    private static readonly TimeSpan UserTradesWindow = TimeSpan.FromDays(7);

    private readonly BinanceUsdmOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BinanceRestClient _rest;
    private readonly OrderRegistry _registry = new();
    private readonly Channel<VenueEvent> _events = Channel.CreateUnbounded<VenueEvent>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Dictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _gapFillLock = new(1, 1);
    private readonly TaskCompletionSource _firstConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<VenueEvent> _publish;
    private BinanceUserDataStream? _userStream;
    private int _disposed;

    /// <summary>Creates the adapter (DI constructor).</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Logging; nothing is logged when null.</param>
    public BinanceUsdmBroker(IOptions<BinanceUsdmOptions> options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), timeProvider, loggerFactory, httpHandler: null)
    {
    }

    /// <summary>Creates the adapter.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Logging; nothing is logged when null.</param>
    /// <param name="httpHandler">An HTTP handler to use (proxies, tests); a default one when null. Not disposed by the adapter.</param>
    /// <exception cref="TradingKitException">The options are invalid (<c>INVALID_OPTIONS</c>).</exception>
    public BinanceUsdmBroker(BinanceUsdmOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, HttpMessageHandler? httpHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<BinanceUsdmBroker>();
        _rest = new BinanceRestClient(options, httpHandler, _time, _logger);
        _rest.Tracker.AlertRaised += OnAlert;
        _publish = Publish;
        foreach (var symbol in options.Symbols)
        {
            _registry.AddSymbol(symbol);
        }

        LogCreated(_logger, options.ToString());
    }

    /// <summary>Raised for operational alerts; a ban (HTTP 418) is <see cref="BinanceAlertSeverity.Critical"/>.</summary>
    public event Action<BinanceAlert>? AlertRaised;

    /// <inheritdoc />
    public string VenueName => "binance-usdm";

    /// <inheritdoc />
    public ChannelReader<VenueEvent> Events => _events.Reader;

    /// <summary>What the venue reported about its rate limits, and the adapter's gate.</summary>
    public BinanceRateLimitTracker RateLimits => _rest.Tracker;

    /// <summary>The user-data stream's connection state.</summary>
    public ConnectionState ConnectionState => _userStream?.State ?? ConnectionState.Disconnected;

    /// <summary>The server clock minus the local clock, in milliseconds, as last measured.</summary>
    public long ServerTimeOffsetMilliseconds => _rest.ServerTimeOffsetMilliseconds;

    /// <inheritdoc />
    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_userStream is null)
            {
                RequireCredentials();
                await _rest.SyncTimeAsync(cancellationToken).ConfigureAwait(false);
                await LoadInstrumentsAsync(cancellationToken).ConfigureAwait(false);
                _userStream = new BinanceUserDataStream(_options, _rest, _time, _logger, OnUserMessage, OnStateChangedAsync, OnConnectedAsync);
                await _userStream.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
        finally
        {
            _connectLock.Release();
        }

        await _firstConnected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads (or reloads) every symbol's trading rules from <c>exchangeInfo</c>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instruments by symbol.</returns>
    /// <exception cref="BrokerException">The venue could not be asked (unreachable, rate limited, banned).</exception>
    public async Task<IReadOnlyDictionary<string, Instrument>> LoadInstrumentsAsync(CancellationToken cancellationToken = default)
    {
        JsonElement info;
        try
        {
            info = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceParameters(), BinanceSecurity.None), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (BinanceApiException ex)
        {
            // The transport's exception is internal: callers of a public method get the port's typed error.
            throw ex.ToBrokerException(mutating: false);
        }

        var parsed = ExchangeInfo.Parse(info);
        lock (_instruments)
        {
            foreach (var (symbol, instrument) in parsed)
            {
                _instruments[symbol] = instrument;
            }

            return new Dictionary<string, Instrument>(_instruments, StringComparer.Ordinal);
        }
    }

    /// <summary>The trading rules of one symbol, loading <c>exchangeInfo</c> when not yet known.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instrument.</returns>
    /// <exception cref="TradingKitException">The venue does not list the symbol (<c>BINANCE_UNKNOWN_SYMBOL</c>).</exception>
    public async Task<Instrument> GetInstrumentAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        lock (_instruments)
        {
            if (_instruments.TryGetValue(symbol.Value, out var known))
            {
                return known;
            }
        }

        var all = await LoadInstrumentsAsync(cancellationToken).ConfigureAwait(false);
        return all.TryGetValue(symbol.Value, out var instrument)
            ? instrument
            : throw new TradingKitException(BinanceErrorCodes.UnknownSymbol, $"Binance exchangeInfo does not list {symbol}.");
    }

    /// <inheritdoc />
    public async ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireCredentials();
        try
        {
            request.Validate();
        }
        catch (TradingKitException ex)
        {
            return SubmitResult.Refused(ex.Code, ex.Message);
        }

        Instrument instrument;
        BinanceRequest venueRequest;
        try
        {
            instrument = await GetInstrumentAsync(request.Symbol, cancellationToken).ConfigureAwait(false);
            venueRequest = OrderMapping.ToVenueRequest(request, instrument, _options.PositionMode, _time.GetUtcNow());
        }
        catch (InstrumentRuleException ex)
        {
            return SubmitResult.Refused(ex.Code, ex.Message);
        }
        catch (TradingKitException ex) when (ex.Code is ErrorCodes.InvalidOrderRequest or BinanceErrorCodes.UnsupportedOrder or BinanceErrorCodes.UnknownSymbol)
        {
            return SubmitResult.Refused(ex.Code, ex.Message);
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }

        var isAlgo = OrderMapping.IsConditional(request.Type);
        var tracked = _registry.Track(new TrackedOrder
        {
            ClientOrderId = request.ClientOrderId,
            Symbol = request.Symbol,
            Side = request.Side,
            IsAlgo = isAlgo,
            Quantity = request.Quantity,
            LimitPrice = request.LimitPrice,
        });

        try
        {
            var answer = await _rest.SendAsync(venueRequest, cancellationToken).ConfigureAwait(false);
            return Accepted(tracked, answer);
        }
        catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.UnknownOutcome)
        {
            LogUnknownOutcome(_logger, request.ClientOrderId.Value, ex.Message);
            return await ResolveUnknownSubmitAsync(request, tracked, venueRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (BinanceApiException ex) when (ex.Code == BinanceErrorClassification.DuplicatedOrder)
        {
            return await FetchOriginalAsync(request, tracked, cancellationToken).ConfigureAwait(false);
        }
        catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.Permanent)
        {
            tracked.Status = OrderStatus.Rejected;
            return SubmitResult.Refused(ex.VenueCode, ex.Message);
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: true);
        }
    }

    /// <inheritdoc />
    public async ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        var isAlgo = _registry.Find(clientOrderId)?.IsAlgo ?? false;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var p = new BinanceParameters().Add("symbol", symbol.Value);
                var request = isAlgo
                    ? new BinanceRequest(HttpMethod.Delete, "/fapi/v1/algoOrder", p.Add("clientAlgoId", clientOrderId.Value), BinanceSecurity.Signed, IsMutating: true)
                    : new BinanceRequest(HttpMethod.Delete, "/fapi/v1/order", p.Add("origClientOrderId", clientOrderId.Value), BinanceSecurity.Signed, IsMutating: true);
                var answer = await _rest.SendAsync(request, cancellationToken).ConfigureAwait(false);
                return SubmitResult.Ok(VenueIdOf(answer));
            }
            catch (BinanceApiException ex) when (ex.Code == BinanceErrorClassification.NoSuchOrder && !isAlgo && attempt == 0)
            {
                // Not a regular order: it may be a conditional order placed before a restart.
                isAlgo = true;
            }
            catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.UnknownOutcome || ex.Code == BinanceErrorClassification.CancelRejected)
            {
                // Cancel rejected or unknown: the order may already be gone. The venue's state decides.
                var state = await QueryOrderAsync(symbol, clientOrderId, cancellationToken).ConfigureAwait(false);
                if (state is null)
                {
                    return SubmitResult.Refused(BinanceErrorClassification.NoSuchOrder.ToString(CultureInfo.InvariantCulture), "Binance has no such order.");
                }

                if (state.Status == OrderStatus.Cancelled)
                {
                    return SubmitResult.Ok(state.VenueOrderId);
                }

                if (IsTerminal(state.Status) || attempt >= 1)
                {
                    return SubmitResult.Refused(ex.VenueCode, $"Cancel not applied: the order is {state.Status}. {ex.Message}");
                }
            }
            catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.Permanent)
            {
                return SubmitResult.Refused(ex.VenueCode, ex.Message);
            }
            catch (BinanceApiException ex)
            {
                throw ex.ToBrokerException(mutating: true);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireCredentials();
        var tracked = _registry.Find(request.ClientOrderId);
        if (tracked?.IsAlgo == true)
        {
            return SubmitResult.Refused(BinanceErrorCodes.UnsupportedOrder, "Binance does not modify conditional (algo) orders: cancel and place a new one.");
        }

        try
        {
            var current = await QueryOrderAsync(request.Symbol, request.ClientOrderId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return SubmitResult.Refused(BinanceErrorClassification.NoSuchOrder.ToString(CultureInfo.InvariantCulture), "Binance has no such order.");
            }

            var instrument = await GetInstrumentAsync(request.Symbol, cancellationToken).ConfigureAwait(false);
            var quantity = instrument.RoundQuantity(request.NewQuantity ?? current.Quantity);
            var price = request.NewLimitPrice ?? current.LimitPrice;
            if (price is null)
            {
                return SubmitResult.Refused(ErrorCodes.InvalidOrderRequest, "Binance modifies limit orders only: the order has no limit price.");
            }

            var p = new BinanceParameters()
                .Add("symbol", request.Symbol.Value)
                .Add("origClientOrderId", request.ClientOrderId.Value)
                .Add("side", current.Side == OrderSide.Buy ? "BUY" : "SELL")
                .Add("quantity", OrderMapping.Format(quantity, instrument.QuantityPrecision))
                .Add("price", OrderMapping.Format(OrderMapping.RoundLimit(instrument, price.Value, current.Side), instrument.PricePrecision));
            var answer = await _rest.SendAsync(new BinanceRequest(HttpMethod.Put, "/fapi/v1/order", p, BinanceSecurity.Signed, IsMutating: true, IsOrder: true),
                cancellationToken).ConfigureAwait(false);
            if (tracked is not null)
            {
                tracked.Quantity = quantity;
                tracked.LimitPrice = price;
            }

            return SubmitResult.Ok(VenueIdOf(answer));
        }
        catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.Permanent)
        {
            return SubmitResult.Refused(ex.VenueCode, ex.Message);
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: true);
        }
    }

    /// <inheritdoc />
    public async ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        var tracked = _registry.Find(clientOrderId);
        try
        {
            if (tracked?.IsAlgo != true)
            {
                var regular = await QueryRegularAsync(symbol, clientOrderId, cancellationToken).ConfigureAwait(false);
                if (regular is not null || tracked is not null)
                {
                    return regular;
                }
            }

            return await QueryAlgoAsync(symbol, clientOrderId, cancellationToken).ConfigureAwait(false);
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        try
        {
            var p = new BinanceParameters().Add("symbol", symbol?.Value);
            var regular = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/openOrders", p, BinanceSecurity.Signed), cancellationToken)
                .ConfigureAwait(false);
            var algo = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/openAlgoOrders", new BinanceParameters().Add("symbol", symbol?.Value),
                BinanceSecurity.Signed), cancellationToken).ConfigureAwait(false);
            var list = new List<VenueOrderState>();
            foreach (var o in Items(regular))
            {
                list.Add(OrderMapping.FromRegular(o));
            }

            foreach (var o in Items(algo))
            {
                list.Add(OrderMapping.FromAlgo(o));
            }

            return list;
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        try
        {
            var answer = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v3/positionRisk", new BinanceParameters(), BinanceSecurity.Signed), cancellationToken)
                .ConfigureAwait(false);
            var list = new List<VenuePosition>();
            foreach (var p in Items(answer))
            {
                var qty = p.Decimal("positionAmt");
                if (qty != 0m)
                {
                    list.Add(new VenuePosition(new Symbol(p.String("symbol")!), qty, p.Decimal("entryPrice"),
                        BinanceUserEventParser.PositionSideOf(p.String("positionSide")), p.DecimalOrNull("unRealizedProfit")));
                }
            }

            return list;
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        try
        {
            var answer = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v3/balance", new BinanceParameters(), BinanceSecurity.Signed), cancellationToken)
                .ConfigureAwait(false);
            return Items(answer).Select(b => new Balance(b.String("asset")!, b.Decimal("balance"), b.Decimal("availableBalance"))).ToList();
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        try
        {
            var symbols = symbol is { } s ? [s.Value] : _registry.Symbols.ToArray();
            var fills = new List<Fill>();
            foreach (var sym in symbols)
            {
                // One order lookup per order, not per trade: an order filled in many pieces is common.
                var clientIds = new Dictionary<long, ClientOrderId>();
                foreach (var trade in await FetchTradesAsync(sym, since, cancellationToken).ConfigureAwait(false))
                {
                    var orderId = trade.Long("orderId");
                    if (!clientIds.TryGetValue(orderId, out var clientId))
                    {
                        clientId = await ClientIdForOrderAsync(sym, orderId, cancellationToken).ConfigureAwait(false);
                        clientIds[orderId] = clientId;
                    }

                    fills.Add(OrderMapping.FillFromTrade(trade, clientId));
                }
            }

            return fills.OrderBy(f => f.Timestamp).ToList();
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
    }

    /// <summary>
    /// Polls open orders and <c>userTrades</c> and reports what the stream missed: fills not yet reported
    /// (merged by trade id, so none twice) and orders that ended while the stream was down. Runs by itself after
    /// every reconnect; a host may also call it periodically (streams are hints, polling converges).
    /// </summary>
    /// <param name="cancellationToken">Cancels the poll.</param>
    /// <returns>The number of reports emitted.</returns>
    public async Task<int> PollAsync(CancellationToken cancellationToken = default)
    {
        RequireCredentials();
        await _gapFillLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var emitted = 0;
            foreach (var symbol in _registry.Symbols.ToArray())
            {
                emitted += await FillGapAsync(symbol, cancellationToken).ConfigureAwait(false);
            }

            emitted += await ReconcileOpenOrdersAsync(cancellationToken).ConfigureAwait(false);
            return emitted;
        }
        catch (BinanceApiException ex)
        {
            throw ex.ToBrokerException(mutating: false);
        }
        finally
        {
            _gapFillLock.Release();
        }
    }

    /// <summary>Stops the streams and releases the HTTP client.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        // A container that created the adapter disposes it too: the second call must be a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_userStream is not null)
        {
            await _userStream.DisposeAsync().ConfigureAwait(false);
        }

        _rest.Tracker.AlertRaised -= OnAlert;
        _rest.Dispose();
        _events.Writer.TryComplete();
        _connectLock.Dispose();
        _gapFillLock.Dispose();
    }

    private static bool IsTerminal(OrderStatus status)
        => status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected or OrderStatus.Expired;

    private static List<JsonElement> Items(JsonElement answer)
    {
        if (answer.ValueKind == JsonValueKind.Array)
        {
            return answer.EnumerateArray().ToList();
        }

        // openAlgoOrders may wrap its list.
        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("orders", out var orders) && orders.ValueKind == JsonValueKind.Array)
        {
            return orders.EnumerateArray().ToList();
        }

        return [];
    }

    private static VenueOrderId? VenueIdOf(JsonElement answer)
    {
        var id = answer.Long("orderId");
        if (id == 0)
        {
            id = answer.Long("algoId");
        }

        return id == 0 ? null : new VenueOrderId(id.ToString(CultureInfo.InvariantCulture));
    }

    private void RequireCredentials()
    {
        if (!_options.HasCredentials)
        {
            throw new TradingKitException(BinanceErrorCodes.CredentialsMissing,
                "Binance trading needs Binance:ApiKey and Binance:ApiSecret; none are configured.");
        }
    }

    private SubmitResult Accepted(TrackedOrder tracked, JsonElement answer)
    {
        var venueId = VenueIdOf(answer);
        if (!tracked.IsAlgo && answer.Long("orderId") is var orderId and > 0)
        {
            _registry.SetOrderId(tracked, orderId);
        }

        if (tracked.Status == OrderStatus.Submitted)
        {
            tracked.Status = OrderStatus.Acknowledged;
        }

        return SubmitResult.Ok(venueId);
    }

    private async Task<SubmitResult> ResolveUnknownSubmitAsync(OrderRequest request, TrackedOrder tracked, BinanceRequest venueRequest, CancellationToken cancellationToken)
    {
        const int MaxResends = 1;
        for (var resends = 0; ; resends++)
        {
            VenueOrderState? existing;
            try
            {
                existing = await QueryOrderAsync(request.Symbol, request.ClientOrderId, cancellationToken).ConfigureAwait(false);
            }
            catch (BrokerException ex)
            {
                throw new BrokerException(BrokerErrorKind.UnknownOutcome,
                    $"Order {request.ClientOrderId}: outcome unknown and the confirming query failed; query again before any resend.", ex.VenueCode, ex.RetryAfter, ex);
            }

            if (existing is not null)
            {
                LogFoundAfterUnknown(_logger, request.ClientOrderId.Value, existing.Status);
                if (existing.VenueOrderId is { } vid && long.TryParse(vid.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var oid) && !tracked.IsAlgo)
                {
                    _registry.SetOrderId(tracked, oid);
                }

                return SubmitResult.Ok(existing.VenueOrderId);
            }

            if (resends >= MaxResends)
            {
                throw new BrokerException(BrokerErrorKind.UnknownOutcome,
                    $"Order {request.ClientOrderId}: outcome still unknown after {resends} resend(s); query before any further resend.", null);
            }

            // The venue provably does not have it: resend with the same client order id.
            LogResend(_logger, request.ClientOrderId.Value);
            try
            {
                var answer = await _rest.SendAsync(venueRequest, cancellationToken).ConfigureAwait(false);
                return Accepted(tracked, answer);
            }
            catch (BinanceApiException ex) when (ex.Code == BinanceErrorClassification.DuplicatedOrder)
            {
                return await FetchOriginalAsync(request, tracked, cancellationToken).ConfigureAwait(false);
            }
            catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.UnknownOutcome)
            {
                LogUnknownOutcome(_logger, request.ClientOrderId.Value, ex.Message);
            }
            catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.Permanent)
            {
                tracked.Status = OrderStatus.Rejected;
                return SubmitResult.Refused(ex.VenueCode, ex.Message);
            }
            catch (BinanceApiException ex)
            {
                throw ex.ToBrokerException(mutating: true);
            }
        }
    }

    private async Task<SubmitResult> FetchOriginalAsync(OrderRequest request, TrackedOrder tracked, CancellationToken cancellationToken)
    {
        // -4116: the id is taken by an open order, which is this order's earlier send.
        var original = await QueryOrderAsync(request.Symbol, request.ClientOrderId, cancellationToken).ConfigureAwait(false);
        if (original is null)
        {
            throw new BrokerException(BrokerErrorKind.UnknownOutcome,
                $"Order {request.ClientOrderId}: Binance reports a duplicate (-4116) but the original was not found; query again.", "-4116");
        }

        if (!tracked.IsAlgo && original.VenueOrderId is { } vid && long.TryParse(vid.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var oid))
        {
            _registry.SetOrderId(tracked, oid);
        }

        return SubmitResult.Ok(original.VenueOrderId);
    }

    private async Task<VenueOrderState?> QueryRegularAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken)
    {
        try
        {
            var p = new BinanceParameters().Add("symbol", symbol.Value).Add("origClientOrderId", clientOrderId.Value);
            var answer = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/order", p, BinanceSecurity.Signed), cancellationToken).ConfigureAwait(false);
            return OrderMapping.FromRegular(answer);
        }
        catch (BinanceApiException ex) when (ex.Code == BinanceErrorClassification.NoSuchOrder)
        {
            return null;
        }
    }

    private async Task<VenueOrderState?> QueryAlgoAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken)
    {
        try
        {
            var p = new BinanceParameters().Add("clientAlgoId", clientOrderId.Value);
            var answer = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/algoOrder", p, BinanceSecurity.Signed), cancellationToken).ConfigureAwait(false);
            return answer.Long("algoId") == 0 ? null : OrderMapping.FromAlgo(answer) with { Symbol = symbol };
        }
        catch (BinanceApiException ex) when (ex.ErrorClass == BinanceErrorClass.Permanent && ex.HttpStatus is >= 400 and < 500)
        {
            return null;
        }
    }

    private async Task<List<JsonElement>> FetchTradesAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Binance answers a startTime with [startTime, startTime + 7 days] only: an older start would return that old week
        // and miss the recent fills, so the start is clamped to the last 7 days (minus a minute of clock skew margin).
        var earliest = _time.GetUtcNow() - UserTradesWindow + TimeSpan.FromMinutes(1);
        if (since < earliest)
        {
            since = earliest;
        }

        var p = new BinanceParameters().Add("symbol", symbol).Add("startTime", since.ToUnixTimeMilliseconds()).Add("limit", (long)UserTradesPageSize);
        var page = Items(await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/userTrades", p, BinanceSecurity.Signed), cancellationToken)
            .ConfigureAwait(false));
        var trades = new List<JsonElement>(page);

        // A full page means more: continue from the next trade id (fromId excludes time parameters).
        while (page.Count >= UserTradesPageSize)
        {
            var next = page.Max(t => t.Long("id")) + 1;
            p = new BinanceParameters().Add("symbol", symbol).Add("fromId", next).Add("limit", (long)UserTradesPageSize);
            page = Items(await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/userTrades", p, BinanceSecurity.Signed), cancellationToken)
                .ConfigureAwait(false));
            trades.AddRange(page);
        }

        return trades.OrderBy(t => t.Long("id")).ToList();
    }

    private async Task<ClientOrderId> ClientIdForOrderAsync(string symbol, long orderId, CancellationToken cancellationToken)
    {
        if (_registry.AlgoFor(orderId) is { } algo)
        {
            return algo;
        }

        if (_registry.FindByOrderId(orderId) is { } tracked)
        {
            return tracked.ClientOrderId;
        }

        var order = await QueryByOrderIdAsync(symbol, orderId, cancellationToken).ConfigureAwait(false);
        return BinanceUserEventParser.ToClientOrderId(order.String("clientOrderId"), orderId);
    }

    private Task<JsonElement> QueryByOrderIdAsync(string symbol, long orderId, CancellationToken cancellationToken)
        => _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/order", new BinanceParameters().Add("symbol", symbol).Add("orderId", orderId),
            BinanceSecurity.Signed), cancellationToken);

    private async Task<int> FillGapAsync(string symbol, CancellationToken cancellationToken)
    {
        var since = (_registry.LastFillTime(symbol) ?? _time.GetUtcNow() - _options.GapFillLookback) - TimeSpan.FromSeconds(1);
        var trades = await FetchTradesAsync(symbol, since, cancellationToken).ConfigureAwait(false);
        var fresh = trades.Where(t => !_registry.HasSeen(BinanceUserEventParser.TradeKey(symbol, t.Long("id")))).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        var emitted = 0;
        foreach (var byOrder in fresh.GroupBy(t => t.Long("orderId")))
        {
            var orderId = byOrder.Key;
            var order = await QueryByOrderIdAsync(symbol, orderId, cancellationToken).ConfigureAwait(false);
            var clientId = _registry.AlgoFor(orderId) ?? _registry.FindByOrderId(orderId)?.ClientOrderId
                ?? BinanceUserEventParser.ToClientOrderId(order.String("clientOrderId"), orderId);
            var rawClientId = order.String("clientOrderId");
            var executed = order.Decimal("executedQty");
            var orderQty = order.Decimal("origQty");
            var orderTrades = byOrder.OrderBy(t => t.Long("id")).ToList();
            var allOrderTrades = trades.Where(t => t.Long("orderId") == orderId).ToList();
            foreach (var trade in orderTrades)
            {
                var tradeId = trade.Long("id");
                var fill = OrderMapping.FillFromTrade(trade, clientId);
                if (!_registry.TryMarkTrade(fill.TradeId.Value, symbol, fill.Timestamp))
                {
                    continue; // the stream reported it meanwhile
                }

                // Cumulative after this fill = executed now minus every later fill of the same order.
                var later = allOrderTrades.Where(t => t.Long("id") > tradeId).Sum(t => t.Decimal("qty"));
                var cumulative = executed - later;
                var status = cumulative >= orderQty && orderQty > 0 ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
                if (_registry.FindByOrderId(orderId) is { } tracked)
                {
                    tracked.FilledQuantity = Math.Max(tracked.FilledQuantity, cumulative);
                    tracked.Status = status;
                }

                Publish(new ExecutionReport(fill.Timestamp)
                {
                    Kind = ExecutionKind.Trade,
                    ClientOrderId = clientId,
                    VenueOrderId = fill.VenueOrderId,
                    Symbol = fill.Symbol,
                    Side = fill.Side,
                    Status = status,
                    OrderQuantity = orderQty,
                    CumulativeQuantity = cumulative,
                    Fill = fill,
                    Reason = "gap fill",
                    IsExternal = _registry.AlgoFor(orderId) is null && BinanceUserEventParser.IsExternal(rawClientId),
                });
                emitted++;
            }
        }

        return emitted;
    }

    private async Task<int> ReconcileOpenOrdersAsync(CancellationToken cancellationToken)
    {
        var candidates = _registry.Orders.Where(o => !o.IsAlgo && o.OrderId is not null && !IsTerminal(o.Status)).ToList();
        if (candidates.Count == 0)
        {
            return 0;
        }

        var open = await _rest.SendAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/openOrders", new BinanceParameters(), BinanceSecurity.Signed), cancellationToken)
            .ConfigureAwait(false);
        var openIds = Items(open).Select(o => o.Long("orderId")).ToHashSet();
        var emitted = 0;
        foreach (var order in candidates.Where(o => !openIds.Contains(o.OrderId!.Value)))
        {
            var answer = await QueryByOrderIdAsync(order.Symbol.Value, order.OrderId!.Value, cancellationToken).ConfigureAwait(false);
            var state = OrderMapping.FromRegular(answer);
            if (state.Status == order.Status || state.Status is OrderStatus.Filled or OrderStatus.PartiallyFilled or OrderStatus.Acknowledged)
            {
                continue; // fills carry their own status; only ends without a fill need a report here
            }

            order.Status = state.Status;
            Publish(new ExecutionReport(state.UpdatedAt)
            {
                Kind = state.Status switch
                {
                    OrderStatus.Cancelled => ExecutionKind.Cancelled,
                    OrderStatus.Expired => ExecutionKind.Expired,
                    _ => ExecutionKind.Rejected,
                },
                ClientOrderId = order.ClientOrderId,
                VenueOrderId = state.VenueOrderId,
                Symbol = order.Symbol,
                Side = order.Side,
                Status = state.Status,
                OrderQuantity = state.Quantity,
                CumulativeQuantity = state.FilledQuantity,
                Reason = "gap fill",
            });
            emitted++;
        }

        return emitted;
    }

    private bool OnUserMessage(ReadOnlyMemory<byte> message) => BinanceUserEventParser.Parse(message.Span, _registry, _publish);

    private async ValueTask OnStateChangedAsync(ConnectionState state, string? reason)
    {
        Publish(new ConnectionStateChanged(_time.GetUtcNow(), state, reason));
        LogStateChanged(_logger, state, reason);
        if (state == ConnectionState.Connected)
        {
            _firstConnected.TrySetResult();
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async ValueTask OnConnectedAsync(bool isReconnect, CancellationToken cancellationToken)
    {
        if (!isReconnect)
        {
            return;
        }

        try
        {
            var emitted = await PollAsync(cancellationToken).ConfigureAwait(false);
            LogGapFilled(_logger, emitted);
        }
        catch (BrokerException ex)
        {
            // The stream is up again; the next poll or reconciliation converges.
            LogGapFillFailed(_logger, ex.Message);
        }
    }

    private void OnAlert(BinanceAlert alert)
    {
        if (alert.Severity == BinanceAlertSeverity.Critical)
        {
            LogCritical(_logger, alert.Code, alert.Message);
        }
        else
        {
            LogWarning(_logger, alert.Code, alert.Message);
        }

        Publish(alert);
        AlertRaised?.Invoke(alert);
    }

    private void Publish(VenueEvent e) => _events.Writer.TryWrite(e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance adapter created: {Options}")]
    private static partial void LogCreated(ILogger logger, string options);

    [LoggerMessage(Level = LogLevel.Error, Message = "Binance order {ClientOrderId}: outcome unknown ({Reason}); querying before any resend")]
    private static partial void LogUnknownOutcome(ILogger logger, string clientOrderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance order {ClientOrderId} exists after an unknown outcome (status {Status}): not resent")]
    private static partial void LogFoundAfterUnknown(ILogger logger, string clientOrderId, OrderStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance order {ClientOrderId} not found after an unknown outcome: resending with the same id")]
    private static partial void LogResend(ILogger logger, string clientOrderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance user stream {State} ({Reason})")]
    private static partial void LogStateChanged(ILogger logger, ConnectionState state, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance gap fill after reconnect emitted {Count} report(s)")]
    private static partial void LogGapFilled(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Binance gap fill failed: {Reason}")]
    private static partial void LogGapFillFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Binance {Code}: {Message}")]
    private static partial void LogCritical(ILogger logger, string code, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance {Code}: {Message}")]
    private static partial void LogWarning(ILogger logger, string code, string message);
}
