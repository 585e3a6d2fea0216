namespace TradingKit.Errors;

/// <summary>
/// The stable error codes TradingKit uses. They never change meaning once shipped, so users can match on them.
/// </summary>
public static class ErrorCodes
{
    /// <summary>An order status change that the order state machine does not allow.</summary>
    public const string InvalidOrderStatusTransition = "INVALID_ORDER_STATUS_TRANSITION";

    /// <summary>A compare-and-set whose expected current state no longer holds.</summary>
    public const string OrderStateConflict = "ORDER_STATE_CONFLICT";

    /// <summary>A fill whose trade id was already applied.</summary>
    public const string DuplicateFill = "DUPLICATE_FILL";

    /// <summary>A fill that would take the filled quantity above the order quantity.</summary>
    public const string Overfill = "ORDER_OVERFILL";

    /// <summary>A transition that a state machine (other than the order's) does not allow.</summary>
    public const string InvalidStateTransition = "INVALID_STATE_TRANSITION";

    /// <summary>A price that is not a multiple of the instrument's tick size.</summary>
    public const string PriceTickViolation = "INSTRUMENT_PRICE_TICK";

    /// <summary>A price that is zero, negative or outside the instrument's bounds.</summary>
    public const string PriceOutOfRange = "INSTRUMENT_PRICE_RANGE";

    /// <summary>A quantity that is not a multiple of the instrument's step size.</summary>
    public const string QuantityStepViolation = "INSTRUMENT_QTY_STEP";

    /// <summary>A quantity below the instrument's minimum.</summary>
    public const string QuantityBelowMinimum = "INSTRUMENT_QTY_MIN";

    /// <summary>A quantity above the instrument's maximum.</summary>
    public const string QuantityAboveMaximum = "INSTRUMENT_QTY_MAX";

    /// <summary>An order whose notional (price × quantity) is below the instrument's minimum.</summary>
    public const string NotionalBelowMinimum = "INSTRUMENT_MIN_NOTIONAL";

    /// <summary>An order request that is malformed (missing price for a limit order, and so on).</summary>
    public const string InvalidOrderRequest = "INVALID_ORDER_REQUEST";

    /// <summary>An identifier that is empty or breaks the venue-safe character rules.</summary>
    public const string InvalidIdentifier = "INVALID_IDENTIFIER";

    /// <summary>An order submitted without a client order id (PIPE-260 §9).</summary>
    public const string OmsIdempotencyMissing = "OMS_IDEMPOTENCY_MISSING";

    /// <summary>The venue rejected the request permanently; it is never retried (PIPE-260 §9).</summary>
    public const string BrokerRejected = "BROKER_REJECTED";

    /// <summary>The venue timed out or failed transiently; retried with the same client order id (PIPE-260 §9).</summary>
    public const string BrokerTimeoutTransient = "BROKER_TIMEOUT_TRANSIENT";

    /// <summary>The outcome of a venue call is unknown; the OMS queries before any resend.</summary>
    public const string BrokerUnknownOutcome = "BROKER_UNKNOWN_OUTCOME";

    /// <summary>Local and venue positions could not be synchronised (PIPE-260 §9).</summary>
    public const string PositionSyncFail = "POSITION_SYNC_FAIL";

    /// <summary>The risk guard tripped; new orders are blocked (PIPE-260 §9).</summary>
    public const string RiskGuardTripped = "RISK_GUARD_TRIPPED";

    /// <summary>Live mode was requested without an enabled, configured risk guard (PIPE-260 §9, TEST-711).</summary>
    public const string LiveGuardNotEnabled = "LIVE_GUARD_NOT_ENABLED";

    /// <summary>Execution is disabled by policy (the library's default).</summary>
    public const string ExecutionDisabled = "EXECUTION_DISABLED";

    /// <summary>Dry-run mode: the intent was journaled and not sent.</summary>
    public const string ExecutionDryRun = "EXECUTION_DRY_RUN";

    /// <summary>The kill switch is on; nothing reaches the venue.</summary>
    public const string KillSwitchActive = "KILL_SWITCH_ACTIVE";

    /// <summary>An append whose expected stream version no longer holds.</summary>
    public const string StreamVersionConflict = "STREAM_VERSION_CONFLICT";

    /// <summary>An event or command type name that is not registered.</summary>
    public const string UnknownTypeName = "UNKNOWN_TYPE_NAME";

    /// <summary>A payload that cannot be read as its declared type.</summary>
    public const string MalformedPayload = "MALFORMED_PAYLOAD";

    /// <summary>An order was refused because the engine is not running (recovering, paused, safe, stopped).</summary>
    public const string EngineNotRunning = "ENGINE_NOT_RUNNING";

    /// <summary>Configuration or options failed validation at start-up.</summary>
    public const string InvalidOptions = "INVALID_OPTIONS";

    /// <summary>A market data file or record that cannot be read (bad column, unparsable number, inconsistent OHLC, out of order).</summary>
    public const string MarketDataMalformed = "MARKET_DATA_MALFORMED";

    /// <summary>A market data source (file) that does not exist.</summary>
    public const string MarketDataNotFound = "MARKET_DATA_NOT_FOUND";
}
