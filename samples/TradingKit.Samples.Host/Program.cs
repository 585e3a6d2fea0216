using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TradingKit.Engine;
using TradingKit.Hosting;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Risk;
using TradingKit.Samples.Host;
using TradingKit.Strategies;
using TradingKit.Time;

// The paper session as a service: the hosted engine over the bundled S&P 500 bars at a watchable pace, its commands
// from the command store, its read models kept current, and the control plane and health endpoint over HTTP.
//   TRADINGKIT_API_KEY=<a long random key> dotnet run --project samples/TradingKit.Samples.Host
// Options: --Host:Urls (http://127.0.0.1:5080), --Host:PaceMs (200 per bar), --Host:Out (out),
// --Store:ConnectionString (PostgreSQL; in memory when empty), --Engine:SessionId.
var builder = WebApplication.CreateBuilder(args);
var key = Environment.GetEnvironmentVariable("TRADINGKIT_API_KEY");
if (string.IsNullOrWhiteSpace(key) || key.Trim().Length < 16)
{
    // No control plane without a credential: there is no anonymous mode to fall back to.
    await Console.Error.WriteLineAsync("error: set TRADINGKIT_API_KEY to a key of at least 16 characters; the control plane accepts 'Authorization: ApiKey <key>'.").ConfigureAwait(false);
    return 2;
}

var settings = builder.Configuration;
if (!int.TryParse(settings["Host:PaceMs"] ?? "200", NumberStyles.None, CultureInfo.InvariantCulture, out var paceMs))
{
    await Console.Error.WriteLineAsync($"error: --Host:PaceMs must be a whole number of milliseconds (got '{settings["Host:PaceMs"]}').").ConfigureAwait(false);
    return 2;
}

builder.WebHost.UseUrls(settings["Host:Urls"] ?? "http://127.0.0.1:5080");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
    .AddScheme<ApiKeyOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, o => o.KeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim())));
builder.Services.AddAuthorization();

var symbol = new TradingKit.Domain.Symbol("SPX");
var bars = new CsvBarFeed(Path.Combine(AppContext.BaseDirectory, "data", "sp500-2000.csv"), symbol).ReadAll();
var instrument = new Instrument(symbol, tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);
builder.Services.AddSingleton<TimeProvider>(new SimulationTimeProvider(bars[0].OpenTime));
var tradingKit = builder.Services.AddTradingKit(o =>
{
    o.SessionId = settings["Engine:SessionId"] is { Length: > 0 } id ? id : null;
    o.AccountId = "paper-account-0001";
    o.InitialCash = 100_000m;
    o.Execution.Mode = TradingKit.Execution.ExecutionMode.Paper;
    o.Instruments.Add(instrument);
});
if (settings["Store:ConnectionString"] is { Length: > 0 } connectionString)
{
    tradingKit.UsePostgres(connectionString);
}

tradingKit
    .UseInMemoryStores()
    .UsePaperVenue(o =>
    {
        o.InitialCash = 100_000m;
        o.SlippageBps = 2m;
        o.TakerFeeBps = 1m;
        o.Instruments = [instrument];
    })
    .AddStrategy(new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = symbol.Value, FastPeriod = 20, SlowPeriod = 50, EquityFraction = 0.95m, QuantityStep = 0.01m }))
    .UseRiskGuard(new RiskOptions
    {
        KillSwitch = { InitialState = KillSwitchState.Off },
        DailyLossLimit = 15_000m,
        MaxDrawdown = 80_000m,
        MaxOrderNotional = 500_000m,
        MaxPosition = 1_000m,
        WorstCaseLossFraction = 0.1m,
    })
    .UseFileJournal(settings["Host:Out"] is { Length: > 0 } output ? output : "out")
    .AddHostedEngine(sp => new PacedFeed(bars, TimeSpan.FromMilliseconds(paceMs), TimeProvider.System), o => o.StopHostWhenSessionEnds = false)
    .AddCommandExecutor()
    .AddProjectionWorker();
builder.Services.AddHealthChecks().AddTradingKitEngine();

var app = builder.Build();
if (settings["Store:ConnectionString"] is { Length: > 0 })
{
    await app.Services.GetRequiredService<TradingKit.Postgres.PostgresMigrator>().MigrateAsync().ConfigureAwait(false);
}

app.UseAuthentication();
app.UseAuthorization();
app.MapHealthChecks("/healthz");
app.MapTradingKitControlPlane("/tradingkit");
await app.StartAsync().ConfigureAwait(false);

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var engine = app.Services.GetRequiredService<TradingEngine>();
Console.WriteLine($"TradingKit host: session {engine.SessionId}, {bars.Count} bars of {symbol} at {paceMs} ms each");
Console.WriteLine($"Control plane: {address}/tradingkit/ (send 'Authorization: ApiKey <TRADINGKIT_API_KEY>'); health: {address}/healthz");
await app.WaitForShutdownAsync().ConfigureAwait(false);

var hosted = app.Services.GetRequiredService<HostedEngineService>();
Console.WriteLine($"Session {engine.SessionId}: {hosted.Status}{(hosted.Summary is { } s ? $", {s.Trades} round trips, final equity {s.FinalEquity.ToString("N2", CultureInfo.InvariantCulture)}" : "")}");
await app.DisposeAsync().ConfigureAwait(false);
return hosted.Status == HostedSessionStatus.Faulted ? 1 : 0;
