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

namespace TradingKit.AspNetCore.Tests;

/// <summary>
/// The control plane over real HTTP (Kestrel on loopback) in front of a hosted paper engine: every endpoint behind
/// authorisation, commands into the command store and through the engine, the kill switch, the status and the page.
/// </summary>
public sealed class ControlPlaneTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-control-plane-tests", Guid.NewGuid().ToString("N"));
    private readonly SignallingCommandStore _store = new();
    private const int Bars = 120;
    private readonly LiveFeed _feed = new(TestBars.RandomWalk(Bars));
    private readonly CountingStrategy _counter = new(Bars);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireRole("operator")));
        builder.Services.AddSingleton<TimeProvider>(new SimulationTimeProvider(TestBars.RandomWalk(1)[0].OpenTime));
        builder.Services
            .AddTradingKit(o =>
            {
                o.SessionId = "control-plane-1";
                o.InitialCash = 100_000m;
                o.Execution.Mode = TradingKit.Execution.ExecutionMode.Paper;

                // The risk guard refuses symbols it has no rules for.
                o.Instruments.Add(new TradingKit.Instruments.Instrument(TestBars.Spx, 0.01m, 0.01m, 0.01m, 1_000_000m));
            })
            .UseInMemoryStores()
            .UsePaperVenue(o => o.InitialCash = 100_000m)
            .AddStrategy(new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = TestBars.Spx.Value, FastPeriod = 3, SlowPeriod = 10 }))
            .AddStrategy(_counter)
            .UseRiskGuard(new RiskOptions { KillSwitch = { InitialState = KillSwitchState.Off } })
            .UseFileJournal(_dir)
            .AddHostedEngine(_ => _feed)
            .AddCommandExecutor()
            .AddProjectionWorker();
        builder.Services.RemoveAll<ICommandStore>();
        builder.Services.AddSingleton<ICommandStore>(_store);

        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapTradingKitControlPlane("/tradingkit", o => o.OperatePolicy = "operators");
        await _app.StartAsync(_timeout.Token);
        await _feed.AllGiven.WaitAsync(_timeout.Token);

        // Every bar has reached the strategies; a command queued behind the last one comes back once it is done, so each
        // test starts with an engine that has processed the whole feed and waits for more. (Resuming a running engine
        // is refused and changes nothing.)
        await _counter.Seen.WaitAsync(_timeout.Token);
        var barrier = await _app.Services.GetRequiredService<TradingEngine>().ExecuteAsync(
            new TradingKit.Commands.CommandEnvelope(Guid.NewGuid(), "barrier", new TradingKit.Commands.ResumeEngine("barrier"), "test", DateTimeOffset.UnixEpoch,
                TradingKit.Domain.CorrelationId.New()), _timeout.Token);
        Assert.False(barrier.Succeeded);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _timeout.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

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
    public async Task EveryEndpoint_RefusesAnAnonymousCaller(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Json("""{"on": true, "reason": "x"}""");
        }

        using var response = await _http.SendAsync(request, _timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, _store.Inserted);
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

        await _store.CompletionOf(id, _timeout.Token);
        using var read = await SendAsync(HttpMethod.Get, posted.Headers.Location.OriginalString, "viewer-bob");
        var done = await ReadAsync(read);
        Assert.Equal("ack", done.GetProperty("status").GetString());
        Assert.Equal("engine-control-plane-1", done.GetProperty("claimed_by").GetString());
        Assert.Equal(EngineState.Paused, _app.Services.GetRequiredService<TradingEngine>().State);

        // A client retrying the same request gets the same command back; the engine ran it once.
        using var again = await SendAsync(HttpMethod.Post, "/tradingkit/commands", "alice", "operator", Body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, (await ReadAsync(again)).GetProperty("command_id").GetGuid());
        Assert.Equal(1, _store.Inserted);
    }

    [Fact]
    public async Task KillSwitch_TurnsOnThroughTheEngine_WhichRecordsWhoAndWhy()
    {
        using var posted = await SendAsync(HttpMethod.Post, "/tradingkit/kill-switch", "alice", "operator", """{"on": true, "reason": "incident 42"}""");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var done = await _store.CompletionOf((await ReadAsync(posted)).GetProperty("command_id").GetGuid(), _timeout.Token);
        Assert.Equal(TradingKit.Commands.CommandStatus.Ack, done.Status);

        using var status = await SendAsync(HttpMethod.Get, "/tradingkit/status", "viewer-bob");
        Assert.Equal("on", (await ReadAsync(status)).GetProperty("kill_switch").GetString());
        var changes = new List<KillSwitchChanged>();
        await foreach (var envelope in _app.Services.GetRequiredService<IEventStore>().ReadAllAsync(cancellationToken: _timeout.Token))
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

        using var response = await _http.SendAsync(request, _timeout.Token);

        Assert.Equal(expected, response.StatusCode);
        if (code is not null)
        {
            Assert.Equal(code, (await ReadAsync(response)).GetProperty("code").GetString());
        }

        Assert.Equal(0, _store.Inserted);
        Assert.Equal(EngineState.Running, _app.Services.GetRequiredService<TradingEngine>().State);
    }

    [Fact]
    public async Task ReadModels_ShowTheSessionsOrdersFillsPositionsAndDays_AsOfTheirPosition()
    {
        var engine = _app.Services.GetRequiredService<TradingEngine>();
        var end = await _app.Services.GetRequiredService<IEventStore>().GetLastPositionAsync(_timeout.Token);
        await _app.Services.GetRequiredService<TradingKit.Hosting.ProjectionWorkerService>().WaitForPositionAsync(end, _timeout.Token);
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

    [Theory]
    [InlineData("/tradingkit/orders/tk-unknown-1", HttpStatusCode.NotFound, "ORDER_NOT_FOUND")]
    [InlineData("/tradingkit/orders/not%20an%20id", HttpStatusCode.BadRequest, "INVALID_IDENTIFIER")]
    [InlineData("/tradingkit/fills?order=not%20an%20id", HttpStatusCode.BadRequest, "INVALID_IDENTIFIER")]
    [InlineData("/tradingkit/orders?symbol=%20", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
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
        var page = await response.Content.ReadAsStringAsync(_timeout.Token);
        Assert.Contains("const url = \"/tradingkit/status\";", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, "viewer-bob");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadAsync(response);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string user, string roles = "", string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(HeaderAuthentication.UserHeader, user);
        request.Headers.Add(HeaderAuthentication.RolesHeader, roles);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        return await _http.SendAsync(request, _timeout.Token);
    }

    private async Task<JsonElement> ReadAsync(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<JsonElement>(_timeout.Token)).Clone();

    /// <summary>
    /// The test's authentication scheme: the user named in a header, with the roles of another; no header, no user. The
    /// control plane only sees a <see cref="ClaimsPrincipal"/>, as it would from cookies or bearer tokens.
    /// </summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestHeader";
        public const string UserHeader = "X-Test-User";
        public const string RolesHeader = "X-Test-Roles";

        /// <summary>Authenticated, but with no name claim.</summary>
        public const string Nameless = "(nameless)";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user) || user.ToString().Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim>();
            if (user.ToString() != Nameless)
            {
                claims.Add(new Claim(ClaimTypes.Name, user.ToString()));
            }

            foreach (var role in Request.Headers[RolesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }

            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
        }
    }

    /// <summary>Counts the market data the engine shows it; decides nothing.</summary>
    private sealed class CountingStrategy(int expected) : IStrategy
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task Seen => _seen.Task;

        public TradingKit.Domain.StrategyId Id { get; } = new("counter");

        public void OnStart(IStrategyContext context)
        {
        }

        public void OnMarketData(TradingKit.MarketData.MarketDataEvent marketData, IStrategyContext context)
        {
            if (++_count == expected)
            {
                _seen.TrySetResult();
            }
        }

        public void OnFill(TradingKit.Orders.Fill fill, IStrategyContext context)
        {
        }
    }
}
