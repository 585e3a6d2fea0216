using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Hosting.Tests.Support;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Time;

using TradingKit.AspNetCore.Tests.Support;

namespace TradingKit.AspNetCore.Tests;

/// <summary>
/// The control plane over real HTTP (Kestrel on loopback) in front of a hosted paper engine: every endpoint behind
/// authorisation, commands into the command store and through the engine, the kill switch, the status and the page.
/// </summary>
public sealed class ControlPlaneTests : ControlPlaneHost
{
    [Theory]
    [InlineData("GET", "/tradingkit/status")]
    [InlineData("GET", "/tradingkit/")]
    [InlineData("GET", "/tradingkit/commands/5d0c0f2e-0d6c-4e0b-9a53-0e7c3e1f2a11")]
    [InlineData("POST", "/tradingkit/commands")]
    [InlineData("POST", "/tradingkit/kill-switch")]
    [InlineData("GET", "/tradingkit/orders")]
    [InlineData("GET", "/tradingkit/orders/tk-1")]
    [InlineData("GET", "/tradingkit/fills")]
    [InlineData("GET", "/tradingkit/positions")]
    [InlineData("GET", "/tradingkit/daily")]
    [InlineData("GET", "/tradingkit/proposals")]
    [InlineData("GET", "/tradingkit/proposals/tk-1")]
    [InlineData("GET", "/tradingkit/workers")]
    [InlineData("GET", "/tradingkit/locks")]
    public async Task EveryEndpoint_RefusesAnAnonymousCaller(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Json("""{"on": true, "reason": "x"}""");
        }

