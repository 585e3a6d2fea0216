using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Strategies;

namespace TradingKit.Journal;

/// <summary>
/// Writes the session journal as files under <c>&lt;root&gt;/sessions/&lt;session_id&gt;/</c>: <c>ops_metadata.json</c>,
/// <c>decisions.jsonl</c>, <c>orders_fills.jsonl</c>, <c>trades.jsonl</c>, <c>risk_events.jsonl</c> and <c>summary.json</c>.
/// Field names and meanings are documented in <c>docs/journal.md</c>. Numbers are JSON numbers carrying the full decimal value.
/// </summary>
public sealed class FileSessionJournal : ISessionJournal
{
    private readonly SessionId _sessionId;
    private readonly JsonlFile _decisions;
    private readonly JsonlFile _ordersFills;
    private readonly JsonlFile _trades;
    private readonly JsonlFile _riskEvents;
    private readonly HashSet<string> _orderRecords = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fillRecords = new(StringComparer.Ordinal);
    private int _tradeRecords;

    // Which records the journal holds matters only to Backfill; once it has run, nothing more is tracked.
    private bool _tracking = true;
    private bool _disposed;

    /// <summary>Creates the session folder and opens its files (replacing files of a previous run of the same session id).</summary>
    /// <param name="root">The output root; the journal goes to <c>root/sessions/&lt;session_id&gt;</c>.</param>
    /// <param name="sessionId">The session.</param>
    public FileSessionJournal(string root, SessionId sessionId)
        : this(root, sessionId, new FileSessionJournalOptions())
    {
    }

    /// <summary>Creates the session folder and opens its files, replacing or resuming them as <paramref name="options"/> say.</summary>
    /// <param name="root">The output root; the journal goes to <c>root/sessions/&lt;session_id&gt;</c>.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="options">Replace or resume; flush policy.</param>
    public FileSessionJournal(string root, SessionId sessionId, FileSessionJournalOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(options);
        _sessionId = sessionId;
        Directory = Path.Combine(root, "sessions", sessionId.Value);
        System.IO.Directory.CreateDirectory(Directory);
        var ordersFillsPath = Path.Combine(Directory, "orders_fills.jsonl");
        var tradesPath = Path.Combine(Directory, "trades.jsonl");
        if (options.Resume)
        {
            IndexExisting(ordersFillsPath, tradesPath);
        }

        _decisions = new JsonlFile(Path.Combine(Directory, "decisions.jsonl"), options);
        _ordersFills = new JsonlFile(ordersFillsPath, options);
        _trades = new JsonlFile(tradesPath, options);
        _riskEvents = new JsonlFile(Path.Combine(Directory, "risk_events.jsonl"), options);
    }

