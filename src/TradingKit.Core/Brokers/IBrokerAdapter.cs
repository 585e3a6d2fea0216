using System.Threading.Channels;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Brokers;

/// <summary>
/// The broker (venue) port. Paper, Binance and any user adapter implement it; the OMS is its only caller.
/// </summary>
/// <remarks>
/// <para>Outcomes are reported in two ways. A call returns what the venue answered synchronously
/// (<see cref="SubmitResult"/>); everything that happens afterwards (acks, fills, cancels, expiries)
/// arrives on <see cref="Events"/>. A venue may also push the synchronous answer there; the OMS
/// deduplicates.</para>
/// <para>Failures are classified: a <see cref="BrokerException"/> with <see cref="BrokerErrorKind.Transient"/>
/// is retried with the same client order id, <see cref="BrokerErrorKind.UnknownOutcome"/> makes the OMS
/// query by client order id before any resend, and a permanent refusal is a
/// <see cref="SubmitResult"/> with <see cref="SubmitResult.Accepted"/> false, never retried.</para>
/// </remarks>
public interface IBrokerAdapter
{
    /// <summary>The venue's name, for journals and metrics (for example <c>paper</c>, <c>binance-usdm</c>).</summary>
    string VenueName { get; }

    /// <summary>Everything the venue reports asynchronously: <see cref="ExecutionReport"/>s and <see cref="ConnectionStateChanged"/>.</summary>
    ChannelReader<VenueEvent> Events { get; }

    /// <summary>Connects (authenticates, opens streams). Idempotent.</summary>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A task that completes when connected.</returns>
    ValueTask ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Places an order.</summary>
    /// <param name="request">The order, with its client order id.</param>
    /// <param name="cancellationToken">Cancels the call; the outcome is then unknown.</param>
    /// <returns>The venue's immediate answer.</returns>
    /// <exception cref="BrokerException">The call failed transiently or with an unknown outcome.</exception>
    ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default);

    /// <summary>Requests a cancel. The confirmation arrives as an <see cref="ExecutionReport"/>.</summary>
    /// <param name="symbol">The order's instrument.</param>
    /// <param name="clientOrderId">The order to cancel.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The venue's immediate answer.</returns>
    /// <exception cref="BrokerException">The call failed transiently or with an unknown outcome.</exception>
    ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default);

    /// <summary>Requests a change of quantity and/or price. The confirmation arrives as an <see cref="ExecutionReport"/>.</summary>
    /// <param name="request">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The venue's immediate answer.</returns>
    /// <exception cref="BrokerException">The call failed transiently or with an unknown outcome.</exception>
    ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Looks an order up by its client order id.</summary>
    /// <param name="symbol">The order's instrument.</param>
    /// <param name="clientOrderId">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order as the venue knows it, or null when the venue has never seen it.</returns>
    /// <exception cref="BrokerException">The query itself failed; this is never an answer of "not found".</exception>
    ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default);

    /// <summary>Lists the venue's open orders.</summary>
    /// <param name="symbol">One instrument, or null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open orders.</returns>
    ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the venue's positions. A failed query throws; it is never an empty (flat) answer.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The non-zero positions.</returns>
    ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the account's balances.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The balances.</returns>
    ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists fills since a time, oldest first.</summary>
    /// <param name="symbol">One instrument, or null for all.</param>
    /// <param name="since">The earliest execution time to include.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fills.</returns>
    ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>The venue's immediate answer to a submit, cancel or modify.</summary>
public readonly record struct SubmitResult
{
    /// <summary>True when the venue accepted the request for processing.</summary>
    public bool Accepted { get; init; }

    /// <summary>The venue's order id, when it returned one.</summary>
    public VenueOrderId? VenueOrderId { get; init; }

    /// <summary>The venue's reject code, when refused.</summary>
    public string? RejectCode { get; init; }

    /// <summary>The venue's reject text, when refused.</summary>
    public string? RejectReason { get; init; }

    /// <summary>An accepted answer.</summary>
    /// <param name="venueOrderId">The venue's order id, if returned.</param>
    /// <returns>The result.</returns>
    public static SubmitResult Ok(VenueOrderId? venueOrderId = null) => new() { Accepted = true, VenueOrderId = venueOrderId };

    /// <summary>A permanent refusal.</summary>
    /// <param name="code">The venue's code.</param>
    /// <param name="reason">The venue's text.</param>
    /// <returns>The result.</returns>
    public static SubmitResult Refused(string code, string reason) => new() { Accepted = false, RejectCode = code, RejectReason = reason };
}

/// <summary>How a failed venue call should be treated.</summary>
public enum BrokerErrorKind
{
    /// <summary>Timeout before sending, 5xx, connection refused: retry with the same id.</summary>
    Transient = 1,

    /// <summary>Rate limited: retry after the venue's delay.</summary>
    RateLimited = 2,

    /// <summary>The request may or may not have reached the venue: query before any resend.</summary>
    UnknownOutcome = 3,

    /// <summary>Refused for good (bad request, insufficient balance): never retried.</summary>
    Permanent = 4,
}

/// <summary>A venue call that failed. <see cref="Kind"/> decides what the OMS does next.</summary>
public sealed class BrokerException : Errors.TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="kind">How to treat it.</param>
    /// <param name="message">What happened.</param>
    /// <param name="venueCode">The venue's own error code, if any.</param>
    /// <param name="retryAfter">For rate limits, how long the venue asked to wait.</param>
    /// <param name="innerException">The cause.</param>
    public BrokerException(BrokerErrorKind kind, string message, string? venueCode = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(kind switch
        {
            BrokerErrorKind.Permanent => Errors.ErrorCodes.BrokerRejected,
            BrokerErrorKind.UnknownOutcome => Errors.ErrorCodes.BrokerUnknownOutcome,
            _ => Errors.ErrorCodes.BrokerTimeoutTransient,
        }, message, innerException)
    {
        Kind = kind;
        VenueCode = venueCode;
        RetryAfter = retryAfter;
    }

    /// <summary>How to treat the failure.</summary>
    public BrokerErrorKind Kind { get; }

    /// <summary>The venue's own code, if any.</summary>
    public string? VenueCode { get; }

    /// <summary>How long the venue asked to wait before the next call, if it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
