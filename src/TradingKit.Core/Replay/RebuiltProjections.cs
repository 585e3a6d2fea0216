using TradingKit.Domain;
using TradingKit.Oms;
using TradingKit.Orders;

namespace TradingKit.Replay;

/// <summary>How a <see cref="ProjectionRebuilder"/> starts and how it buckets days.</summary>
public sealed record ProjectionRebuildOptions
{
    /// <summary>The account the projections belong to (written into position and daily summary rows).</summary>
    /// <value>Defaults to <c>paper-account</c>, the engine's default.</value>
    public AccountId AccountId { get; init; } = new("paper-account");

    /// <summary>
    /// Cash at the start, used when the log holds no <c>balance_changed</c> record with reason
    /// <see cref="ProjectionRebuilder.InitialCashReason"/> before the first fill.
    /// </summary>
    /// <value>Defaults to 0.</value>
    public decimal InitialCash { get; init; }

    /// <summary>The account currency.</summary>
    /// <value>Defaults to <c>USD</c>.</value>
    public string Currency { get; init; } = "USD";

    /// <summary>The UTC time of day at which a daily summary's day starts.</summary>
    /// <value>Defaults to midnight UTC.</value>
    public TimeSpan DayRollTimeUtc { get; init; }

    /// <summary>
    /// When true, the rebuilt portfolio is marked at each fill's price before the fill is applied. The log holds no
    /// market data, so without this a symbol keeps the price of its first fill and equity-derived figures (unrealised
    /// PnL, peak equity, drawdown) are meaningless; with it they follow the fills until the next real mark.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool MarkAtFillPrices { get; init; } = true;
}

/// <summary>One order rebuilt from its events, with what the OMS needs to take it over.</summary>
public sealed class RebuiltOrder
{
    internal RebuiltOrder(Order order, OrderContext context)
    {
        Order = order;
        Context = context;
    }

    /// <summary>The order, in the state its events left it.</summary>
    public Order Order { get; }

    /// <summary>The context it was created in; its decision price is the one <c>order_submitted</c> recorded (null for version-1 records).</summary>
    public OrderContext Context { get; }

    /// <summary>The version of the order's stream: the expected version of its next append.</summary>
    public long StreamVersion { get; internal set; }

    /// <summary>The global position of the last event applied to it.</summary>
    public long LastEventPosition { get; internal set; }

    /// <summary>The global position of its <c>order_submitted</c> event: which session of the account it belongs to.</summary>
    public long SubmittedPosition { get; internal set; }
}

/// <summary>An order refused before it left (its denial event carries no order terms, so no <see cref="Order"/> is rebuilt).</summary>
/// <param name="ClientOrderId">The order's id.</param>
/// <param name="Symbol">Its instrument.</param>
/// <param name="ReasonCode">The stable code it was denied with.</param>
/// <param name="Message">The readable reason.</param>
/// <param name="DeniedAt">When it was denied.</param>
/// <param name="StreamVersion">The version of its stream.</param>
public sealed record DeniedOrder(ClientOrderId ClientOrderId, Symbol Symbol, string ReasonCode, string Message, DateTimeOffset DeniedAt, long StreamVersion);

/// <summary>
/// An event the rebuild could not apply as the engine did: an order event for an unknown order, a status change the
/// order state machine refused or found already made, a fill refused or seen twice. The live engine records only
/// changes it applied, so on a sound log this list is empty.
/// </summary>
/// <param name="GlobalPosition">The event's position in the log.</param>
/// <param name="EventType">The event's type name.</param>
/// <param name="Code">A stable code (<see cref="RebuildIssueCodes"/>).</param>
/// <param name="Message">What went wrong.</param>
public sealed record RebuildIssue(long GlobalPosition, string EventType, string Code, string Message);

/// <summary>Codes of <see cref="RebuildIssue"/>.</summary>
public static class RebuildIssueCodes
{
    /// <summary>An order event for an order whose <c>order_submitted</c> is not in the log.</summary>
    public const string UnknownOrder = "REPLAY_UNKNOWN_ORDER";

    /// <summary>The order state machine refused the change the event records.</summary>
    public const string TransitionRefused = "REPLAY_TRANSITION_REFUSED";

    /// <summary>The change the event records was already made (the live engine records applied changes only).</summary>
    public const string TransitionNoOp = "REPLAY_TRANSITION_NOOP";

    /// <summary>A second <c>order_submitted</c> for the same client order id.</summary>
    public const string DuplicateOrder = "REPLAY_DUPLICATE_ORDER";

    /// <summary>A fill the order refused or had already applied.</summary>
    public const string FillRefused = "REPLAY_FILL_REFUSED";

    /// <summary>The portfolio refused a fill (for example a hedge leg crossing zero).</summary>
    public const string PortfolioRefused = "REPLAY_PORTFOLIO_REFUSED";

    /// <summary>An initial cash record that disagrees with the cash the rebuild started with.</summary>
    public const string InitialCashMismatch = "REPLAY_INITIAL_CASH_MISMATCH";
}