    /// <summary>The session folder.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public void WriteMetadata(OpsMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        WriteJsonFile("ops_metadata.json", w =>
        {
            w.WriteStartObject();
            w.WriteString("session_id", metadata.SessionId.Value);
            w.WriteString("mode", metadata.Mode);
            w.WriteString("venue", metadata.Venue);
            w.WriteString("account", metadata.AccountMasked);
            w.WriteStartArray("strategies");
            foreach (var s in metadata.Strategies)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
            w.WriteString("config_hash", metadata.ConfigHash);
            w.WriteString("code_version", metadata.CodeVersion);
            w.WriteNumber("schema_version", metadata.SchemaVersion);
            w.WriteString("started_at", FormatTime(metadata.StartedAt));
            w.WriteStartObject("settings");
            foreach (var (key, value) in metadata.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <inheritdoc />
    public void WriteDecision(DateTimeOffset timestamp, StrategyId strategy, in Decision decision, decimal? price)
    {
        var w = _decisions.Begin();
        Header(w, timestamp, "decision");
        w.WriteString("strategy_id", strategy.Value);
        w.WriteString("symbol", decision.Symbol.Value);
        w.WriteString("action", ActionName(decision.Action));
        w.WriteStartArray("reason_codes");
        var reasons = decision.ReasonCodes;
        for (var i = 0; i < reasons.Count; i++)
        {
            w.WriteStringValue(reasons[i]);
        }

        w.WriteEndArray();
        if (decision.Action is DecisionAction.Buy or DecisionAction.Sell)
        {
            w.WriteNumber("qty", decision.Quantity);
        }
        else
        {
            w.WriteNull("qty");
        }

        WriteNullable(w, "price", price);
        _decisions.End();
    }

    /// <inheritdoc />
    public void WriteOrder(DateTimeOffset timestamp, string type, Order order, string? reason)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (_tracking)
        {
            _orderRecords.Add(OrderKey(type, order.ClientOrderId.Value));
        }

        var w = _ordersFills.Begin();
        Header(w, timestamp, type);
        w.WriteString("client_order_id", order.ClientOrderId.Value);
        if (order.VenueOrderId is { } venueId)
        {
            w.WriteString("venue_order_id", venueId.Value);
        }

        w.WriteString("symbol", order.Symbol.Value);
        w.WriteString("side", SideName(order.Side));
        w.WriteString("order_type", OrderTypeName(order.Type));
        w.WriteNumber("qty", order.Quantity);
        WriteNullable(w, "price", order.LimitPrice);
        if (order.StopPrice is { } stop)
        {
            w.WriteNumber("stop_price", stop);
        }

        w.WriteString("time_in_force", order.Request.TimeInForce.ToString().ToUpperInvariant());
        w.WriteString("status", order.Status.ToString());
        w.WriteNumber("filled_qty", order.FilledQuantity);
        if (reason is not null)
        {
            w.WriteString("reason", reason);
        }

        _ordersFills.End();
    }

    /// <inheritdoc />
    public void WriteFill(DateTimeOffset timestamp, Fill fill, decimal? slippageBps)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (_tracking)
        {
            _fillRecords.Add(fill.TradeId.Value);
        }

        var w = _ordersFills.Begin();
        Header(w, timestamp, OrderRecordTypes.Fill);
        w.WriteString("client_order_id", fill.ClientOrderId.Value);
        w.WriteString("trade_id", fill.TradeId.Value);
        w.WriteString("symbol", fill.Symbol.Value);
        w.WriteString("side", SideName(fill.Side));
        w.WriteNumber("qty", fill.Quantity);
        w.WriteNumber("price", fill.Price);
        w.WriteNumber("fee", fill.Fee);
        w.WriteString("fee_currency", fill.FeeCurrency);
        w.WriteString("liquidity", fill.Liquidity == LiquiditySide.Maker ? "maker" : "taker");
        w.WriteString("executed_at", FormatTime(fill.Timestamp));
        WriteNullable(w, "slippage_bps", slippageBps);
        _ordersFills.End();
    }

    /// <inheritdoc />
    public void WriteTrade(TradeRecord trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        _tradeRecords++;
        var w = _trades.Begin();
        Header(w, trade.ExitTime, "trade");
        w.WriteString("symbol", trade.Symbol.Value);
        w.WriteString("side", trade.Side);
        w.WriteNumber("qty", trade.Quantity);
        w.WriteString("entry_ts", FormatTime(trade.EntryTime));
        w.WriteNumber("entry_price", trade.EntryPrice);
        w.WriteString("exit_ts", FormatTime(trade.ExitTime));
        w.WriteNumber("exit_price", trade.ExitPrice);
        w.WriteNumber("fees", trade.Fees);
        w.WriteNumber("gross_pnl", trade.GrossPnl);
        w.WriteNumber("pnl", trade.Pnl);
        _trades.End();
    }

    /// <inheritdoc />
    public void WriteRiskEvent(RiskEventRecord riskEvent)
    {
        ArgumentNullException.ThrowIfNull(riskEvent);
        var w = _riskEvents.Begin();
        Header(w, riskEvent.Timestamp, riskEvent.Type);
        w.WriteString("code", riskEvent.Code);
        WriteNullable(w, "rule", riskEvent.Rule);
        WriteNullable(w, "threshold", riskEvent.Threshold);
        WriteNullable(w, "observed", riskEvent.Observed);
        WriteNullable(w, "message", riskEvent.Message);
        WriteNullable(w, "client_order_id", riskEvent.ClientOrderId?.Value);
        WriteNullable(w, "symbol", riskEvent.Symbol?.Value);
        if (riskEvent.Details.Count > 0)
        {
            w.WriteStartObject("details");
            foreach (var (key, value) in riskEvent.Details.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(key, value);
            }

            w.WriteEndObject();
        }

        _riskEvents.End();
    }

