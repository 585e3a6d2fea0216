using TradingKit.Execution;
using System.Globalization;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.Samples.Binance;

namespace TradingKit.Binance.Tests.Samples;

/// <summary>The Binance sample's composition, run against the local fake venue for a few bars.</summary>
public sealed class BinanceSampleTests : IDisposable
{
    // Four falling closes, then a jump: with periods 2/3 the fast average crosses above the slow one on bar 5 (a buy).
    private static readonly decimal[] Closes = [50_000m, 49_900m, 49_800m, 49_700m, 51_000m, 52_000m];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tk-binance-sample-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task DryRunByDefault_JournalsDecisionsAndIntents_AndNoOrderLeaves()
    {
        await using var h = await Harness.StartAsync();
        var settings = Load(h);
        var output = new StringWriter();

        var run = BinanceSession.RunAsync(settings, h.Time, output, CancellationToken.None);
        await FeedBarsAsync(h, run);
        var (summary, journal, dryRun) = await run.Bounded();

        Assert.Equal("dry-run", settings.Engine.Execution.Mode.ToConfigValue());

        // The engine's own gate journals the intent as denied (EXECUTION_DRY_RUN) before any venue call, so the sample's
        // dry-run broker, its second safety net, never sees an order.
        Assert.Empty(dryRun!.Intents);
        Assert.Equal(0, summary.OrdersSubmitted);
        Assert.Equal(1, summary.OrdersDenied);
        Assert.Equal(0, summary.Fills);

        // Nothing that sends, nothing signed: only public market information was asked for.
        Assert.Equal(0, h.Venue.Count("POST", "/fapi/v1/order"));
        Assert.DoesNotContain(h.Venue.Requests, r => r.Query.ContainsKey("signature") || r.ApiKey is not null);

        Assert.Equal(Closes.Length, File.ReadAllLines(Path.Combine(journal, "decisions.jsonl")).Length);
        var orders = File.ReadAllText(Path.Combine(journal, "orders_fills.jsonl"));
        Assert.Contains("\"type\":\"order_denied\"", orders, StringComparison.Ordinal);
        Assert.Contains("EXECUTION_DRY_RUN", orders, StringComparison.Ordinal);
        Assert.Contains("\"side\":\"buy\"", orders, StringComparison.Ordinal);
        Assert.Contains("DRY RUN", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WhileRunning_EndsGracefully_WithTheSummaryJournaled()
    {
        await using var h = await Harness.StartAsync();
        var settings = Load(h, "--bars", "0");
        using var stop = new CancellationTokenSource();

        var run = BinanceSession.RunAsync(settings, h.Time, TextWriter.Null, stop.Token);
        await h.Venue.WaitForMarketConnectionsAsync(1).Bounded();
        await stop.CancelAsync();
        var (summary, journal, _) = await run.Bounded();

        Assert.Equal(0, summary.OrdersSubmitted);
        Assert.True(File.Exists(Path.Combine(journal, "summary.json")));
    }

    [Fact]
    public async Task Live_WithKeysAndAConfiguredRiskGuard_SendsTheOrderToTheConfiguredVenue()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.PushOrderUpdates = true;
        var settings = Load(h, "--mode", "live", "--Risk:DailyLossLimit", "1000", "--Risk:MaxPosition", "1", "--Risk:MaxOrderNotional", "1000");
        settings.Binance.ApiKey = FakeBinance.ApiKey;
        settings.Binance.ApiSecret = FakeBinance.ApiSecret;

        var run = BinanceSession.RunAsync(settings, h.Time, TextWriter.Null, CancellationToken.None);
        await FeedBarsAsync(h, run);
        var (summary, _, dryRun) = await run.Bounded();

        Assert.Null(dryRun);
        Assert.Equal(1, summary.OrdersSubmitted);
        var sent = Assert.Single(h.Venue.Requests, r => r.Method == "POST" && r.Path == "/fapi/v1/order");
        Assert.True(sent.SignatureValid);
        Assert.Equal(("BUY", "MARKET", "BTCUSDT"), (sent["side"], sent["type"], sent["symbol"]));
    }

    [Fact]
    public async Task Live_WithoutRiskLimits_RefusesToStart_BeforeAnyOrderOrStream()
    {
        await using var h = await Harness.StartAsync();
        var settings = Load(h, "--mode", "live");
        settings.Binance.ApiKey = FakeBinance.ApiKey;
        settings.Binance.ApiSecret = FakeBinance.ApiSecret;

        var ex = await Assert.ThrowsAsync<TradingKitException>(() => BinanceSession.RunAsync(settings, h.Time, TextWriter.Null, CancellationToken.None).Bounded());

        Assert.Equal(ErrorCodes.LiveGuardNotEnabled, ex.Code);
        Assert.Equal(0, h.Venue.Count("POST", "/fapi/v1/order"));
        Assert.Equal(0, h.Venue.Count("POST", "/fapi/v1/listenKey"));
    }

    [Fact]
    public async Task Live_WithoutKeys_ExitsNonZero_WithOneClearLine_AndNoVenueCall()
    {
        await using var h = await Harness.StartAsync();
        var (code, output, error) = await RunCliAsync(h, "--mode", "live", "--Risk:DailyLossLimit", "100", "--Risk:MaxPosition", "1", "--Risk:MaxOrderNotional", "1000");

        Assert.Equal(2, code);
        Assert.StartsWith($"error [{BinanceErrorCodes.CredentialsMissing}]", error, StringComparison.Ordinal);
        Assert.Contains("Binance:ApiKey", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        Assert.Empty(h.Venue.Requests);
    }

    [Theory]
    [InlineData("--bars", "-1")]
    [InlineData("--interval", "7m")]
    [InlineData("--mode", "paper")]
    [InlineData("--mode", "sometimes")]
    [InlineData("--Binance:Environment", "Mainnet")]
    [InlineData("--Binance:RestBaseUrl", "not a url")]
    [InlineData("--Binance:ApiSecret", "abc")]
    [InlineData("--Strategy:FastPeriod", "9", "--Strategy:SlowPeriod", "3")]
    [InlineData("--nope", "1")]
    [InlineData("stray")]
    public async Task BadInput_ExitsNonZero_WithAMessage_AndNoStackTrace(params string[] args)
    {
        await using var h = await Harness.StartAsync();
        var (code, output, error) = await RunCliAsync(h, args);

        Assert.Equal(2, code);
        Assert.StartsWith("error", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Venue.Requests, r => r.Method != "GET" || r.Path != "/fapi/v1/exchangeInfo");
    }

    [Fact]
    public async Task UnreachableVenue_ExitsOne_WithOneLine_AndNoStackTrace()
    {
        await using var h = await Harness.StartAsync();
        h.Venue.Once("GET", "/fapi/v1/exchangeInfo", FakeResponse.Error(400, -1121, "Invalid symbol."));

        var (code, output, error) = await RunCliAsync(h, "--symbol", "NOPEUSDT");

        Assert.Equal(1, code);
        Assert.StartsWith("error [", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsTheOptions_AndExitsZero()
    {
        await using var h = await Harness.StartAsync();
        var (code, output, _) = await RunCliAsync(h, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--Binance:RestBaseUrl", output, StringComparison.Ordinal);
        Assert.Contains("dry-run (default", output, StringComparison.Ordinal);
    }

    private SampleSettings Load(Harness h, params string[] extra)
    {
        Directory.CreateDirectory(_folder);
        return SampleSettings.Load([.. BaseArgs(h), .. extra], basePath: _folder)!;
    }

    private string[] BaseArgs(Harness h) =>
    [
        "--Binance:RestBaseUrl", h.Venue.RestBaseUrl.ToString(), "--Binance:StreamBaseUrl", h.Venue.StreamBaseUrl.ToString(),
        "--bars", Closes.Length.ToString(CultureInfo.InvariantCulture), "--out", _folder,
        "--Strategy:FastPeriod", "2", "--Strategy:SlowPeriod", "3", "--Engine:SessionId", "sample-test",
    ];

    private async Task<(int Code, string Output, string Error)> RunCliAsync(Harness h, params string[] args)
    {
        Directory.CreateDirectory(_folder);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await SampleProgram.RunAsync([.. BaseArgs(h), .. args], output, error, h.Time, CancellationToken.None, basePath: _folder).Bounded();
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Sends one closed 1m kline per close once the sample's feed is connected.</summary>
    private static async Task FeedBarsAsync(Harness h, Task run)
    {
        var connected = h.Venue.WaitForMarketConnectionsAsync(1);
        if (await Task.WhenAny(connected, run).Bounded() == run)
        {
            await run; // surfaces the start-up failure
        }

        var open = h.Time.GetUtcNow().ToUnixTimeMilliseconds() - (Closes.Length * 60_000L);
        foreach (var close in Closes)
        {
            var c = close.ToString(CultureInfo.InvariantCulture);
            var kline = $$"""{"t":{{open}},"T":{{open + 59_999}},"s":"BTCUSDT","i":"1m","o":"{{c}}","c":"{{c}}","h":"{{c}}","l":"{{c}}","v":"10","x":true}""";
            var data = $$"""{"e":"kline","E":{{open + 60_000}},"s":"BTCUSDT","k":""" + kline + "}";
            await h.Venue.SendMarketAsync("""{"stream":"btcusdt@kline_1m","data":""" + data + "}");
            open += 60_000;
        }
    }
}
