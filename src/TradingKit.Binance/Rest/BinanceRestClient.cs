using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Json;

namespace TradingKit.Binance.Rest;

/// <summary>How a request is authenticated.</summary>
internal enum BinanceSecurity
{
    /// <summary>Public market data.</summary>
    None = 0,

    /// <summary>API-key header only (listen key endpoints).</summary>
    ApiKey = 1,

    /// <summary>API-key header plus timestamp and HMAC signature.</summary>
    Signed = 2,
}

/// <summary>One REST call.</summary>
internal sealed record BinanceRequest(HttpMethod Method, string Path, BinanceParameters Parameters, BinanceSecurity Security,
    bool IsMutating = false, bool IsOrder = false);

/// <summary>
/// Signed REST transport: rate-limit gate, signing with the server-time offset, one resync-and-re-sign on
/// -1021, error classification, and Polly.Core retries for transient failures (honouring <c>Retry-After</c>).
/// Mutating calls are never retried after an unknown outcome: the broker queries first.
/// </summary>
internal sealed partial class BinanceRestClient : IDisposable
{
    private static readonly TimeSpan DefaultBan = TimeSpan.FromMinutes(2);

    private readonly BinanceUsdmOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BinanceSigner? _signer;
    private readonly string _baseUrl;
    private readonly ResiliencePipeline _readPipeline;
    private readonly ResiliencePipeline _writePipeline;
    private long _offsetMs;

    public BinanceRestClient(BinanceUsdmOptions options, HttpMessageHandler? handler, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _ownsHttp = true;
        // Timeouts come from TimeProvider-based tokens, so the client's own timer is disabled.
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _baseUrl = options.EffectiveRestBaseUrl.ToString().TrimEnd('/');
        _signer = options.HasCredentials ? new BinanceSigner(options.ApiSecret!) : null;
        Tracker = new BinanceRateLimitTracker(options);
        _readPipeline = BuildPipeline(mutating: false);
        _writePipeline = BuildPipeline(mutating: true);
    }

    public BinanceRateLimitTracker Tracker { get; }

    /// <summary>Local clock minus server clock, in milliseconds, as last measured.</summary>
    public long ServerTimeOffsetMilliseconds => Interlocked.Read(ref _offsetMs);

    public DateTimeOffset ServerNow => _time.GetUtcNow().AddMilliseconds(ServerTimeOffsetMilliseconds);

    public async Task<JsonElement> SendAsync(BinanceRequest request, CancellationToken cancellationToken = default)
    {
        var pipeline = request.IsMutating ? _writePipeline : _readPipeline;
        try
        {
            return await pipeline.ExecuteAsync(
                static (state, ct) => new ValueTask<JsonElement>(state.Self.SendOnceAsync(state.Request, ct)),
                (Self: this, Request: request), cancellationToken).ConfigureAwait(false);
        }
        catch (BinanceApiException ex)
        {
            LogCallFailed(_logger, request.Method.Method, request.Path, ex.HttpStatus, ex.VenueCode, ex.ErrorClass, ex.Message);
            throw;
        }
    }