    /// <inheritdoc />
    public void WriteSummary(SessionSummaryRecord summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        WriteJsonFile("summary.json", w =>
        {
            w.WriteStartObject();
            w.WriteString("session_id", summary.SessionId.Value);
            w.WriteString("started_at", FormatTime(summary.StartedAt));
            w.WriteString("ended_at", FormatTime(summary.EndedAt));
            w.WriteNumber("trades", summary.Trades);
            w.WriteNumber("wins", summary.Wins);
            w.WriteNumber("losses", summary.Losses);
            w.WriteNumber("win_rate", summary.WinRate);
            w.WriteNumber("average_pnl", summary.AveragePnl);
            w.WriteNumber("max_loss", summary.MaxLoss);
            w.WriteNumber("realized_pnl", summary.RealizedPnl);
            w.WriteNumber("unrealized_pnl", summary.UnrealizedPnl);
            w.WriteNumber("fees", summary.Fees);
            w.WriteNumber("slippage", summary.Slippage);
            w.WriteNumber("max_drawdown", summary.MaxDrawdown);
            w.WriteNumber("final_cash", summary.FinalCash);
            WriteMap(w, "final_positions", summary.FinalPositions);
            WriteMap(w, "last_prices", summary.LastPrices);
            w.WriteNumber("final_equity", summary.FinalEquity);
            w.WriteNumber("orders_submitted", summary.OrdersSubmitted);
            w.WriteNumber("orders_rejected", summary.OrdersRejected);
            w.WriteNumber("orders_denied", summary.OrdersDenied);
            w.WriteNumber("fills", summary.Fills);
            WriteMap(w, "unclosed_positions", summary.Unclosed);
            w.WriteEndObject();
        });
    }

    /// <inheritdoc />
    public void Backfill(JournalBackfill backfill)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        foreach (var record in backfill.Orders)
        {
            if (!_orderRecords.Contains(OrderKey(record.Type, record.Order.ClientOrderId.Value)))
            {
                WriteOrder(record.Timestamp, record.Type, record.Order, record.Reason);
            }
        }

        foreach (var fill in backfill.Fills)
        {
            if (!_fillRecords.Contains(fill.TradeId.Value))
            {
                // Only orders recorded with a decision price (order_submitted version 2) have a slippage figure.
                WriteFill(fill.Timestamp, fill, backfill.SlippageBps.TryGetValue(fill.TradeId, out var bps) ? bps : null);
            }
        }

        for (var i = _tradeRecords; i < backfill.Trades.Count; i++)
        {
            WriteTrade(backfill.Trades[i]);
        }

