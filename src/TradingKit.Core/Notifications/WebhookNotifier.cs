using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using TradingKit.Errors;

namespace TradingKit.Notifications;

/// <summary>Settings of <see cref="WebhookNotifier"/> (for example bound from <c>Notifications:Webhook</c>).</summary>
public sealed class WebhookNotifierOptions
{
    /// <summary>The URL alerts are POSTed to as JSON. Treat it as a secret (it often embeds a token); it is never logged.</summary>
    public Uri? Url { get; set; }

    /// <summary>The timeout of one attempt.</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after the first attempt fails (transport error, timeout, 5xx or 429).</summary>
    /// <value>Defaults to 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry delay; later ones double.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many alerts wait at most; when full the oldest is dropped and counted.</summary>
    /// <value>Defaults to 1000.</value>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Alerts below this severity are not sent.</summary>
    /// <value>Defaults to <see cref="AlertSeverity.Critical"/>.</value>
    public AlertSeverity MinimumSeverity { get; set; } = AlertSeverity.Critical;

    internal void ValidateOrThrow()
    {
        var errors = new List<string>();
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add("the webhook URL must be an absolute http(s) URL");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add("the timeout must be positive");
        }

        if (MaxRetries < 0 || RetryDelay < TimeSpan.Zero)
        {
            errors.Add("retries and the retry delay must not be negative");
        }

        if (QueueCapacity <= 0)
        {
            errors.Add("the queue capacity must be positive");
        }

        if (errors.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Invalid webhook notifier options: " + string.Join("; ", errors) + ".");
        }
    }
}

/// <summary>
/// Sends alerts as JSON POSTs to a webhook without ever blocking the caller: <see cref="NotifyAsync"/> only puts the
/// alert on a bounded in-memory queue (when full the oldest alert is dropped and counted in <see cref="DroppedCount"/>);
/// a background sender posts them in order with a per-attempt timeout and retries (Polly). Delivery failures are
/// logged and counted, never thrown. Dispose to drain the queue.
/// </summary>
public sealed partial class WebhookNotifier : INotifier, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly HttpClient _httpClient;
    private readonly WebhookNotifierOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Alert> _queue;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly Task _sender;
    private long _dropped;
    private long _sent;
    private long _failed;

    /// <summary>Creates the notifier and starts its background sender.</summary>
    /// <param name="httpClient">The client (from <c>IHttpClientFactory</c> or your own).</param>
    /// <param name="options">The settings.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; the system clock when null.</param>
    /// <param name="logger">Logs delivery failures (never the URL).</param>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c> when the settings are invalid.</exception>
    public WebhookNotifier(HttpClient httpClient, WebhookNotifierOptions options, TimeProvider? timeProvider = null, ILogger<WebhookNotifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateOrThrow();
        _httpClient = httpClient;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _queue = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider ?? TimeProvider.System };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests),
            });
        }

        _pipeline = builder.AddTimeout(options.Timeout).Build();
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Alerts dropped because the queue was full (oldest first) or the notifier was disposed.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Alerts delivered with a success status.</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    /// <summary>Alerts that could not be delivered after every retry.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <inheritdoc />
    public ValueTask NotifyAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Severity >= _options.MinimumSeverity && !_queue.Writer.TryWrite(alert))
        {
            Interlocked.Increment(ref _dropped);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Stops accepting alerts and waits until every queued alert was sent or gave up.</summary>
    /// <returns>A task that completes when the queue is drained.</returns>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sender.ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                using var response = await _pipeline.ExecuteAsync(
                    static async (state, ct) => await state.Self._httpClient.PostAsJsonAsync(state.Self._options.Url, state.Alert, Json, ct).ConfigureAwait(false),
                    (Self: this, Alert: alert),
                    CancellationToken.None).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _sent);
                }
                else
                {
                    Interlocked.Increment(ref _failed);
                    LogRejected(_logger, alert.Event, (int)response.StatusCode);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or OperationCanceledException or JsonException or NotSupportedException)
            {
                Interlocked.Increment(ref _failed);
                LogFailed(_logger, alert.Event, e.GetType().Name, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Error, Message = "Webhook alert {AlertEvent} was refused with HTTP {StatusCode} after all retries")]
    private static partial void LogRejected(ILogger logger, string alertEvent, int statusCode);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Error, Message = "Webhook alert {AlertEvent} could not be delivered: {ErrorType}: {ErrorMessage}")]
    private static partial void LogFailed(ILogger logger, string alertEvent, string errorType, string errorMessage);
}