    /// <summary>Measures the server clock and keeps the offset used for timestamps.</summary>
    public async Task SyncTimeAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var localBefore = _time.GetUtcNow();
        var result = await SendOnceAsync(new BinanceRequest(HttpMethod.Get, "/fapi/v1/time", new BinanceParameters(), BinanceSecurity.None), cancellationToken)
            .ConfigureAwait(false);
        var rtt = _time.GetElapsedTime(started);
        var serverTime = result.Long("serverTime");
        var localMid = localBefore.ToUnixTimeMilliseconds() + (long)(rtt.TotalMilliseconds / 2);
        Interlocked.Exchange(ref _offsetMs, serverTime - localMid);
        LogClockSynced(_logger, serverTime - localMid);
    }

    public void Dispose()
    {
        _signer?.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private ResiliencePipeline BuildPipeline(bool mutating)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = _options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BinanceApiException e && e.IsRetryable(mutating)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is BinanceApiException { RetryAfter: { } ra } ? (TimeSpan?)ra : null),
                OnRetry = args =>
                {
                    LogRetry(_logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private async Task<JsonElement> SendOnceAsync(BinanceRequest request, CancellationToken cancellationToken)
    {
        var resynced = false;
        while (true)
        {
            await PassGateAsync(request.IsOrder, cancellationToken).ConfigureAwait(false);
            try
            {
                return await TransmitAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (BinanceApiException ex) when (ex.Code == BinanceErrorClassification.TimestampOutsideRecvWindow
                && request.Security == BinanceSecurity.Signed && !resynced)
            {
                // The request was refused at the timestamp check, so it was not executed: resync, re-sign, resend once.
                resynced = true;
                LogResync(_logger, request.Path);
                await SyncTimeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PassGateAsync(bool isOrder, CancellationToken cancellationToken)
    {
        var slowed = false;
        while (true)
        {
            // Slowing down is one pause per request; a 429 backoff is waited out in full.
            var decision = Tracker.Evaluate(isOrder, ServerNow, slowed);
            if (decision.Refused)
            {
                throw new BinanceApiException(BinanceErrorClass.Transient, 0, null,
                    $"request not sent: {decision.Reason}", decision.Delay, decision.RefuseCode);
            }

            if (decision.Delay <= TimeSpan.Zero)
            {
                return;
            }

            LogSlowDown(_logger, decision.Delay, Tracker.UsedWeight1m);
            await Task.Delay(decision.Delay, _time, cancellationToken).ConfigureAwait(false);
            slowed = true;
        }
    }

    private async Task<JsonElement> TransmitAsync(BinanceRequest request, CancellationToken cancellationToken)
    {
        string query;
        if (request.Security == BinanceSecurity.Signed)
        {
            if (_signer is null)
            {
                throw new Errors.TradingKitException(BinanceErrorCodes.CredentialsMissing,
                    "This Binance call must be signed: configure Binance:ApiKey and Binance:ApiSecret.");
            }

            query = _signer.SignQuery(request.Parameters, _options.RecvWindowMilliseconds, ServerNow.ToUnixTimeMilliseconds());
        }
        else
        {
            query = request.Parameters.ToQueryString();
        }

        using var message = new HttpRequestMessage(request.Method, new Uri(_baseUrl + request.Path + (query.Length > 0 ? "?" + query : string.Empty)));
        if (request.Security != BinanceSecurity.None)
        {
            if (string.IsNullOrWhiteSpace(_options.ApiKey))
            {
                throw new Errors.TradingKitException(BinanceErrorCodes.CredentialsMissing,
                    "This Binance call needs an API key: configure Binance:ApiKey.");
            }

            message.Headers.TryAddWithoutValidation("X-MBX-APIKEY", _options.ApiKey);
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BinanceApiException(BinanceErrorClass.UnknownOutcome, 0, null,
                $"{request.Method} {request.Path} timed out after {_options.RequestTimeout}", innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            // A connection that never opened carried nothing: safe to retry. Anything later may have reached the venue.
            var neverSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            throw new BinanceApiException(neverSent ? BinanceErrorClass.Transient : BinanceErrorClass.UnknownOutcome, 0, null,
                $"{request.Method} {request.Path} failed: {ex.Message}", innerException: ex);
        }

        using (response)
        {
            Tracker.Observe(response.Headers, ServerNow);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return Parse(body, request);
            }

            var (code, msg) = ReadError(body);
            var text = $"{request.Method} {request.Path}: HTTP {status}{(code is { } c ? " code " + c.ToString(CultureInfo.InvariantCulture) : string.Empty)} {msg}";
            if (response.StatusCode == (HttpStatusCode)418)
            {
                var until = BanEnd(msg, response, ServerNow);
                Tracker.OnBanned(ServerNow, until);
                throw new BinanceApiException(BinanceErrorClass.Transient, status, code, text, until - ServerNow);
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = RetryAfterOf(response) ?? _options.RetryBaseDelay;
                Tracker.OnTooManyRequests(ServerNow + retryAfter);
                throw new BinanceApiException(BinanceErrorClass.Transient, status, code, text, retryAfter);
            }

            throw new BinanceApiException(BinanceErrorClassification.Classify(status, code, msg), status, code, text);
        }
    }

    private static JsonElement Parse(string body, BinanceRequest request)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            body = "{}";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement.Clone();
            // Some endpoints answer 200 with an error object (code != 200 and negative).
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out _) && root.Long("code") < 0)
            {
                var code = (int)root.Long("code");
                throw new BinanceApiException(BinanceErrorClassification.Classify(code), 200, code,
                    $"{request.Method} {request.Path}: code {code} {root.String("msg")}");
            }

            return root;
        }
        catch (JsonException ex)
        {
            throw new Errors.TradingKitException(BinanceErrorCodes.MalformedResponse,
                $"Binance answered {request.Method} {request.Path} with a body that is not JSON.", ex);
        }
    }

    internal static (int? Code, string? Message) ReadError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, body);
            }

            int? code = root.TryGetProperty("code", out _) ? (int)root.Long("code") : null;
            return (code, root.String("msg"));
        }
        catch (JsonException)
        {
            return (null, body.Length > 200 ? body[..200] : body);
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } ra)
        {
            if (ra.Delta is { } delta)
            {
                return delta;
            }
        }

        return null;
    }

    private static DateTimeOffset BanEnd(string? message, HttpResponseMessage response, DateTimeOffset now)
    {
        if (message is not null && BannedUntilPattern().Match(message) is { Success: true } m
            && long.TryParse(m.Groups[1].ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        return now + (RetryAfterOf(response) ?? DefaultBan);
    }

    [GeneratedRegex(@"banned until (\d{10,})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BannedUntilPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance {Method} {Path} failed: HTTP {Status}, code {Code}, class {ErrorClass}: {Reason}")]
    private static partial void LogCallFailed(ILogger logger, string method, string path, int status, string code, BinanceErrorClass errorClass, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance clock offset set to {OffsetMs} ms")]
    private static partial void LogClockSynced(ILogger logger, long offsetMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance rejected the timestamp of {Path} (-1021): resyncing the clock and re-signing once")]
    private static partial void LogResync(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance retry {Attempt} in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance weight {Weight} is high: slowing down by {Delay}")]
    private static partial void LogSlowDown(ILogger logger, TimeSpan delay, int weight);
}
