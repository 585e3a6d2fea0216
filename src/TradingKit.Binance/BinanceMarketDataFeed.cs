using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Json;
using TradingKit.Binance.Streams;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.MarketData;

namespace TradingKit.Binance;

/// <summary>A Binance market stream kind.</summary>
public enum BinanceMarketStreamKind
{
    /// <summary>Closed klines (<c>&lt;symbol&gt;@kline_&lt;interval&gt;</c>) as <see cref="Bar"/>s.</summary>
    Kline = 1,

    /// <summary>Aggregate trades (<c>&lt;symbol&gt;@aggTrade</c>) as <see cref="TradeTick"/>s.</summary>
    AggTrade = 2,

    /// <summary>Best bid and ask (<c>&lt;symbol&gt;@bookTicker</c>) as <see cref="QuoteTick"/>s.</summary>
    BookTicker = 3,
}

/// <summary>One market stream to subscribe to.</summary>
/// <param name="Symbol">The symbol, for example BTCUSDT.</param>
/// <param name="Kind">The stream.</param>
/// <param name="Interval">For klines, the interval (<c>1m</c>, <c>5m</c>, <c>1h</c>, ...).</param>
public sealed record BinanceMarketStream(Symbol Symbol, BinanceMarketStreamKind Kind, string Interval = "1m")
{
    /// <summary>The stream name Binance expects.</summary>
    public string StreamName => Kind switch
    {
        BinanceMarketStreamKind.Kline => $"{Symbol.Value.ToLowerInvariant()}@kline_{Interval}",
        BinanceMarketStreamKind.AggTrade => $"{Symbol.Value.ToLowerInvariant()}@aggTrade",
        _ => $"{Symbol.Value.ToLowerInvariant()}@bookTicker",
    };
}

/// <summary>
/// Live market data from Binance USDⓈ-M combined streams: klines and aggregate trades on the market route,
/// book tickers on the public route. Reconnects by itself with backoff; only closed klines are emitted.
/// </summary>
public sealed partial class BinanceMarketDataFeed : IMarketDataFeed, IAsyncDisposable
{
    private readonly BinanceUsdmOptions _options;
    private readonly List<BinanceMarketStream> _streams;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<MarketDataEvent> _channel = Channel.CreateUnbounded<MarketDataEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ReconnectingWebSocket> _sockets = [];
    private readonly Lock _gate = new();

    /// <summary>Creates the feed. Nothing connects until <see cref="ReadAsync"/> is enumerated.</summary>
    /// <param name="options">The adapter options (stream base URL and routes); keys are not needed.</param>
    /// <param name="streams">The streams to subscribe to.</param>
    /// <param name="timeProvider">The clock for reconnect timers.</param>
    /// <param name="loggerFactory">Logging.</param>
    public BinanceMarketDataFeed(BinanceUsdmOptions options, IEnumerable<BinanceMarketStream> streams, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(streams);
        options.Validate();
        _options = options;
        _streams = streams.ToList();
        if (_streams.Count == 0)
        {
            throw new ArgumentException("Subscribe to at least one stream.", nameof(streams));
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<BinanceMarketDataFeed>();
    }

    /// <summary>Raised when a stream connection changes state.</summary>
    public event Action<string, ConnectionState>? ConnectionStateChanged;

    /// <inheritdoc />
    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Start();
        while (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_channel.Reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <summary>Stops every stream.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        List<ReconnectingWebSocket> sockets;
        lock (_gate)
        {
            sockets = [.. _sockets];
            _sockets.Clear();
        }

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync().ConfigureAwait(false);
        }

        _channel.Writer.TryComplete();
    }

    /// <summary>Parses one stream message (combined <c>{"stream","data"}</c> envelope or bare payload).</summary>
    /// <param name="utf8Json">The message.</param>
    /// <returns>The market data item, or null when the message is not one (an open kline, a subscription answer).</returns>
    public static MarketDataEvent? Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data))
        {
            root = data;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var symbol = root.String("s");
        if (string.IsNullOrEmpty(symbol))
        {
            return null;
        }

        switch (root.String("e"))
        {
            case "kline":
                var k = root.GetProperty("k");
                if (!k.Bool("x"))
                {
                    return null; // only closed bars are bars
                }

                return new Bar(new Symbol(symbol), k.Time("t"), k.Time("T"), k.Decimal("o"), k.Decimal("h"), k.Decimal("l"), k.Decimal("c"), k.Decimal("v"));
            case "aggTrade":
                // "m": the buyer is the maker, so the seller took liquidity.
                return new TradeTick(new Symbol(symbol), root.Time("T"), root.Decimal("p"), root.Decimal("q"), !root.Bool("m"));
            case "bookTicker":
                var time = root.Long("T") > 0 ? root.Time("T") : root.Time("E");
                return new QuoteTick(new Symbol(symbol), time, root.Decimal("b"), root.Decimal("B"), root.Decimal("a"), root.Decimal("A"));
            default:
                return null;
        }
    }

    private void Start()
    {
        lock (_gate)
        {
            if (_sockets.Count > 0)
            {
                return;
            }

            var market = _streams.Where(s => s.Kind != BinanceMarketStreamKind.BookTicker).Select(s => s.StreamName).ToList();
            var pub = _streams.Where(s => s.Kind == BinanceMarketStreamKind.BookTicker).Select(s => s.StreamName).ToList();
            if (market.Count > 0)
            {
                _sockets.Add(Open("market", _options.MarketStreamPath, market));
            }

            if (pub.Count > 0)
            {
                _sockets.Add(Open("public", _options.PublicStreamPath, pub));
            }

            foreach (var socket in _sockets)
            {
                socket.Start();
            }
        }
    }

    private ReconnectingWebSocket Open(string route, string path, List<string> names)
    {
        var uri = new Uri(_options.EffectiveStreamBaseUrl.ToString().TrimEnd('/') + path + "?streams=" + string.Join('/', names));
        return new ReconnectingWebSocket(route, _ => ValueTask.FromResult(uri), OnMessage,
            (state, _) =>
            {
                ConnectionStateChanged?.Invoke(route, state);
                return ValueTask.CompletedTask;
            },
            (_, _) => ValueTask.CompletedTask,
            _options.StreamMaxLifetime, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, _time, _logger);
    }

    private ValueTask OnMessage(ReadOnlyMemory<byte> message)
    {
        if (Parse(message.Span) is { } item)
        {
            _channel.Writer.TryWrite(item);
        }

        return ValueTask.CompletedTask;
    }
}
