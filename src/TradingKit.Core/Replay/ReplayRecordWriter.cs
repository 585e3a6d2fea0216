using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Strategies;

namespace TradingKit.Replay;

/// <summary>
/// Builds one record line at a time into a reused buffer. The recorder writes what it builds; the replay builds the
/// record the replayed engine produced the same way, so recorded and replayed records compare field by field.
/// </summary>
internal sealed class ReplayRecordWriter : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public ReplayRecordWriter() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>Starts a record: <c>{"seq":…,"k":…,"t":…</c>.</summary>
    public Utf8JsonWriter Begin(long sequence, string kind, DateTimeOffset time)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteNumber("seq", sequence);
        _writer.WriteString("k", kind);
        ReplayJson.WriteTime(_writer, "t", time);
        return _writer;
    }

    /// <summary>Closes the record and returns its UTF-8 bytes (valid until the next <see cref="Begin"/>).</summary>
    public ReadOnlySpan<byte> End()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenSpan;
    }

    /// <summary>Closes the record and parses it, for comparison with a recorded one.</summary>
    public JsonElement EndAsElement()
    {
        var bytes = End();
        using var document = JsonDocument.Parse(bytes.ToArray());
        return document.RootElement.Clone();
    }

    public void Dispose() => _writer.Dispose();

    public static void WriteDecision(Utf8JsonWriter w, StrategyId strategy, in Decision decision, decimal? price)
    {
        w.WriteString("strategy_id", strategy.Value);
        w.WriteString("symbol", decision.Symbol.Value);
        w.WriteString("action", decision.Action.ToString());
        w.WriteStartArray("reason_codes");
        var reasons = decision.ReasonCodes;
        for (var i = 0; i < reasons?.Count; i++)
        {
            w.WriteStringValue(reasons[i]);
        }

        w.WriteEndArray();
        w.WriteNumber("qty", decision.Quantity);
        // Zero is "the engine's default" (market, GTC), not a named value.
        w.WriteString("order_type", decision.OrderType == 0 ? null : decision.OrderType.ToString());
        ReplayJson.WriteDecimal(w, "limit_price", decision.LimitPrice);
        ReplayJson.WriteDecimal(w, "stop_price", decision.StopPrice);
        w.WriteString("tif", decision.TimeInForce == 0 ? null : decision.TimeInForce.ToString());
        w.WriteString("intent_key", decision.IntentKey);
        ReplayJson.WriteDecimal(w, "price", price);
    }

    public static void WriteIntent(Utf8JsonWriter w, OrderChange change)
    {
        w.WriteString("status", change.Kind == OrderChangeKind.Denied ? "denied" : "submitted");
        w.WriteString("code", change.Kind == OrderChangeKind.Denied ? change.VenueCode : null);
        w.WriteString("strategy_id", change.Context.StrategyId.Value);
        ReplayJson.WriteDecimal(w, "decision_price", change.Context.DecisionPrice);
        ReplayJson.WriteOrderRequestFields(w, change.Order.Request);
    }

    public static void WriteSummary(Utf8JsonWriter w, SessionSummaryRecord summary)
    {
        w.WriteNumber("trades", summary.Trades);
        w.WriteNumber("fills", summary.Fills);
        w.WriteNumber("orders_submitted", summary.OrdersSubmitted);
        w.WriteNumber("orders_rejected", summary.OrdersRejected);
        w.WriteNumber("orders_denied", summary.OrdersDenied);
        w.WriteNumber("final_cash", summary.FinalCash);
        w.WriteNumber("final_equity", summary.FinalEquity);
        w.WriteNumber("realized_pnl", summary.RealizedPnl);
        w.WriteNumber("fees", summary.Fees);
        w.WriteStartObject("final_positions");
        foreach (var (symbol, quantity) in summary.FinalPositions.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(symbol, quantity);
        }

        w.WriteEndObject();
    }

    public static void WriteCallArgs(Utf8JsonWriter w, string operation, object? a, object? b)
    {
        w.WriteString("op", operation);
        w.WriteStartObject("args");
        switch (operation)
        {
            case ReplayOperations.Submit:
                ReplayJson.WriteOrderRequestFields(w, (OrderRequest)a!);
                break;
            case ReplayOperations.Cancel:
            case ReplayOperations.Query:
                w.WriteString("symbol", ((Symbol)a!).Value);
                w.WriteString("client_order_id", ((ClientOrderId)b!).Value);
                break;
            case ReplayOperations.Modify:
                var modify = (ModifyRequest)a!;
                w.WriteString("client_order_id", modify.ClientOrderId.Value);
                w.WriteString("symbol", modify.Symbol.Value);
                ReplayJson.WriteDecimal(w, "new_qty", modify.NewQuantity);
                ReplayJson.WriteDecimal(w, "new_limit_price", modify.NewLimitPrice);
                ReplayJson.WriteDecimal(w, "new_stop_price", modify.NewStopPrice);
                break;
            case ReplayOperations.OpenOrders:
                w.WriteString("symbol", ((Symbol?)a)?.Value);
                break;
            case ReplayOperations.RecentFills:
                w.WriteString("symbol", ((Symbol?)a)?.Value);
                ReplayJson.WriteTime(w, "since", (DateTimeOffset)b!);
                break;
        }

        w.WriteEndObject();
    }

    public static void WriteCallResult(Utf8JsonWriter w, string operation, object? result)
    {
        switch (operation)
        {
            case ReplayOperations.Submit or ReplayOperations.Cancel or ReplayOperations.Modify:
                ReplayJson.WriteSubmitResult(w, (SubmitResult)result!);
                break;
            case ReplayOperations.Query when result is VenueOrderState state:
                w.WritePropertyName("result");
                ReplayJson.WriteOrderState(w, state);
                break;
            case ReplayOperations.OpenOrders:
                w.WriteStartArray("result");
                foreach (var state in (IReadOnlyList<VenueOrderState>)result!)
                {
                    ReplayJson.WriteOrderState(w, state);
                }

                w.WriteEndArray();
                break;
            case ReplayOperations.Positions:
                w.WriteStartArray("result");
                foreach (var position in (IReadOnlyList<VenuePosition>)result!)
                {
                    ReplayJson.WritePosition(w, position);
                }

                w.WriteEndArray();
                break;
            case ReplayOperations.Balances:
                w.WriteStartArray("result");
                foreach (var balance in (IReadOnlyList<Balance>)result!)
                {
                    ReplayJson.WriteBalance(w, balance);
                }

                w.WriteEndArray();
                break;
            case ReplayOperations.RecentFills:
                w.WriteStartArray("result");
                foreach (var fill in (IReadOnlyList<Fill>)result!)
                {
                    ReplayJson.WriteFill(w, null, fill);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteNull("result");
                break;
        }
    }

    public static void WriteFailure(Utf8JsonWriter w, Exception exception)
    {
        w.WriteStartObject("error");
        switch (exception)
        {
            case BrokerException broker:
                w.WriteString("type", "broker");
                w.WriteString("kind", broker.Kind.ToString());
                w.WriteString("venue_code", broker.VenueCode);
                ReplayJson.WriteDecimal(w, "retry_after_ms", broker.RetryAfter is { } retry ? (decimal)retry.TotalMilliseconds : null);
                break;
            case OperationCanceledException:
                w.WriteString("type", "canceled");
                break;
            case Errors.TradingKitException kit:
                w.WriteString("type", "trading_kit");
                w.WriteString("code", kit.Code);
                break;
            default:
                w.WriteString("type", "other");
                w.WriteString("clr_type", exception.GetType().FullName);
                break;
        }

        w.WriteString("message", exception.Message);
        w.WriteEndObject();
    }
}
