using Microsoft.Extensions.Logging;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Json;
using TradingKit.Binance.Rest;
using TradingKit.Connectivity;

namespace TradingKit.Binance.Streams;

/// <summary>
/// The user-data stream: creates a listen key, keeps it alive every <see cref="BinanceUsdmOptions.ListenKeyKeepAliveInterval"/>
/// (Binance expires it after 60 minutes), creates a new one on -1125 or <c>listenKeyExpired</c> and reconnects with it,
/// and renews the connection before Binance's 24-hour cut.
/// </summary>
internal sealed partial class BinanceUserDataStream : IAsyncDisposable
{
    private const string ListenKeyPath = "/fapi/v1/listenKey";

    private readonly BinanceUsdmOptions _options;
    private readonly BinanceRestClient _rest;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<ReadOnlyMemory<byte>, bool> _onMessage;
    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly ReconnectingWebSocket _socket;
    private string? _listenKey;
    private Task? _keepAlive;

    /// <param name="options">The adapter's options.</param>
    /// <param name="rest">The REST transport.</param>
    /// <param name="time">The clock for every timer.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="onMessage">Handles one message; returns true when the listen key expired.</param>
    /// <param name="onStateChanged">Observes connection state changes.</param>
    /// <param name="onConnected">Runs after each connection (the flag says whether it is a reconnect): gap filling.</param>
    public BinanceUserDataStream(BinanceUsdmOptions options, BinanceRestClient rest, TimeProvider time, ILogger logger,
        Func<ReadOnlyMemory<byte>, bool> onMessage, Func<ConnectionState, string?, ValueTask> onStateChanged,
        Func<bool, CancellationToken, ValueTask> onConnected)
    {
        _options = options;
        _rest = rest;
        _time = time;
        _logger = logger;
        _onMessage = onMessage;
        _socket = new ReconnectingWebSocket("user-data", ConnectUriAsync, HandleMessageAsync, onStateChanged, onConnected,
            options.StreamMaxLifetime, options.ReconnectBaseDelay, options.ReconnectMaxDelay, time, logger);
    }

    public ConnectionState State => _socket.State;

    /// <summary>The listen key in use (for diagnostics and tests). It is not a secret, but is not logged in full.</summary>
    public string? ListenKey => _listenKey;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureListenKeyAsync(forceNew: false, cancellationToken).ConfigureAwait(false);
        _socket.Start();
        _keepAlive ??= Task.Run(() => KeepAliveLoopAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _socket.DisposeAsync().ConfigureAwait(false);
        if (_keepAlive is not null)
        {
            try
            {
                await _keepAlive.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
        _keyLock.Dispose();
    }

    private async ValueTask<Uri> ConnectUriAsync(CancellationToken cancellationToken)
    {
        var key = _listenKey ?? await EnsureListenKeyAsync(forceNew: true, cancellationToken).ConfigureAwait(false);
        var baseUrl = _options.EffectiveStreamBaseUrl.ToString().TrimEnd('/');
        return new Uri(baseUrl + _options.PrivateStreamPath.Replace("{listenKey}", Uri.EscapeDataString(key), StringComparison.Ordinal));
    }

    private ValueTask HandleMessageAsync(ReadOnlyMemory<byte> message)
    {
        if (_onMessage(message))
        {
            // The venue says the key is dead: forget it so the reconnect creates a new one.
            _listenKey = null;
            LogListenKeyExpired(_logger);
            _socket.RequestReconnect("listenKeyExpired");
        }

        return ValueTask.CompletedTask;
    }

    private async Task<string> EnsureListenKeyAsync(bool forceNew, CancellationToken cancellationToken)
    {
        await _keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!forceNew && _listenKey is not null)
            {
                return _listenKey;
            }

            var result = await _rest.SendAsync(new BinanceRequest(HttpMethod.Post, ListenKeyPath, new BinanceParameters(), BinanceSecurity.ApiKey, IsMutating: false),
                cancellationToken).ConfigureAwait(false);
            var key = result.String("listenKey");
            if (string.IsNullOrEmpty(key))
            {
                throw new Errors.TradingKitException(BinanceErrorCodes.MalformedResponse, "Binance returned no listenKey.");
            }

            _listenKey = key;
            LogListenKeyCreated(_logger, Shorten(key));
            return key;
        }
        finally
        {
            _keyLock.Release();
        }
    }

    private async Task KeepAliveLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(_options.ListenKeyKeepAliveInterval, _time, stop).ConfigureAwait(false);
            try
            {
                if (_listenKey is null)
                {
                    continue;
                }

                await _rest.SendAsync(new BinanceRequest(HttpMethod.Put, ListenKeyPath, new BinanceParameters(), BinanceSecurity.ApiKey), stop)
                    .ConfigureAwait(false);
                LogKeptAlive(_logger);
            }
            catch (BinanceApiException ex) when (ex.Code == BinanceErrorClassification.ListenKeyNotFound)
            {
                LogListenKeyExpired(_logger);
                try
                {
                    await EnsureListenKeyAsync(forceNew: true, stop).ConfigureAwait(false);
                    _socket.RequestReconnect("listen key recreated after -1125");
                }
                catch (Exception inner) when (inner is BinanceApiException or HttpRequestException or Errors.TradingKitException)
                {
                    LogKeepAliveFailed(_logger, inner.Message);
                }
            }
            catch (Exception ex) when (ex is BinanceApiException or HttpRequestException or Errors.TradingKitException)
            {
                // The next keepalive comes well before the hour is up.
                LogKeepAliveFailed(_logger, ex.Message);
            }
        }
    }

    private static string Shorten(string key) => key.Length <= 8 ? "***" : key[..4] + "…" + key[^4..];

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance listen key created ({Key})")]
    private static partial void LogListenKeyCreated(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Binance listen key kept alive")]
    private static partial void LogKeptAlive(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance listen key expired: creating a new one and reconnecting")]
    private static partial void LogListenKeyExpired(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Binance listen key keepalive failed: {Reason}")]
    private static partial void LogKeepAliveFailed(ILogger logger, string reason);
}
