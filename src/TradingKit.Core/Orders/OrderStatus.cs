namespace TradingKit.Orders;

/// <summary>
/// The life-cycle states of an order. Transitions are governed by <see cref="OrderStateMachine"/> alone.
/// </summary>
public enum OrderStatus : byte
{
    /// <summary>Created and recorded locally, not yet sent.</summary>
    New = 0,

    /// <summary>Sent to the venue; no answer yet.</summary>
    Submitted = 1,

    /// <summary>The venue accepted the order; it is working.</summary>
    Acknowledged = 2,

    /// <summary>Some quantity filled; the rest is working.</summary>
    PartiallyFilled = 3,

    /// <summary>The whole quantity filled. Terminal.</summary>
    Filled = 4,

    /// <summary>A cancel was requested and not yet answered.</summary>
    PendingCancel = 5,

    /// <summary>A modify (amend) was requested and not yet answered.</summary>
    PendingUpdate = 6,

    /// <summary>Cancelled by request or by the venue. Terminal.</summary>
    Cancelled = 7,

    /// <summary>Refused by the venue. Terminal.</summary>
    Rejected = 8,

    /// <summary>Expired by time in force (IOC/FOK remainder, GTD, DAY). Terminal.</summary>
    Expired = 9,

    /// <summary>Refused before leaving TradingKit (risk guard, kill switch, policy). Terminal; the venue never saw it.</summary>
    Denied = 10,

    /// <summary>A stop or take-profit order whose trigger price traded; it now works as a market or limit order.</summary>
    Triggered = 11,
}
