namespace TradingKit.Paper;

/// <summary>
/// The paper venue's own refusal codes, returned in <see cref="Brokers.SubmitResult.RejectCode"/> and in the reason of
/// rejected reports. Order-shape and instrument-rule refusals reuse the core codes (<c>INVALID_ORDER_REQUEST</c>,
/// <c>INSTRUMENT_QTY_STEP</c>, ...).
/// </summary>
public static class PaperRejectCodes
{
    /// <summary>An order with this client order id already exists (the venue never creates a second one).</summary>
    public const string DuplicateClientOrderId = "DUPLICATE_CLIENT_ORDER_ID";

    /// <summary>Instruments are configured and the symbol is not one of them.</summary>
    public const string UnknownSymbol = "UNKNOWN_SYMBOL";

    /// <summary>A reduce-only order that would open or increase a position.</summary>
    public const string ReduceOnlyRejected = "REDUCE_ONLY_REJECTED";

    /// <summary>A post-only order that would take liquidity on arrival.</summary>
    public const string PostOnlyWouldTake = "POST_ONLY_WOULD_TAKE";

    /// <summary>A GTD order whose expiry is not in the future.</summary>
    public const string ExpiryInPast = "GTD_EXPIRY_IN_PAST";

    /// <summary>A cancel, modify or query for an order the venue has never seen.</summary>
    public const string UnknownOrder = "UNKNOWN_ORDER";

    /// <summary>A cancel or modify for an order that is no longer working (filled, cancelled, expired, rejected).</summary>
    public const string OrderNotOpen = "ORDER_NOT_OPEN";

    /// <summary>A modify that does not fit the order (quantity not above the filled quantity, a price its type does not have).</summary>
    public const string InvalidModify = "INVALID_MODIFY";

    /// <summary>A refusal produced by fault injection (<see cref="PaperFaultOptions.RejectRate"/>).</summary>
    public const string InjectedReject = "PAPER_INJECTED_REJECT";

    /// <summary>The venue code carried by injected timeouts and disconnects (<see cref="Brokers.BrokerException.VenueCode"/>).</summary>
    public const string Timeout = "PAPER_TIMEOUT";

    /// <summary>The venue code carried by calls made while the injected disconnect lasts.</summary>
    public const string Disconnected = "PAPER_DISCONNECTED";
}
