using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TradingKit.Samples.Paper.Tests;

namespace TradingKit.Samples.Host.Tests;

/// <summary>
/// The host sample as a real child process: the paper session as a service behind its control plane, commanded over
/// HTTP with the API key, stopped by SIGTERM as a service manager stops it.
/// </summary>
public sealed partial class HostSampleTests : IDisposable
{
    private const string Key = "host-sample-test-key-0123456789";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-host-sample", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task PaperSessionAsAService_IsCommandedOverHttp_AndStopsGracefullyOnSigterm()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var sample = SampleProcess.Start(["--Host:Urls", "http://127.0.0.1:0", "--Host:PaceMs", "20", "--Host:Out", _dir, "--Engine:SessionId", "host-1"],
            "TradingKit.Samples.Host.dll", new Dictionary<string, string?> { ["TRADINGKIT_API_KEY"] = Key });
        var line = await sample.WaitForLineAsync(l => l.StartsWith("Control plane: ", StringComparison.Ordinal), timeout.Token);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };

        using (var anonymous = await http.GetAsync("/tradingkit/status", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var wrongKey = await SendAsync(http, HttpMethod.Get, "/tradingkit/status", "not-the-key-0123456789", null, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        var status = await ReadAsync(await SendAsync(http, HttpMethod.Get, "/tradingkit/status", Key, null, timeout.Token), timeout.Token);
        Assert.Equal("host-1", status.GetProperty("session_id").GetString());
        Assert.Equal("paper", status.GetProperty("execution_mode").GetString());
        // Open to probes without a key; Degraded while start-up recovery runs, Healthy once trading.
        Assert.Contains(await http.GetStringAsync("/healthz", timeout.Token), new[] { "Healthy", "Degraded" });

        using var posted = await SendAsync(http, HttpMethod.Post, "/tradingkit/commands", Key,
            """{"type": "pause_engine", "payload": {"reason": "lunch"}, "idempotency_key": "host-pause-1"}""", timeout.Token);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var command = await ReadAsync(posted, timeout.Token);
        Assert.Equal("operator", command.GetProperty("actor").GetString());
        using var read = await SendAsync(http, HttpMethod.Get, posted.Headers.Location!.OriginalString, Key, null, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        await sample.TerminateAsync(timeout.Token);
        var (exit, output, error) = await sample.WaitForExitAsync(timeout.Token);

        Assert.True(exit == 0, error);
        Assert.Contains("Session host-1: Stopped", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "sessions", "host-1", "summary.json")), "a graceful stop writes the summary");
        Assert.DoesNotContain(Key, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAnApiKey_TheSampleRefusesToStart()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var sample = SampleProcess.Start(["--Host:Urls", "http://127.0.0.1:0"], "TradingKit.Samples.Host.dll",
            new Dictionary<string, string?> { ["TRADINGKIT_API_KEY"] = null });

        var (exit, output, error) = await sample.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, exit);
        Assert.Contains("set TRADINGKIT_API_KEY", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Control plane:", output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string key, string? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + key);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).Clone();
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Address();
}
