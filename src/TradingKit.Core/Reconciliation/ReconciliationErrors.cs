using TradingKit.Errors;

namespace TradingKit.Reconciliation;

/// <summary>Stable codes of reconciliation and recovery failures.</summary>
public static class ReconciliationErrorCodes
{
    /// <summary>The venue's positions could not be read; nothing is read as flat and no position is repaired.</summary>
    public const string PositionSyncFail = ErrorCodes.PositionSyncFail;

    /// <summary>The venue's open orders could not be read.</summary>
    public const string OpenOrdersSyncFail = "RECONCILE_OPEN_ORDERS_FAILED";

    /// <summary>The venue's recent fills could not be read.</summary>
    public const string FillsSyncFail = "RECONCILE_FILLS_FAILED";

    /// <summary>The venue's balances could not be read.</summary>
    public const string BalancesSyncFail = "RECONCILE_BALANCES_FAILED";

    /// <summary>One order could not be queried.</summary>
    public const string OrderQueryFail = "RECONCILE_ORDER_QUERY_FAILED";

    /// <summary>The local snapshot was older than allowed when the venue was read; nothing was compared.</summary>
    public const string StaleSnapshot = "RECONCILE_STALE_SNAPSHOT";

    /// <summary>The symbol is quarantined: no new order until the quarantine completes.</summary>
    public const string SymbolQuarantined = "SYMBOL_QUARANTINED";

    /// <summary>Start-up recovery has not completed: no new order yet.</summary>
    public const string RecoveryInProgress = "RECOVERY_IN_PROGRESS";

    /// <summary>Start-up recovery failed: the engine stays out of RUNNING.</summary>
    public const string RecoveryFailed = "RECOVERY_FAILED";
}

/// <summary>A reconciliation or recovery that could not establish the venue's truth.</summary>
public sealed class ReconciliationException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">A <see cref="ReconciliationErrorCodes"/> code.</param>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ReconciliationException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
