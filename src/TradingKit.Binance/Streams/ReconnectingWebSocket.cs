using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using TradingKit.Connectivity;

namespace TradingKit.Binance.Streams;

/// <summary>
/// One WebSocket stream that stays connected: DISCONNECTED → CONNECTING → CONNECTED → RECONNECTING → CONNECTED.
/// After a drop the first reconnect is immediate, then attempts back off exponentially. A connection is
/// replaced before its maximum lifetime (Binance cuts at 24 h). Every timer runs on the injected
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class ReconnectingWebSocket : IAsyncDisposable
{
    private readonly string _name;
    private readonly Func<CancellationToken, ValueTask<Uri>> _uriFactory;
    private readonly Func<ReadOnlyMemory<byte>, ValueTask> _onMessage;
    private readonly Func<ConnectionState, string?, ValueTask> _onStateChanged;
    private readonly Func<bool, CancellationToken, ValueTask> _onConnected;
    private readonly TimeSpan _maxLifetime;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource? _current;
    private Task? _loop;
    private ConnectionState _state = ConnectionState.Disconnected;

    public ReconnectingWebSocket(string name, Func<CancellationToken, ValueTask<Uri>> uriFactory, Func<ReadOnlyMemory<byte>, ValueTask> onMessage,
        Func<ConnectionState, string?, ValueTask> onStateChanged, Func<bool, CancellationToken, ValueTask> onConnected,
        TimeSpan maxLifetime, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider time, ILogger logger)
    {
        _name = name;
        _uriFactory = uriFactory;
        _onMessage = onMessage;
        _onStateChanged = onStateChanged;
        _onConnected = onConnected;
        _maxLifetime = maxLifetime;
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _time = time;
        _logger = logger;
    }

    public ConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Starts the connection loop (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Drops the current connection so the loop opens a fresh one (listen key rotated, planned renewal).</summary>
    public void RequestReconnect(string reason)
    {
        CancellationTokenSource? current;
        lock (_gate)
        {
            current = _current;
        }

        LogReconnectRequested(_logger, _name, reason);
        try
        {
            current?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended; the loop is reconnecting anyway.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var everConnected = false;
        var failures = 0;
        await SetStateAsync(ConnectionState.Connecting, null).ConfigureAwait(false);
        while (!stop.IsCancellationRequested)
        {
            string? dropReason = null;
            var planned = false;
            try
            {
                var uri = await _uriFactory(stop).ConfigureAwait(false);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(uri, stop).ConfigureAwait(false);
                var connectedAt = _time.GetTimestamp();
                using var lifetime = new CancellationTokenSource(_maxLifetime, _time);
                using var requested = new CancellationTokenSource();
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop, lifetime.Token, requested.Token);
                lock (_gate)
                {
                    _current = requested;
                }

                var isReconnect = everConnected;
                everConnected = true;
                await SetStateAsync(ConnectionState.Connected, null).ConfigureAwait(false);
                LogConnected(_logger, _name, isReconnect);
                try
                {
                    await _onConnected(isReconnect, connection.Token).ConfigureAwait(false);
                    dropReason = await ReceiveAsync(socket, connection.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    planned = true;
                    dropReason = lifetime.IsCancellationRequested ? "planned renewal before the venue's connection lifetime" : "reconnect requested";
                }

                await CloseQuietlyAsync(socket).ConfigureAwait(false);

                // A connection that lived a while counts as healthy: its drop is retried at once. Quick
                // successive drops (a venue that accepts and closes) back off like failed attempts.
                failures = planned ? 0 : _time.GetElapsedTime(connectedAt) >= _maxDelay ? 1 : failures + 1;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or InvalidOperationException
                or Errors.TradingKitException or Brokers.BrokerException)
            {
                dropReason = ex.Message;
                failures++;
                LogConnectFailed(_logger, _name, failures, ex.Message);
            }
            finally
            {
                lock (_gate)
                {
                    _current = null;
                }
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            if (everConnected)
            {
                await SetStateAsync(ConnectionState.Reconnecting, dropReason).ConfigureAwait(false);
            }

            var delay = failures <= 1 ? TimeSpan.Zero : Backoff(failures - 1);
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await SetStateAsync(ConnectionState.Disconnected, "stopped").ConfigureAwait(false);
    }

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(_baseDelay.Ticks * factor, _maxDelay.Ticks));
        return delay;
    }

    private async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return $"closed by the venue ({socket.CloseStatus} {socket.CloseStatusDescription})";
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    try
                    {
                        await _onMessage(message.WrittenMemory).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or KeyNotFoundException
                        or InvalidOperationException or Errors.TradingKitException)
                    {
                        LogBadMessage(_logger, _name, ex.Message);
                    }
                }

                message.ResetWrittenCount();
            }
        }
        catch (WebSocketException ex)
        {
            return "connection lost: " + ex.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Best effort: the socket is abandoned either way.
            }
        }
    }

    private async ValueTask SetStateAsync(ConnectionState state, string? reason)
    {
        lock (_gate)
        {
            if (_state == state)
            {
                return;
            }

            _state = state;
        }

        await _onStateChanged(state, reason).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance stream {Name} connected (reconnect: {IsReconnect})")]
    private static partial void LogConnected(ILogger logger, string name, bool isReconnect);

    [LoggerMessage(Level = LogLevel.Error, Message = "Binance stream {Name} connection attempt {Failures} failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string name, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance stream {Name}: reconnect requested ({Reason})")]
    private static partial void LogReconnectRequested(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance stream {Name}: unreadable message skipped: {Reason}")]
    private static partial void LogBadMessage(ILogger logger, string name, string reason);
}
