using System.Globalization;
using TradingKit.Errors;
using TradingKit.Instruments;

namespace TradingKit.Paper;

/// <summary>How the paper venue fills, charges and reports. Every value has a safe default; call <see cref="Validate"/> (the venue does).</summary>
public sealed class PaperVenueOptions
{
    /// <summary>The venue name reported through <see cref="Brokers.IBrokerAdapter.VenueName"/>.</summary>
    /// <value>Defaults to <c>paper</c>.</value>
    public string VenueName { get; set; } = "paper";

    /// <summary>The starting cash balance.</summary>
    /// <value>Defaults to 100 000.</value>
    public decimal InitialCash { get; set; } = 100_000m;

    /// <summary>The account currency: cash, fees and notionals are in it.</summary>
    /// <value>Defaults to <c>USD</c>.</value>
    public string Currency { get; set; } = "USD";

    /// <summary>Adverse slippage applied to market-style fills (market orders and triggered stops), in basis points of the price; the result is clamped to what the market traded.</summary>
    /// <value>Defaults to 0.</value>
    public decimal SlippageBps { get; set; }

    /// <summary>Fee on fills that rested on the book (maker), in basis points of notional; negative for a rebate.</summary>
    /// <value>Defaults to 0.</value>
    public decimal MakerFeeBps { get; set; }

    /// <summary>Fee on fills that took liquidity (taker), in basis points of notional.</summary>
    /// <value>Defaults to 0.</value>
    public decimal TakerFeeBps { get; set; }

    /// <summary>
    /// The largest share of one market data item's volume (a bar's volume, a trade's size, the quote size on the side
    /// taken) that the venue's fills may use, shared by every order on that side; the rest of an order keeps working.
    /// Null means unlimited (volume is ignored). A bar with zero volume fills nothing unless this is null.
    /// </summary>
    /// <value>Defaults to 1 (the whole volume).</value>
    public decimal? ParticipationRate { get; set; } = 1m;

    /// <summary>
    /// When true a limit order also fills when the market only touches its price (bar low equal to a buy limit);
    /// when false the market must trade through it. Quotes always count at the touch, because a quote at the limit is an executable offer.
    /// </summary>
    /// <value>Defaults to false (trade-through required: conservative).</value>
    public bool LimitFillsOnTouch { get; set; }

    /// <summary>Engine time between the venue accepting a request and its acknowledgement (accept, reject, cancel, modify reports) becoming visible on the event stream.</summary>
    /// <value>Defaults to zero: visible before the call returns.</value>
    public TimeSpan AckLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Engine time between an execution (trigger, fill, expiry) and its report becoming visible on the event stream.</summary>
    /// <value>Defaults to zero: visible before <see cref="PaperVenue.OnMarketData"/> returns.</value>
    public TimeSpan FillLatency { get; set; } = TimeSpan.Zero;

