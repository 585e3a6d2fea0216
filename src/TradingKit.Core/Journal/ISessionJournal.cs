using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Strategies;

namespace TradingKit.Journal;

/// <summary>The order record types written to <c>orders_fills.jsonl</c>.</summary>
public static class OrderRecordTypes
{
    /// <summary>The order was recorded and sent.</summary>
    public const string Submitted = "order_submitted";

    /// <summary>The venue accepted it.</summary>
    public const string Accepted = "order_accepted";

    /// <summary>The venue refused it.</summary>
    public const string Rejected = "order_rejected";

    /// <summary>Refused before leaving (risk, kill switch, policy).</summary>
    public const string Denied = "order_denied";

    /// <summary>Cancelled.</summary>
    public const string Cancelled = "order_cancelled";

    /// <summary>Expired.</summary>
    public const string Expired = "order_expired";

    /// <summary>A stop or take-profit triggered.</summary>
    public const string Triggered = "order_triggered";

    /// <summary>A modify took effect.</summary>
    public const string Updated = "order_updated";

    /// <summary>One execution.</summary>
    public const string Fill = "fill";
}

/// <summary>
/// The per-session audit journal (PIPE-260 §5, §8). Called on the engine loop only; implementations need not be thread-safe.
/// </summary>
public interface ISessionJournal : IAsyncDisposable
{
    /// <summary>Writes <c>ops_metadata.json</c>.</summary>
    /// <param name="metadata">The metadata.</param>
    void WriteMetadata(OpsMetadata metadata);

    /// <summary>Appends a decision to <c>decisions.jsonl</c> (OBS-500).</summary>
    /// <param name="timestamp">Engine time.</param>
    /// <param name="strategy">The deciding strategy.</param>
    /// <param name="decision">The decision.</param>
    /// <param name="price">The price the decision saw.</param>
    void WriteDecision(DateTimeOffset timestamp, StrategyId strategy, in Decision decision, decimal? price);

    /// <summary>Appends an order record to <c>orders_fills.jsonl</c> (OBS-510).</summary>
    /// <param name="timestamp">Engine time.</param>
    /// <param name="type">One of <see cref="OrderRecordTypes"/>.</param>
    /// <param name="order">The order after the change.</param>
    /// <param name="reason">The reason (reject, deny, cancel), if any.</param>
    void WriteOrder(DateTimeOffset timestamp, string type, Order order, string? reason);

    /// <summary>Appends a fill record to <c>orders_fills.jsonl</c> (OBS-510).</summary>
    /// <param name="timestamp">Engine time.</param>
    /// <param name="fill">The fill.</param>
    /// <param name="slippageBps">Slippage against the decision price, in basis points (positive = worse), if known.</param>
    void WriteFill(DateTimeOffset timestamp, Fill fill, decimal? slippageBps);

    /// <summary>Appends a closed round trip to <c>trades.jsonl</c> (OBS-520).</summary>
    /// <param name="trade">The round trip.</param>
    void WriteTrade(TradeRecord trade);

    /// <summary>Appends a risk event to <c>risk_events.jsonl</c>.</summary>
    /// <param name="riskEvent">The event.</param>
    void WriteRiskEvent(RiskEventRecord riskEvent);

    /// <summary>Writes <c>summary.json</c>.</summary>
    /// <param name="summary">The summary.</param>
    void WriteSummary(SessionSummaryRecord summary);

    /// <summary>
    /// Writes the order, fill and round-trip records of <paramref name="backfill"/> that the journal does not hold yet.
    /// The engine calls it once per session, at start: after start-up recovery rebuilt the log (a crash may have cut the
    /// journal short), or with <see cref="JournalBackfill.None"/> when there is nothing to rebuild. A journal may stop
    /// keeping track of what it holds after this call.
    /// </summary>
    /// <param name="backfill">What the log says the journal should hold.</param>
    void Backfill(JournalBackfill backfill);

    /// <summary>Flushes buffered records to storage.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when flushed.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>A journal that writes nothing (benchmarks, embedded uses that need no audit files).</summary>
public sealed class NullSessionJournal : ISessionJournal
{
    /// <summary>The shared instance.</summary>
    public static NullSessionJournal Instance { get; } = new();

    /// <inheritdoc />
    public void WriteMetadata(OpsMetadata metadata)
    {
    }

    /// <inheritdoc />
    public void WriteDecision(DateTimeOffset timestamp, StrategyId strategy, in Decision decision, decimal? price)
    {
    }

    /// <inheritdoc />
    public void WriteOrder(DateTimeOffset timestamp, string type, Order order, string? reason)
    {
    }

    /// <inheritdoc />
    public void WriteFill(DateTimeOffset timestamp, Fill fill, decimal? slippageBps)
    {
    }

    /// <inheritdoc />
    public void WriteTrade(TradeRecord trade)
    {
    }

    /// <inheritdoc />
    public void WriteRiskEvent(RiskEventRecord riskEvent)
    {
    }

    /// <inheritdoc />
    public void WriteSummary(SessionSummaryRecord summary)
    {
    }

    /// <inheritdoc />
    public void Backfill(JournalBackfill backfill)
    {
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
