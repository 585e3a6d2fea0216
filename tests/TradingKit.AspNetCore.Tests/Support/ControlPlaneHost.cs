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

namespace TradingKit.AspNetCore.Tests.Support;

/// <summary>
/// A web host for the control plane tests: Kestrel on loopback in front of a hosted paper engine that has played its whole
/// feed and waits for more, with a header authentication scheme (user and roles named in headers).
/// </summary>
public abstract class ControlPlaneHost : IAsyncLifetime
{
    protected string JournalRoot { get; } = Path.Combine(Path.GetTempPath(), "tradingkit-control-plane-tests", Guid.NewGuid().ToString("N"));
    protected SignallingCommandStore Commands { get; } = new();
    protected const int Bars = 120;
    protected LiveFeed Feed { get; } = new(TestBars.RandomWalk(Bars));
    private CountingStrategy Counter { get; } = new(Bars);
    protected CancellationTokenSource Patience { get; } = new(TimeSpan.FromMinutes(1));
    protected WebApplication App { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    /// <summary>Approval mode: every intent becomes a proposal (seed 001) and nothing is placed without a human.</summary>
    protected virtual bool ApprovalMode => false;

    /// <summary>Worker mode's worker id (seed 002); null runs no worker.</summary>
    protected virtual string? WorkerId => null;

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
                o.Execution.RequireApproval = ApprovalMode;
                o.Worker.WorkerId = WorkerId;
                o.Worker.LockTtl = TimeSpan.FromDays(10);
                o.Worker.HeartbeatInterval = TimeSpan.FromDays(1);

                // The risk guard refuses symbols it has no rules for.
                o.Instruments.Add(new TradingKit.Instruments.Instrument(TestBars.Spx, 0.01m, 0.01m, 0.01m, 1_000_000m));
            })
            .UseInMemoryStores()
            .UsePaperVenue(o => o.InitialCash = 100_000m)
            .AddStrategy(new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = TestBars.Spx.Value, FastPeriod = 3, SlowPeriod = 10 }))
            .AddStrategy(Counter)
            .UseRiskGuard(new RiskOptions { KillSwitch = { InitialState = KillSwitchState.Off } })
            .UseFileJournal(JournalRoot)
            .UseApprovalGateWhen(ApprovalMode)
            .AddHostedEngine(_ => Feed)
            .AddCommandExecutor()
            .AddProjectionWorker();
        builder.Services.RemoveAll<ICommandStore>();
        builder.Services.AddSingleton<ICommandStore>(Commands);

        App = builder.Build();
        App.UseAuthentication();
        App.UseAuthorization();
        App.MapTradingKitControlPlane("/tradingkit", o => o.OperatePolicy = "operators");
        await App.StartAsync(Patience.Token);
        await Feed.AllGiven.WaitAsync(Patience.Token);

        // Every bar has reached the strategies; a command queued behind the last one comes back once it is done, so each
        // test starts with an engine that has processed the whole feed and waits for more. (Resuming a running engine
        // is refused and changes nothing.)
        await Counter.Seen.WaitAsync(Patience.Token);
        var barrier = await App.Services.GetRequiredService<TradingEngine>().ExecuteAsync(
            new TradingKit.Commands.CommandEnvelope(Guid.NewGuid(), "barrier", new TradingKit.Commands.ResumeEngine("barrier"), "test", DateTimeOffset.UnixEpoch,
                TradingKit.Domain.CorrelationId.New()), Patience.Token);
        Assert.False(barrier.Succeeded);
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        Patience.Dispose();
        if (Directory.Exists(JournalRoot))
        {
            Directory.Delete(JournalRoot, recursive: true);
        }
    }

    protected async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, "viewer-bob");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadAsync(response);
    }

    protected static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    protected async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string user, string roles = "", string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(HeaderAuthentication.UserHeader, user);
        request.Headers.Add(HeaderAuthentication.RolesHeader, roles);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        return await Http.SendAsync(request, Patience.Token);
    }

    protected async Task<JsonElement> ReadAsync(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<JsonElement>(Patience.Token)).Clone();

    /// <summary>
    /// The test's authentication scheme: the user named in a header, with the roles of another; no header, no user. The
    /// control plane only sees a <see cref="ClaimsPrincipal"/>, as it would from cookies or bearer tokens.
    /// </summary>
    protected sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
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

internal static class ApprovalModeComposition
{
    /// <summary>The test key; a host loads its own from a secret store.</summary>
    private static readonly byte[] SigningKey = [.. Enumerable.Range(40, 32).Select(i => (byte)i)];

    public static TradingKit.DependencyInjection.TradingKitBuilder UseApprovalGateWhen(this TradingKit.DependencyInjection.TradingKitBuilder builder, bool on)
        => on ? builder.UseApprovalGate(new TradingKit.Execution.Approvals.ApprovalGateOptions { SigningKey = SigningKey }) : builder;
}