    /// <summary>The time of day (UTC, as an offset from midnight) at which <see cref="Orders.TimeInForce.Day"/> orders expire: the first such instant after submission.</summary>
    /// <value>Defaults to <see cref="TimeSpan.Zero"/> (midnight UTC). US equities: 21:00.</value>
    public TimeSpan DayEndUtc { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Instrument rules. When not empty, orders for other symbols are refused (<c>UNKNOWN_SYMBOL</c>), orders are checked
    /// against tick, step, quantity and notional rules, and partial fill quantities are rounded down to the step.
    /// </summary>
    /// <value>Defaults to none (any symbol, any precision).</value>
    public IReadOnlyList<Instrument> Instruments { get; set; } = [];

    /// <summary>
    /// How many finished orders (filled, cancelled, expired, rejected) the venue keeps answering queries, cancels and
    /// modifies for, newest first, as a real venue archives old orders; null keeps every order. An older one is forgotten:
    /// a query by its client order id finds nothing, but its id is still refused for a new order
    /// (<c>DUPLICATE_CLIENT_ORDER_ID</c>). Working orders are never forgotten. Like
    /// <see cref="Oms.OmsOptions.RetainedTerminalOrders"/>, a bound saves memory in long sessions and costs time per
    /// forgotten order; keep it well above the engine's: an OMS that queries an order the venue forgot takes it for never
    /// placed.
    /// </summary>
    /// <value>Defaults to null (keep every order); otherwise 1 to 100,000,000.</value>
    public int? RetainedFinishedOrders { get; set; }

    /// <summary>
    /// How many fills the venue keeps for <see cref="PaperVenue.GetRecentFillsAsync"/>, newest first; null keeps every
    /// fill. Older ones are dropped from the list (the engine's log keeps them).
    /// </summary>
    /// <value>Defaults to null (keep every fill); otherwise 1 to 100,000,000.</value>
    public int? RetainedFills { get; set; }

    /// <summary>Seeded fault injection; all rates are zero by default.</summary>
    public PaperFaultOptions Faults { get; set; } = new();

    /// <summary>Checks every value and lists every problem at once.</summary>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c>, listing every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(VenueName))
        {
            problems.Add("VenueName must not be empty");
        }

        if (string.IsNullOrWhiteSpace(Currency))
        {
            problems.Add("Currency must not be empty");
        }

        if (InitialCash < 0m)
        {
            problems.Add(Invariant($"InitialCash must be >= 0 (got {InitialCash})"));
        }

        if (SlippageBps is < 0m or >= 10_000m)
        {
            problems.Add(Invariant($"SlippageBps must be in [0, 10000) (got {SlippageBps})"));
        }

        if (MakerFeeBps is <= -10_000m or >= 10_000m)
        {
            problems.Add(Invariant($"MakerFeeBps must be in (-10000, 10000) (got {MakerFeeBps})"));
        }

        if (TakerFeeBps is < 0m or >= 10_000m)
        {
            problems.Add(Invariant($"TakerFeeBps must be in [0, 10000) (got {TakerFeeBps})"));
        }

        if (ParticipationRate is { } rate && (rate <= 0m || rate > 1m))
        {
            problems.Add(Invariant($"ParticipationRate must be in (0, 1] or null for unlimited (got {rate})"));
        }

        if (AckLatency < TimeSpan.Zero)
        {
            problems.Add(Invariant($"AckLatency must not be negative (got {AckLatency})"));
        }

        if (FillLatency < TimeSpan.Zero)
        {
            problems.Add(Invariant($"FillLatency must not be negative (got {FillLatency})"));
        }

        if (DayEndUtc < TimeSpan.Zero || DayEndUtc >= TimeSpan.FromDays(1))
        {
            problems.Add(Invariant($"DayEndUtc must be in [00:00, 24:00) (got {DayEndUtc})"));
        }

        if (RetainedFinishedOrders is < 1 or > 100_000_000)
        {
            problems.Add(Invariant($"RetainedFinishedOrders must be 1-100,000,000 (got {RetainedFinishedOrders})"));
        }

        if (RetainedFills is < 1 or > 100_000_000)
        {
            problems.Add(Invariant($"RetainedFills must be 1-100,000,000 (got {RetainedFills})"));
        }

        if (Instruments is null)
        {
            problems.Add("Instruments must not be null (use an empty list)");
        }
        else
        {
            var seen = new HashSet<Domain.Symbol>();
            foreach (var instrument in Instruments)
            {
                if (instrument is null)
                {
                    problems.Add("Instruments must not contain null");
                }
                else if (!seen.Add(instrument.Symbol))
                {
                    problems.Add($"Instruments lists {instrument.Symbol} twice");
                }
            }
        }

        if (Faults is null)
        {
            problems.Add("Faults must not be null");
        }
        else
        {
            Faults.Collect(problems);
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "PaperVenueOptions are invalid: " + string.Join("; ", problems) + ".");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Seeded fault injection for the paper venue. The venue owns one <see cref="Random"/> built from <see cref="Seed"/> and draws
/// from it only for rates above zero, in a fixed order per call, so the same seed and the same inputs give the same faults.
/// </summary>
public sealed class PaperFaultOptions
{
    /// <summary>The seed of the venue's random source.</summary>
    /// <value>Defaults to 0.</value>
    public int Seed { get; set; }

    /// <summary>Share of submits refused by the venue (<c>PAPER_INJECTED_REJECT</c>, with a rejected report).</summary>
    /// <value>Defaults to 0.</value>
    public double RejectRate { get; set; }

    /// <summary>Share of submits that time out <b>before</b> reaching the venue: nothing is placed and the call throws a <see cref="Brokers.BrokerErrorKind.Transient"/> error.</summary>
    /// <value>Defaults to 0.</value>
    public double TransientTimeoutRate { get; set; }

    /// <summary>
    /// Share of submits that time out <b>after</b> the venue accepted the order: it is working (and queryable) but the call throws a
    /// <see cref="Brokers.BrokerErrorKind.UnknownOutcome"/> error, so the caller must query before any resend.
    /// </summary>
    /// <value>Defaults to 0.</value>
    public double UnknownOutcomeRate { get; set; }

    /// <summary>Share of accepted orders whose acknowledgement report is never pushed (the order still works).</summary>
    /// <value>Defaults to 0.</value>
    public double DropAckRate { get; set; }

    /// <summary>Share of fill reports never pushed; the fill still happens and shows in queries and recent fills.</summary>
    /// <value>Defaults to 0.</value>
    public double DropFillReportRate { get; set; }

    /// <summary>Chance, per market data item while connected, that the stream connection drops.</summary>
    /// <value>Defaults to 0.</value>
    public double DisconnectRate { get; set; }

    /// <summary>How many market data items the venue stays disconnected before it reconnects by itself.</summary>
    /// <value>Defaults to 3.</value>
    public int ReconnectAfterEvents { get; set; } = 3;

    internal void Collect(List<string> problems)
    {
        Rate(problems, nameof(RejectRate), RejectRate);
        Rate(problems, nameof(TransientTimeoutRate), TransientTimeoutRate);
        Rate(problems, nameof(UnknownOutcomeRate), UnknownOutcomeRate);
        Rate(problems, nameof(DropAckRate), DropAckRate);
        Rate(problems, nameof(DropFillReportRate), DropFillReportRate);
        Rate(problems, nameof(DisconnectRate), DisconnectRate);
        if (ReconnectAfterEvents < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Faults.ReconnectAfterEvents must be >= 1 (got {ReconnectAfterEvents})"));
        }
    }

    private static void Rate(List<string> problems, string name, double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Faults.{name} must be in [0, 1] (got {value})"));
        }
    }
}