        using var response = await Http.SendAsync(request, Patience.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Commands.Inserted);
    }

    [Fact]
    public async Task Status_ReportsTheEngine_ToAnyAuthenticatedUser()
    {
        using var response = await SendAsync(HttpMethod.Get, "/tradingkit/status", "viewer-bob");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await ReadAsync(response);
        Assert.Equal("control-plane-1", status.GetProperty("session_id").GetString());
        Assert.Equal("Running", status.GetProperty("engine_state").GetString());
        Assert.Equal("Active", status.GetProperty("risk_state").GetString());
        Assert.Equal("off", status.GetProperty("kill_switch").GetString());
        Assert.Equal("paper", status.GetProperty("execution_mode").GetString());
        Assert.Equal("Running", status.GetProperty("hosted_status").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("last_trip").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("worker_id").ValueKind);
    }

    [Fact]
    public async Task PostedCommand_RunsOnTheEngine_OncePerIdempotencyKey_AndItsResultCanBeRead()
    {
        const string Body = """{"type": "pause_engine", "payload": {"reason": "lunch"}, "idempotency_key": "pause-lunch-1"}""";
        using var posted = await SendAsync(HttpMethod.Post, "/tradingkit/commands", "alice", "operator", Body);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var command = await ReadAsync(posted);
        var id = command.GetProperty("command_id").GetGuid();
        Assert.Equal($"/tradingkit/commands/{id}", posted.Headers.Location!.OriginalString);
        Assert.Equal("alice", command.GetProperty("actor").GetString());
        Assert.Equal("pause_engine", command.GetProperty("type").GetString());

        await Commands.CompletionOf(id, Patience.Token);
        using var read = await SendAsync(HttpMethod.Get, posted.Headers.Location.OriginalString, "viewer-bob");
        var done = await ReadAsync(read);
        Assert.Equal("ack", done.GetProperty("status").GetString());
        Assert.Equal("engine-control-plane-1", done.GetProperty("claimed_by").GetString());
        Assert.Equal(EngineState.Paused, App.Services.GetRequiredService<TradingEngine>().State);

        // A client retrying the same request gets the same command back; the engine ran it once.
        using var again = await SendAsync(HttpMethod.Post, "/tradingkit/commands", "alice", "operator", Body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, (await ReadAsync(again)).GetProperty("command_id").GetGuid());
        Assert.Equal(1, Commands.Inserted);
    }

    [Fact]
    public async Task KillSwitch_TurnsOnThroughTheEngine_WhichRecordsWhoAndWhy()
    {
        using var posted = await SendAsync(HttpMethod.Post, "/tradingkit/kill-switch", "alice", "operator", """{"on": true, "reason": "incident 42"}""");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var done = await Commands.CompletionOf((await ReadAsync(posted)).GetProperty("command_id").GetGuid(), Patience.Token);
        Assert.Equal(TradingKit.Commands.CommandStatus.Ack, done.Status);

        using var status = await SendAsync(HttpMethod.Get, "/tradingkit/status", "viewer-bob");
        Assert.Equal("on", (await ReadAsync(status)).GetProperty("kill_switch").GetString());
        var changes = new List<KillSwitchChanged>();
        await foreach (var envelope in App.Services.GetRequiredService<IEventStore>().ReadAllAsync(cancellationToken: Patience.Token))
        {
            if (envelope.Payload is KillSwitchChanged change)
            {
                changes.Add(change);
            }
        }

        var recorded = Assert.Single(changes);
        Assert.True(recorded.Enabled);
        Assert.Equal("alice", recorded.Actor);
        Assert.Equal("incident 42", recorded.Reason);
    }

    [Theory]
    [InlineData("viewer-bob", "", "application/json", """{"type": "pause_engine", "payload": {"reason": "x"}}""", HttpStatusCode.Forbidden, null)]
    [InlineData("alice", "operator", "text/plain", """{"type": "pause_engine", "payload": {"reason": "x"}}""", HttpStatusCode.UnsupportedMediaType, "CONTROL_PLANE_JSON_REQUIRED")]
    [InlineData("alice", "operator", "application/json", """{"type": "pause_engine", "payload": """, HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("alice", "operator", "application/json", """{"type": "launch_rocket", "payload": {}}""", HttpStatusCode.BadRequest, "UNKNOWN_TYPE_NAME")]
    [InlineData("alice", "operator", "application/json", """{"type": "pause_engine", "payload": {"reason": "x"}, "actor": "mallory"}""", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("alice", "operator", "application/json", """{"type": "pause_engine", "payload": {"reasn": "x"}}""", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("", "operator", "application/json", """{"type": "pause_engine", "payload": {"reason": "x"}}""", HttpStatusCode.Forbidden, "CONTROL_PLANE_NO_ACTOR")]
    public async Task BadWrites_AreRefusedWithATypedProblem_AndInsertNothing(string user, string roles, string contentType, string body,
        HttpStatusCode expected, string? code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tradingkit/commands")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Add(HeaderAuthentication.UserHeader, user.Length == 0 ? HeaderAuthentication.Nameless : user);
        request.Headers.Add(HeaderAuthentication.RolesHeader, roles);

        using var response = await Http.SendAsync(request, Patience.Token);

        Assert.Equal(expected, response.StatusCode);
        if (code is not null)
        {
            Assert.Equal(code, (await ReadAsync(response)).GetProperty("code").GetString());
        }

        Assert.Equal(0, Commands.Inserted);
        Assert.Equal(EngineState.Running, App.Services.GetRequiredService<TradingEngine>().State);
    }

    [Fact]
    public async Task ReadModels_ShowTheSessionsOrdersFillsPositionsAndDays_AsOfTheirPosition()
    {
        var engine = App.Services.GetRequiredService<TradingEngine>();
        var end = await App.Services.GetRequiredService<IEventStore>().GetLastPositionAsync(Patience.Token);
        await App.Services.GetRequiredService<TradingKit.Hosting.ProjectionWorkerService>().WaitForPositionAsync(end, Patience.Token);
        Assert.True(engine.Orders.FillCount > 2, $"the session must trade for the read models to show anything ({engine.Orders.SubmittedCount} submitted, {engine.Orders.DeniedCount} denied, {engine.MarketEventsProcessed} bars)");

        var orders = await GetJsonAsync("/tradingkit/orders");
        Assert.Equal(end, orders.GetProperty("position").GetInt64());
        var items = orders.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(engine.Orders.SubmittedCount, items.Count);
        var first = items[0];
        Assert.Equal("SPX", first.GetProperty("symbol").GetString());
        Assert.Contains(first.GetProperty("side").GetString(), new[] { "buy", "sell" });
        Assert.Equal("market", first.GetProperty("order_type").GetString());
        Assert.Equal("filled", first.GetProperty("status").GetString());

        var id = first.GetProperty("client_order_id").GetString()!;
        Assert.Equal(id, (await GetJsonAsync($"/tradingkit/orders/{id}")).GetProperty("client_order_id").GetString());
        var open = (await GetJsonAsync("/tradingkit/orders?open=true")).GetProperty("items").EnumerateArray()
            .Select(o => o.GetProperty("status").GetString()).ToList();
        Assert.All(open, status => Assert.DoesNotContain(status, new[] { "filled", "cancelled", "rejected", "expired" }));

        var fills = (await GetJsonAsync("/tradingkit/fills")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(engine.Orders.FillCount, fills.Count);
        Assert.Single((await GetJsonAsync($"/tradingkit/fills?order={id}")).GetProperty("items").EnumerateArray());
        Assert.Equal("taker", fills[0].GetProperty("liquidity").GetString());

        var position = Assert.Single((await GetJsonAsync("/tradingkit/positions")).GetProperty("items").EnumerateArray());
        Assert.Equal(engine.Portfolio.GetNetQuantity(TestBars.Spx), position.GetProperty("qty").GetDecimal());
        var days = (await GetJsonAsync("/tradingkit/daily")).GetProperty("items").EnumerateArray();
        Assert.Equal(engine.Portfolio.ClosedTrades.Count, days.Sum(d => d.GetProperty("trades").GetInt32()));
    }

    [Fact]
    public async Task WorkersAndLocks_ShowTheRegistryAndTheSymbolLocks_WithExpiryJudgedNow()
    {
        var registry = App.Services.GetRequiredService<IWorkerRegistry>();
        var locks = App.Services.GetRequiredService<ISymbolLockService>();
        var now = App.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await registry.RegisterAsync("worker-b", Patience.Token);
        await registry.RegisterAsync("worker-a", Patience.Token);
        await registry.SetStateAsync("worker-a", "SCAN", null, Patience.Token);
        await registry.SetStateAsync("worker-a", "HOLD", new TradingKit.Domain.Symbol("AAA"), Patience.Token);
        await locks.AcquireAsync(new TradingKit.Domain.Symbol("AAA"), "worker-a", TimeSpan.FromMinutes(1), Patience.Token);
        await locks.AcquireAsync(new TradingKit.Domain.Symbol("BBB"), "worker-b", TimeSpan.FromSeconds(1), Patience.Token);

        // Two seconds later BBB's lock (TTL 1 s) has expired, AAA's (1 min) has not.
        ((SimulationTimeProvider)App.Services.GetRequiredService<TimeProvider>()).AdvanceTo(now.AddSeconds(2));

        var workers = (await GetJsonAsync("/tradingkit/workers")).GetProperty("items").EnumerateArray().ToList();
        var held = (await GetJsonAsync("/tradingkit/locks")).GetProperty("items").EnumerateArray().ToList();

        var a = Assert.Single(workers, w => w.GetProperty("worker_id").GetString() == "worker-a");
        Assert.Equal(("HOLD", "AAA"), (a.GetProperty("state").GetString(), a.GetProperty("current_symbol").GetString()));
        Assert.Equal("IDLE", Assert.Single(workers, w => w.GetProperty("worker_id").GetString() == "worker-b").GetProperty("state").GetString());
        Assert.Equal(["AAA", "BBB"], held.Select(l => l.GetProperty("symbol").GetString()));
        Assert.Equal(("worker-a", 60d, false), (held[0].GetProperty("worker_id").GetString(), held[0].GetProperty("ttl_seconds").GetDouble(), held[0].GetProperty("expired").GetBoolean()));
        Assert.Equal(now.AddMinutes(1), held[0].GetProperty("expires_at").GetDateTimeOffset());
        Assert.True(held[1].GetProperty("expired").GetBoolean());
    }

    [Theory]
    [InlineData("/tradingkit/orders/tk-unknown-1", HttpStatusCode.NotFound, "ORDER_NOT_FOUND")]
    [InlineData("/tradingkit/orders/not%20an%20id", HttpStatusCode.BadRequest, "INVALID_IDENTIFIER")]
    [InlineData("/tradingkit/fills?order=not%20an%20id", HttpStatusCode.BadRequest, "INVALID_IDENTIFIER")]
    [InlineData("/tradingkit/orders?symbol=%20", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("/tradingkit/proposals", HttpStatusCode.NotFound, "APPROVALS_NOT_CONFIGURED")]
    [InlineData("/tradingkit/proposals/tk-1", HttpStatusCode.NotFound, "APPROVALS_NOT_CONFIGURED")]
    public async Task BadReads_AreTypedProblems(string path, HttpStatusCode expected, string code)
    {
        using var response = await SendAsync(HttpMethod.Get, path, "viewer-bob");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(code, (await ReadAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public void AnUnknownPolicy_OrNoAuthorisation_IsRefusedWhenTheEndpointsAreMapped()
    {
        var withAuthorization = WebApplication.CreateSlimBuilder();
        withAuthorization.Services.AddAuthorization();
        using var app = withAuthorization.Build();
        var unknown = Assert.Throws<InvalidOperationException>(() => app.MapTradingKitControlPlane("/tradingkit", o => o.OperatePolicy = "traders"));
        Assert.Contains("'traders' is not registered", unknown.Message, StringComparison.Ordinal);

        using var bare = WebApplication.CreateSlimBuilder().Build();
        var none = Assert.Throws<InvalidOperationException>(() => bare.MapTradingKitControlPlane());
        Assert.Contains("needs authorisation", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_Is404()
    {
        using var response = await SendAsync(HttpMethod.Get, $"/tradingkit/commands/{Guid.NewGuid()}", "viewer-bob");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("COMMAND_NOT_FOUND", (await ReadAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Dashboard_IsAnHtmlPage_ThatReadsTheStatus()
    {
        using var response = await SendAsync(HttpMethod.Get, "/tradingkit/", "viewer-bob");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var page = await response.Content.ReadAsStringAsync(Patience.Token);
        Assert.Contains("const url = \"/tradingkit/status\";", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
    }
}