        // A session's journal is backfilled once, at start: the sets would otherwise grow with every record it writes.
        _tracking = false;
        _orderRecords.Clear();
        _orderRecords.TrimExcess();
        _fillRecords.Clear();
        _fillRecords.TrimExcess();
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _decisions.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _ordersFills.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _trades.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _riskEvents.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _decisions.DisposeAsync().ConfigureAwait(false);
        await _ordersFills.DisposeAsync().ConfigureAwait(false);
        await _trades.DisposeAsync().ConfigureAwait(false);
        await _riskEvents.DisposeAsync().ConfigureAwait(false);
    }

    private static string OrderKey(string type, string clientOrderId) => type + "|" + clientOrderId;

    /// <summary>Learns which order, fill and trade records a resumed journal already holds (complete lines only).</summary>
    private void IndexExisting(string ordersFillsPath, string tradesPath)
    {
        foreach (var line in JsonlFile.ReadCompleteLines(ordersFillsPath))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == OrderRecordTypes.Fill && root.TryGetProperty("trade_id", out var tradeId))
            {
                _fillRecords.Add(tradeId.GetString() ?? string.Empty);
            }
            else if (type is not null && root.TryGetProperty("client_order_id", out var clientOrderId))
            {
                _orderRecords.Add(OrderKey(type, clientOrderId.GetString() ?? string.Empty));
            }
        }

        _tradeRecords = JsonlFile.ReadCompleteLines(tradesPath).Count();
    }

    /// <summary>Formats an engine time as ISO-8601 UTC with the trailing <c>Z</c>.</summary>
    /// <param name="time">The time.</param>
    /// <returns>The text.</returns>
    public static string FormatTime(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private void Header(Utf8JsonWriter w, DateTimeOffset timestamp, string type)
    {
        w.WriteString("ts", FormatTime(timestamp));
        w.WriteString("type", type);
        w.WriteString("session_id", _sessionId.Value);
    }

    private void WriteJsonFile(string name, Action<Utf8JsonWriter> write)
    {
        using var stream = new FileStream(Path.Combine(Directory, name), FileMode.Create, FileAccess.Write, FileShare.Read);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        write(writer);
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, decimal> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(key, value);
        }

        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>The journal name of an order side.</summary>
    /// <param name="side">The side.</param>
    /// <returns><c>buy</c> or <c>sell</c>.</returns>
    public static string SideName(OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";

    /// <summary>The journal name of an order type.</summary>
    /// <param name="type">The type.</param>
    /// <returns>For example <c>market</c>, <c>stop_limit</c>.</returns>
    public static string OrderTypeName(OrderType type) => type switch
    {
        OrderType.Market => "market",
        OrderType.Limit => "limit",
        OrderType.StopMarket => "stop_market",
        OrderType.StopLimit => "stop_limit",
        OrderType.TakeProfitMarket => "take_profit_market",
        OrderType.TakeProfitLimit => "take_profit_limit",
        OrderType.TrailingStop => "trailing_stop",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string ActionName(DecisionAction action) => action switch
    {
        DecisionAction.Buy => "buy",
        DecisionAction.Sell => "sell",
        DecisionAction.Close => "close",
        _ => "hold",
    };

    /// <summary>One JSONL file: a buffered stream and a reused writer, one record per line.</summary>
    private sealed class JsonlFile : IAsyncDisposable
    {
        private static readonly byte[] NewLine = "\n"u8.ToArray();
        private readonly FileStream _stream;
        private readonly Utf8JsonWriter _writer;

        private readonly bool _flushEachRecord;

        public JsonlFile(string path, FileSessionJournalOptions options)
        {
            _flushEachRecord = options.FlushEachRecord;
            if (options.Resume && File.Exists(path))
            {
                // A crash may have left half a record: keep every complete line and append after the last one.
                _stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.None);
                _stream.SetLength(CompleteLength(_stream));
                _stream.Seek(0, SeekOrigin.End);
            }
            else
            {
                _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.None);
            }

            _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }

        /// <summary>The complete lines of a JSONL file (a trailing partial line is ignored); none when it does not exist.</summary>
        public static IEnumerable<string> ReadCompleteLines(string path)
        {
            if (!File.Exists(path))
            {
                yield break;
            }

            var text = File.ReadAllText(path);
            var end = text.LastIndexOf('\n');
            if (end < 0)
            {
                yield break;
            }

            foreach (var line in text[..end].Split('\n'))
            {
                if (line.Length > 0)
                {
                    yield return line;
                }
            }
        }

        private static long CompleteLength(FileStream stream)
        {
            var length = stream.Length;
            var buffer = new byte[1];
            for (var position = length - 1; position >= 0; position--)
            {
                stream.Seek(position, SeekOrigin.Begin);
                if (stream.Read(buffer, 0, 1) == 1 && buffer[0] == (byte)'\n')
                {
                    return position + 1;
                }
            }

            return 0;
        }

        public Utf8JsonWriter Begin()
        {
            _writer.Reset(_stream);
            _writer.WriteStartObject();
            return _writer;
        }

        public void End()
        {
            _writer.WriteEndObject();
            _writer.Flush();
            _stream.Write(NewLine);
            if (_flushEachRecord)
            {
                // Hand the record to the operating system now: a killed process then loses no complete record.
                _stream.Flush();
            }
        }

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
            => await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        public async ValueTask DisposeAsync()
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>How a <see cref="FileSessionJournal"/> opens its files.</summary>
public sealed class FileSessionJournalOptions
{
    /// <summary>
    /// Resume the files of an earlier run of the same session (after a crash or a stop): complete records are kept, a
    /// half-written last line is cut, new records are appended, and <see cref="FileSessionJournal.Backfill"/> writes only the
    /// records the files do not hold. False (the default) replaces the files.
    /// </summary>
    public bool Resume { get; set; }

    /// <summary>
    /// Hands each record to the operating system as soon as it is written, so a killed process loses no complete record
    /// (it costs one write call per record). Defaults to true.
    /// </summary>
    public bool FlushEachRecord { get; set; } = true;
}
