using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.MarketData;

namespace TradingKit.Core.Tests.MarketData;

public sealed class CsvBarFeedTests : IDisposable
{
    private const string Header = "date,open,high,low,close,adjclose,volume";
    private static readonly Symbol Spx = new("SPX");
    private readonly string _dir = Directory.CreateTempSubdirectory("tk-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReadAll_GoodFile_ParsesEveryRow_WithOpenAtMidnightAndTimestampAtTheClose()
    {
        var path = Write(Header, "2020-01-02,10.5,12,10,11.25,11.25,1000", "2020-01-03,11.25,11.5,9.75,10,10,2e3");

        var bars = new CsvBarFeed(path, Spx).ReadAll();

        Assert.Equal(2, bars.Count);
        var first = bars[0];
        Assert.Equal(new Bar(Spx, At(2020, 1, 2), At(2020, 1, 3), 10.5m, 12m, 10m, 11.25m, 1000m), first);
        Assert.Equal(2000m, bars[1].Volume);
    }

    [Fact]
    public void ReadAll_WithASession_StampsBarsAtTheSessionOpenAndClose()
    {
        var path = Write(Header, "2020-01-02,10,12,9,11,11,1000");
        var session = new CsvBarFeedOptions { SessionOpen = new TimeSpan(14, 30, 0), SessionClose = TimeSpan.FromHours(21) };

        var bar = Assert.Single(new CsvBarFeed(path, Spx, session).ReadAll());

        Assert.Equal(At(2020, 1, 2).AddHours(14.5), bar.OpenTime);
        Assert.Equal(At(2020, 1, 2).AddHours(21), bar.Timestamp);
    }

    [Fact]
    public async Task ReadAsync_YieldsTheSameBarsAsReadAll()
    {
        var path = Write(Header, "2020-01-02,10,12,9,11,11,1000", "", "2020-01-03,11,13,10,12,12,1500", "");
        var feed = new CsvBarFeed(path, Spx);

        var streamed = new List<MarketDataEvent>();
        await foreach (var item in feed.ReadAsync())
        {
            streamed.Add(item);
        }

        Assert.Equal(feed.ReadAll(), streamed.Cast<Bar>());
        Assert.Equal(2, streamed.Count);
    }

    [Fact]
    public void ReadAll_WindowsLineEndingsAndHeaderCase_AreAccepted()
    {
        var path = Path.Combine(_dir, "crlf.csv");
        File.WriteAllText(path, "Date,Open,High,Low,Close,AdjClose,Volume\r\n2020-01-02,10,12,9,11,11,1000\r\n");

        Assert.Single(new CsvBarFeed(path, Spx).ReadAll());
    }

    [Theory]
    [InlineData("2020-01-03,10,12,9,abc,11,1000", 3, "close 'abc' is not a number")]
    [InlineData("2020-01-03,10,12,9,11,11", 3, "expected 7 fields")]
    [InlineData("2020-01-03,10,12,9,11,11,1000,5", 3, "expected 7 fields")]
    [InlineData("03/01/2020,10,12,9,11,11,1000", 3, "is not yyyy-MM-dd")]
    [InlineData("2020-01-03,10,8,9,11,11,1000", 3, "inconsistent bar")]
    [InlineData("2020-01-03,13,12,9,11,11,1000", 3, "inconsistent bar")]
    [InlineData("2020-01-01,10,12,9,11,11,1000", 3, "increasing date order")]
    [InlineData("2020-01-02,10,12,9,11,11,1000", 3, "increasing date order")]
    [InlineData("2020-01-03,10,12,9,11,11,-1", 3, "volume -1 is negative")]
    [InlineData("2020-01-03,0,12,0,11,11,1", 3, "prices must be positive")]
    public void ReadAll_MalformedRow_ThrowsMalformedNamingFileLineAndProblem(string row, int line, string problem)
    {
        var path = Write(Header, "2020-01-02,10,12,9,11,11,1000", row, "2020-01-10,10,12,9,11,11,1000");

        var ex = Assert.Throws<MarketDataException>(() => new CsvBarFeed(path, Spx).ReadAll());

        Assert.Equal(ErrorCodes.MarketDataMalformed, ex.Code);
        Assert.Equal(line, ex.LineNumber);
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MalformedRow_YieldsTheGoodRowsThenThrows()
    {
        var path = Write(Header, "2020-01-02,10,12,9,11,11,1000", "2020-01-03,x,12,9,11,11,1000");
        var seen = 0;

        var ex = await Assert.ThrowsAsync<MarketDataException>(async () =>
        {
            await foreach (var _ in new CsvBarFeed(path, Spx).ReadAsync())
            {
                seen++;
            }
        });

        Assert.Equal(1, seen);
        Assert.Equal(3, ex.LineNumber);
    }

    [Theory]
    [InlineData("open,high,low,close\n2020-01-02,1,1,1")]
    [InlineData("2020-01-02,10,12,9,11,11,1000")]
    [InlineData("")]
    public void ReadAll_MissingOrWrongHeader_ThrowsMalformedAtLineOne(string content)
    {
        var path = Path.Combine(_dir, "noheader.csv");
        File.WriteAllText(path, content);

        var ex = Assert.Throws<MarketDataException>(() => new CsvBarFeed(path, Spx).ReadAll());

        Assert.Equal(ErrorCodes.MarketDataMalformed, ex.Code);
        Assert.Equal(1, ex.LineNumber);
        Assert.Contains("header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_ThrowsNotFound_FromBothReaders()
    {
        var path = Path.Combine(_dir, "nope", "missing.csv");
        var feed = new CsvBarFeed(path, Spx);

        var sync = Assert.Throws<MarketDataException>(feed.ReadAll);
        var async = await Assert.ThrowsAsync<MarketDataException>(async () =>
        {
            await foreach (var _ in feed.ReadAsync())
            {
            }
        });

        Assert.Equal(ErrorCodes.MarketDataNotFound, sync.Code);
        Assert.Equal(ErrorCodes.MarketDataNotFound, async.Code);
        Assert.Contains(path, sync.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_InvertedSession_AreRejected()
    {
        var options = new CsvBarFeedOptions { SessionOpen = TimeSpan.FromHours(21), SessionClose = TimeSpan.FromHours(14) };

        var ex = Assert.Throws<TradingKitException>(() => new CsvBarFeed("x.csv", Spx, options));

        Assert.Equal(ErrorCodes.InvalidOptions, ex.Code);
    }

    [Fact]
    public void Fixture_FirstTenSp500Days_Parse()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "MarketData", "Fixtures", "sp500-2000-first10.csv");

        var bars = new CsvBarFeed(path, Spx).ReadAll();

        Assert.Equal(10, bars.Count);
        Assert.Equal(new Bar(Spx, At(2000, 1, 3), At(2000, 1, 4), 1469.25m, 1478m, 1438.359985m, 1455.219971m, 931_800_000m), bars[0]);
        Assert.Equal(At(2000, 1, 14), bars[^1].OpenTime);
    }

    [Fact]
    public void BundledSampleData_Sp500From2000_ParsesEveryTradingDay()
    {
        var path = Path.Combine(RepositoryRoot(), "samples", "TradingKit.Samples.Paper", "data", "sp500-2000.csv");

        var bars = new CsvBarFeed(path, Spx).ReadAll();

        // 5105 data rows follow the header: 2000-01-03 through 2020-04-17.
        Assert.Equal(5105, bars.Count);
        Assert.Equal(At(2000, 1, 3), bars[0].OpenTime);
        Assert.Equal(At(2020, 4, 17), bars[^1].OpenTime);
        Assert.Equal(2874.560059m, bars[^1].Close);
    }

    private static DateTimeOffset At(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    // Walks up from the test binaries, not the source path: CI builds are deterministic and map source paths to "/_/".
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TradingKit.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"no TradingKit.sln above {AppContext.BaseDirectory}");
    }

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_dir, $"bars-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
