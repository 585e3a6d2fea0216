using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Journal;

/// <summary>The session's operating metadata (<c>ops_metadata.json</c>): how it ran, with secrets masked.</summary>
public sealed record OpsMetadata
{
    /// <summary>The session.</summary>
    public required SessionId SessionId { get; init; }

    /// <summary>The execution mode (disabled, dry-run, paper, live).</summary>
    public required string Mode { get; init; }

    /// <summary>The venue name.</summary>
    public required string Venue { get; init; }

    /// <summary>The account, masked.</summary>
    public required string AccountMasked { get; init; }

    /// <summary>The strategies that ran.</summary>
    public required IReadOnlyList<string> Strategies { get; init; }

    /// <summary>A SHA-256 of the effective configuration (secrets excluded), so two runs can be compared.</summary>
    public required string ConfigHash { get; init; }

    /// <summary>The TradingKit version.</summary>
    public required string CodeVersion { get; init; }

    /// <summary>The journal schema version.</summary>
    public int SchemaVersion { get; init; } = JournalSchema.Version;

    /// <summary>When the session started, on the engine clock.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Further settings to show (risk limits, kill switch state, policies), already masked; keys are written as given.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

/// <summary>One closed round trip (<c>trades.jsonl</c>).</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side"><c>long</c> or <c>short</c>.</param>
/// <param name="Quantity">The largest quantity held during the trip.</param>
/// <param name="EntryTime">When the position left flat.</param>
/// <param name="EntryPrice">The average entry price.</param>
/// <param name="ExitTime">When it returned to flat.</param>
/// <param name="ExitPrice">The average exit price.</param>
/// <param name="Fees">Entry and exit fees.</param>
/// <param name="Pnl">Net PnL: gross minus fees.</param>
/// <param name="GrossPnl">PnL before fees.</param>
public sealed record TradeRecord(Symbol Symbol, string Side, decimal Quantity, DateTimeOffset EntryTime, decimal EntryPrice,
    DateTimeOffset ExitTime, decimal ExitPrice, decimal Fees, decimal Pnl, decimal GrossPnl);

/// <summary>One risk event (<c>risk_events.jsonl</c>): a denial, a trip, a kill switch change.</summary>
public sealed record RiskEventRecord
{
    /// <summary>The record type, for example <c>risk_denied</c>, <c>risk_guard_tripped</c>, <c>kill_switch_changed</c>.</summary>
    public required string Type { get; init; }

    /// <summary>When it happened, on the engine clock.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The stable code, for example <c>RISK_GUARD_TRIPPED</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The rule or trip condition.</summary>
    public string? Rule { get; init; }

    /// <summary>Its threshold.</summary>
    public decimal? Threshold { get; init; }

    /// <summary>The observed value.</summary>
    public decimal? Observed { get; init; }

    /// <summary>A readable explanation.</summary>
    public string? Message { get; init; }

    /// <summary>The order concerned, if any.</summary>
    public ClientOrderId? ClientOrderId { get; init; }

    /// <summary>The symbol concerned, if any.</summary>
    public Symbol? Symbol { get; init; }

    /// <summary>Further numbers (portfolio snapshot, execution quality), written as an object.</summary>
    public IReadOnlyDictionary<string, decimal> Details { get; init; } = new Dictionary<string, decimal>();
}

/// <summary>The end-of-session summary (<c>summary.json</c>, SC-011).</summary>
public sealed record SessionSummaryRecord
{
    /// <summary>The session.</summary>
    public required SessionId SessionId { get; init; }

    /// <summary>When the session started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the session ended.</summary>
    public required DateTimeOffset EndedAt { get; init; }

    /// <summary>Closed round trips.</summary>
    public int Trades { get; init; }

    /// <summary>Round trips with positive net PnL.</summary>
    public int Wins { get; init; }

    /// <summary>Round trips with negative or zero net PnL.</summary>
    public int Losses { get; init; }

    /// <summary>Wins / trades (0 when no trade).</summary>
    public decimal WinRate { get; init; }

    /// <summary>Average net PnL per round trip.</summary>
    public decimal AveragePnl { get; init; }

    /// <summary>The worst round trip's net PnL (0 when none lost).</summary>
    public decimal MaxLoss { get; init; }

    /// <summary>Realised PnL before fees.</summary>
    public decimal RealizedPnl { get; init; }

    /// <summary>Unrealised PnL at the last prices.</summary>
    public decimal UnrealizedPnl { get; init; }

    /// <summary>All fees paid.</summary>
    public decimal Fees { get; init; }

    /// <summary>Total slippage against decision prices, in quote currency (positive = cost).</summary>
    public decimal Slippage { get; init; }

    /// <summary>Largest peak-to-trough equity drop.</summary>
    public decimal MaxDrawdown { get; init; }

    /// <summary>Cash at the end.</summary>
    public decimal FinalCash { get; init; }

    /// <summary>Signed positions at the end, by symbol.</summary>
    public IReadOnlyDictionary<string, decimal> FinalPositions { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Last prices by symbol.</summary>
    public IReadOnlyDictionary<string, decimal> LastPrices { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Cash plus positions at the last prices.</summary>
    public decimal FinalEquity { get; init; }

    /// <summary>Orders submitted to the venue.</summary>
    public int OrdersSubmitted { get; init; }

    /// <summary>Orders the venue rejected.</summary>
    public int OrdersRejected { get; init; }

    /// <summary>Orders refused before leaving (risk, kill switch, policy).</summary>
    public int OrdersDenied { get; init; }

    /// <summary>Fills applied.</summary>
    public int Fills { get; init; }

    /// <summary>Positions that a forced liquidation could not close, by symbol (empty when none).</summary>
    public IReadOnlyDictionary<string, decimal> Unclosed { get; init; } = new Dictionary<string, decimal>();
}

/// <summary>The journal's schema version, written into every session's metadata.</summary>
public static class JournalSchema
{
    /// <summary>The current version; bumped whenever a field changes meaning or is removed.</summary>
    public const int Version = 1;
}

/// <summary>One order record the journal may be missing, rebuilt from the event log.</summary>
/// <param name="Timestamp">The best time the log gives for the record.</param>
/// <param name="Type">The record type (<see cref="OrderRecordTypes"/>).</param>
/// <param name="Order">The order as rebuilt.</param>
/// <param name="Reason">Why (rejections, cancels), if known.</param>
public sealed record JournalOrderRecord(DateTimeOffset Timestamp, string Type, Order Order, string? Reason);

/// <summary>
/// What the event log says the journal should hold (orders, fills, round trips), handed to the journal after start-up
/// recovery: a journal writes the records it does not have yet, so a journal cut short by a crash reconciles again.
/// </summary>
/// <param name="Orders">Order records, oldest first.</param>
/// <param name="Fills">Fills, in log order.</param>
/// <param name="Trades">Closed round trips, in the order the portfolio closed them.</param>
public sealed record JournalBackfill(IReadOnlyList<JournalOrderRecord> Orders, IReadOnlyList<Fill> Fills, IReadOnlyList<TradeRecord> Trades)
{
    /// <summary>
    /// The slippage in basis points of the fills whose orders recorded a decision price, by trade id, as the live fill
    /// record would have carried it; a fill not in it is written with <c>slippage_bps: null</c>.
    /// </summary>
    public IReadOnlyDictionary<TradeId, decimal> SlippageBps { get; init; } = new Dictionary<TradeId, decimal>();

    /// <summary>Nothing to backfill (a session that starts on an empty log, or without recovery).</summary>
    public static JournalBackfill None { get; } = new([], [], []);
}
