using System.Diagnostics;
using System.Text.Json;

namespace TradingKit.Samples.Paper.Tests;

/// <summary>Runs the real paper sample binary, as the README's first command does, and checks what a user sees.</summary>
public sealed class PaperSampleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tradingkit-sample-tests", Guid.NewGuid().ToString("N"));

    public PaperSampleTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task NoArguments_TradesTheBundledData_PrintsTheSummary_AndWritesTheJournal()
    {
        var (exit, output, error) = await RunAsync("--out", _dir);

        Assert.True(exit == 0, error);
        Assert.Contains("Session summary (USD)", output, StringComparison.Ordinal);
        Assert.Contains("Round trips", output, StringComparison.Ordinal);
        Assert.Contains("5105/5105 bars", output, StringComparison.Ordinal);
        var session = Assert.Single(Directory.GetDirectories(Path.Combine(_dir, "sessions")));
        foreach (var file in new[] { "ops_metadata.json", "decisions.jsonl", "orders_fills.jsonl", "trades.jsonl", "risk_events.jsonl", "summary.json" })
        {
            Assert.True(File.Exists(Path.Combine(session, file)), file);
        }

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(session, "summary.json")));
        Assert.True(summary.RootElement.GetProperty("trades").GetInt32() > 0);
        Assert.Equal("paper", JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(session, "ops_metadata.json"))).RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task SectionKeyOptions_ReachTheEngine_DryRunSendsNothing()
    {
        var (exit, output, error) = await RunAsync("--out", _dir, "--Execution:Mode", "dry-run", "--symbol", "SPY");

        Assert.True(exit == 0, error);
        Assert.Contains("Orders sent / rejected / denied", output, StringComparison.Ordinal);
        var session = Assert.Single(Directory.GetDirectories(Path.Combine(_dir, "sessions")));
        var records = await File.ReadAllLinesAsync(Path.Combine(session, "orders_fills.jsonl"));
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Contains("\"type\":\"order_denied\"", r, StringComparison.Ordinal));
        Assert.All(records, r => Assert.Contains("\"symbol\":\"SPY\"", r, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unknown option '--bogus'", "--bogus", "1")]
    [InlineData("data file 'nope.csv' not found", "--data", "nope.csv")]
    [InlineData("--pace must be a whole number", "--pace", "fast")]
    [InlineData("invalid setting in section 'Strategy'", "--Strategy:FastPeriod", "ten")]
    [InlineData("needs a value", "--seed")]
    [InlineData("error [INVALID_OPTIONS]: Oms options: MaxRetries must be 0-20 (got 50)", "--Oms:MaxRetries", "50")]
    [InlineData("RetainedTerminalOrders must be 1-100,000,000 (got 0)", "--Oms:RetainedTerminalOrders", "0")]
    [InlineData("SlippageBps must be in [0, 10000) (got -1)", "--Paper:SlippageBps", "-1")]
    public async Task BadInput_GetsAClearMessageAndExitCode2_NeverAStackTrace(string expected, params string[] args)
    {
        var (exit, output, error) = await RunAsync([.. args, "--out", _dir]);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedCsvRow_IsReportedWithItsLineNumber()
    {
        var csv = Path.Combine(_dir, "bad.csv");
        await File.WriteAllLinesAsync(csv, ["date,open,high,low,close,adjclose,volume", "2020-01-02,1,2,0.5,1.5,1.5,100", "2020-01-03,1,two,0.5,1.5,1.5,100"]);

        var (exit, _, error) = await RunAsync("--data", csv, "--out", _dir);

        Assert.Equal(2, exit);
        Assert.Contains("MARKET_DATA_MALFORMED", error, StringComparison.Ordinal);
        Assert.Contains("3", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "TradingKit.Samples.Paper.dll");
        Assert.True(File.Exists(sample), sample);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(sample);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
