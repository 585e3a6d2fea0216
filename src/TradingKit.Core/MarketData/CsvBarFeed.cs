using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.MarketData;

/// <summary>Where a daily bar's session starts and ends, on the bar's date, in UTC.</summary>
public sealed record CsvBarFeedOptions
{
    /// <summary>The session open, as an offset from the date's midnight UTC; the bar's <see cref="Bar.OpenTime"/>.</summary>
    /// <value>Defaults to <see cref="TimeSpan.Zero"/> (00:00 UTC).</value>
    public TimeSpan SessionOpen { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The session close, as an offset from the date's midnight UTC; the bar's <see cref="MarketDataEvent.Timestamp"/>,
    /// the moment its data became known. For US equities, 14:30 to 21:00 UTC.
    /// </summary>
    /// <value>Defaults to 24 hours (the next midnight UTC).</value>
    public TimeSpan SessionClose { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Checks that 0 &lt;= open &lt; close &lt;= 24 h.</summary>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c>, naming the problem.</exception>
    public void Validate()
    {
        if (SessionOpen < TimeSpan.Zero || SessionClose > TimeSpan.FromDays(1) || SessionOpen >= SessionClose)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions,
                $"CsvBarFeedOptions: the session must satisfy 00:00 <= open < close <= 24:00 (got open {SessionOpen}, close {SessionClose}).");
        }
    }
}

/// <summary>A market data file that is missing or cannot be read.</summary>
public sealed class MarketDataException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code"><c>MARKET_DATA_MALFORMED</c> or <c>MARKET_DATA_NOT_FOUND</c>.</param>
    /// <param name="filePath">The file.</param>
    /// <param name="lineNumber">The 1-based line at fault, or null when the whole file is.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MarketDataException(string code, string filePath, int? lineNumber, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line at fault, or null when the whole file is.</summary>
    public int? LineNumber { get; }
}

/// <summary>
/// Replays daily bars from a CSV file with the header <c>date,open,high,low,close,adjclose,volume</c>
/// (the layout of common end-of-day downloads), parsed with the invariant culture.
/// </summary>
/// <remarks>
/// Each row becomes a <see cref="Bar"/> opening at the date plus <see cref="CsvBarFeedOptions.SessionOpen"/> and
/// stamped at the date plus <see cref="CsvBarFeedOptions.SessionClose"/>, because a bar is only known once it closes.
/// The adjusted close is checked but not used. Rows must be in strictly increasing date order with
/// low &lt;= open, close &lt;= high; anything else stops the feed with <c>MARKET_DATA_MALFORMED</c> naming the
/// file and line, so a bad row is never silently skipped. Blank lines are ignored.
/// </remarks>
public sealed class CsvBarFeed : IMarketDataFeed
{
    private const string ExpectedHeader = "date,open,high,low,close,adjclose,volume";
    private const int FieldCount = 7;

    private readonly string _path;
    private readonly Symbol _symbol;
    private readonly CsvBarFeedOptions _options;

    /// <summary>Creates a feed over one file. The file is opened when read, not here.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="symbol">The instrument the bars belong to.</param>
    /// <param name="options">The session times; defaults when null.</param>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c> when the session is inconsistent.</exception>
    public CsvBarFeed(string path, Symbol symbol, CsvBarFeedOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new CsvBarFeedOptions();
        _options.Validate();
        _path = path;
        _symbol = symbol;
    }

    /// <summary>The file read.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    /// <exception cref="MarketDataException"><c>MARKET_DATA_NOT_FOUND</c> or <c>MARKET_DATA_MALFORMED</c>.</exception>
    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = Open();
        var parser = new RowParser(this);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (parser.Accept(line) is { } bar)
            {
                yield return bar;
            }
        }

        parser.Finish();
    }

    /// <summary>Reads every bar at once.</summary>
    /// <returns>The bars, oldest first.</returns>
    /// <exception cref="MarketDataException"><c>MARKET_DATA_NOT_FOUND</c> or <c>MARKET_DATA_MALFORMED</c>.</exception>
    public IReadOnlyList<Bar> ReadAll()
    {
        using var reader = Open();
        var parser = new RowParser(this);
        var bars = new List<Bar>();
        while (reader.ReadLine() is { } line)
        {
            if (parser.Accept(line) is { } bar)
            {
                bars.Add(bar);
            }
        }

        parser.Finish();
        return bars;
    }

    private StreamReader Open()
    {
        try
        {
            return new StreamReader(_path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
                new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.SequentialScan });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MarketDataException(ErrorCodes.MarketDataNotFound, _path, null,
                $"Market data file '{_path}' was not found; check the path (relative paths resolve against {Environment.CurrentDirectory}).", ex);
        }
    }

    private MarketDataException Malformed(int line, string problem)
        => new(ErrorCodes.MarketDataMalformed, _path, line, $"{_path}, line {line}: {problem}.");

    /// <summary>Turns lines into bars, one at a time, carrying the line number and the previous date.</summary>
    private sealed class RowParser(CsvBarFeed feed)
    {
        private int _line;
        private bool _headerSeen;
        private DateOnly? _previous;

        public Bar? Accept(string text)
        {
            _line++;
            var line = text.AsSpan().Trim();
            if (!_headerSeen)
            {
                if (!line.Equals(ExpectedHeader, StringComparison.OrdinalIgnoreCase))
                {
                    throw feed.Malformed(_line, $"expected the header '{ExpectedHeader}', found '{text}'");
                }

                _headerSeen = true;
                return null;
            }

            return line.IsEmpty ? null : Parse(line);
        }

        public void Finish()
        {
            if (!_headerSeen)
            {
                throw feed.Malformed(1, $"the file is empty; expected the header '{ExpectedHeader}'");
            }
        }

        private Bar Parse(ReadOnlySpan<char> line)
        {
            Span<Range> fields = stackalloc Range[FieldCount + 1];
            var count = line.Split(fields, ',');
            if (count != FieldCount)
            {
                throw feed.Malformed(_line, $"expected {FieldCount} fields (date,open,high,low,close,adjclose,volume), found {(count > FieldCount ? "more" : count.ToString(CultureInfo.InvariantCulture))}");
            }

            var dateText = line[fields[0]].Trim();
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw feed.Malformed(_line, $"date '{dateText}' is not yyyy-MM-dd");
            }

            if (_previous is { } previous && date <= previous)
            {
                throw feed.Malformed(_line, $"date {dateText} is not after the previous row's {previous:yyyy-MM-dd}; rows must be in increasing date order");
            }

            var open = Number(line[fields[1]], "open");
            var high = Number(line[fields[2]], "high");
            var low = Number(line[fields[3]], "low");
            var close = Number(line[fields[4]], "close");
            _ = Number(line[fields[5]], "adjclose");
            var volume = Number(line[fields[6]], "volume");
            if (low <= 0m)
            {
                throw feed.Malformed(_line, $"prices must be positive (low {low})");
            }

            if (volume < 0m)
            {
                throw feed.Malformed(_line, $"volume {volume} is negative");
            }

            if (low > high || open < low || open > high || close < low || close > high)
            {
                throw feed.Malformed(_line, $"inconsistent bar: open {open}, high {high}, low {low}, close {close} (need low <= open, close <= high)");
            }

            _previous = date;
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return new Bar(feed._symbol, midnight + feed._options.SessionOpen, midnight + feed._options.SessionClose, open, high, low, close, volume);
        }

        private decimal Number(ReadOnlySpan<char> field, string column)
        {
            var text = field.Trim();
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out var value))
            {
                throw feed.Malformed(_line, $"{column} '{text}' is not a number");
            }

            return value;
        }
    }
}
