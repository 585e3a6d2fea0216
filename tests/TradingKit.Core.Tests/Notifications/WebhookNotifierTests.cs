using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TradingKit.Notifications;

namespace TradingKit.Core.Tests.Notifications;

public sealed class WebhookNotifierTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 1, 0, 0, TimeSpan.Zero);

    private static WebhookNotifierOptions Options(int retries = 3, int capacity = 100) => new()
    {
        Url = new Uri("http://alerts.invalid/hook"),
        MaxRetries = retries,
        RetryDelay = TimeSpan.Zero,
        QueueCapacity = capacity,
    };

    private static Alert Critical(string message) => new(AlertEvents.WorkerFailed, AlertSeverity.Critical, message, T0);

    [Fact]
    public async Task PostsTheAlertAsJson()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(Alert.WorkerFailed("worker-7", "crashed", T0));
        await notifier.DisposeAsync();

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://alerts.invalid/hook", request.Uri);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("worker_failed", json.RootElement.GetProperty("event").GetString());
        Assert.Equal("Critical", json.RootElement.GetProperty("severity").GetString());
        Assert.Equal("worker-7", json.RootElement.GetProperty("details").GetProperty("worker").GetString());
        Assert.Equal(1, notifier.SentCount);
    }

    [Fact]
    public async Task RetriesServerErrors_UntilDelivered()
    {
        var handler = new ScriptedHandler(HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests, HttpStatusCode.OK);
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(retries: 3), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(Critical("x"));
        await notifier.DisposeAsync();

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal((1L, 0L), (notifier.SentCount, notifier.FailedCount));
    }

    [Fact]
    public async Task GivesUpAfterTheLastRetry_AndCountsTheFailure()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(retries: 2), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(Critical("x"));
        await notifier.DisposeAsync();

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal((0L, 1L), (notifier.SentCount, notifier.FailedCount));
    }

    [Fact]
    public async Task TransportErrors_AreRetried_AndNeverThrownToTheCaller()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK) { FailFirst = 2 };
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(retries: 3), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(Critical("x"));
        await notifier.DisposeAsync();

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(1, notifier.SentCount);
    }

    [Fact]
    public async Task ClientErrors_AreNotRetried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest);
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(retries: 3), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(Critical("x"));
        await notifier.DisposeAsync();

        Assert.Single(handler.Requests);
        Assert.Equal(1, notifier.FailedCount);
    }

    [Fact]
    public async Task NeverBlocksTheCaller_AndDropsTheOldestWhenFull()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler(HttpStatusCode.OK) { Gate = release.Task };
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(capacity: 2), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(Critical("a1"));
        await handler.FirstRequestSeen.Task;

        // The sender is stuck on a1; the queue holds two, so a2 and a3 are dropped as a4 and a5 arrive.
        var pending = new[] { "a2", "a3", "a4", "a5" }.Select(m => notifier.NotifyAsync(Critical(m))).ToList();
        Assert.All(pending, p => Assert.True(p.IsCompletedSuccessfully));
        Assert.Equal(2, notifier.DroppedCount);

        release.SetResult();
        await notifier.DisposeAsync();

        Assert.Equal(["a1", "a4", "a5"], handler.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("message").GetString()));
        Assert.Equal(3, notifier.SentCount);
    }

    [Fact]
    public async Task AlertsBelowTheMinimumSeverity_AreNotSent()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        var notifier = new WebhookNotifier(new HttpClient(handler), Options(), new FakeTimeProvider(T0));

        await notifier.NotifyAsync(new Alert("fill", AlertSeverity.Info, "filled", T0));
        await notifier.DisposeAsync();

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void InvalidOptions_AreRefused()
        => Assert.Throws<TradingKit.Errors.TradingKitException>(() => new WebhookNotifier(new HttpClient(), new WebhookNotifierOptions { Url = null }));

    private sealed record Captured(HttpMethod Method, string Uri, string Body);

    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public List<Captured> Requests { get; } = [];

        public int FailFirst { get; init; }

        public Task? Gate { get; init; }

        public TaskCompletionSource FirstRequestSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Requests)
            {
                Requests.Add(new Captured(request.Method, request.RequestUri!.ToString(), body));
            }

            var call = Interlocked.Increment(ref _calls);
            FirstRequestSeen.TrySetResult();
            if (Gate is not null)
            {
                await Gate;
            }

            if (call <= FailFirst)
            {
                throw new HttpRequestException("connection refused");
            }

            return new HttpResponseMessage(statuses[Math.Min(call - 1 - FailFirst, statuses.Length - 1)]);
        }
    }
}
