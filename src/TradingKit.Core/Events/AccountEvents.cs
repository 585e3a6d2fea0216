using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Events;

/// <summary>A position's quantity, average price or realised PnL changed. Type name <c>position_changed</c>.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="PositionSide">The position leg (<c>BOTH</c> in netting mode).</param>
/// <param name="Quantity">The signed quantity now: positive long, negative short, zero flat.</param>
/// <param name="AveragePrice">The average entry price now (0 when flat).</param>
/// <param name="RealizedPnl">The position's cumulative realised PnL, after fees.</param>
public sealed record PositionChanged(Symbol Symbol, PositionSide PositionSide, decimal Quantity, decimal AveragePrice, decimal RealizedPnl) : ITradingEvent;

/// <summary>An asset balance changed. Type name <c>balance_changed</c>.</summary>
/// <param name="Asset">The asset (for example <c>USDT</c>).</param>
/// <param name="Total">The total balance now.</param>
/// <param name="Available">The part free for new orders now.</param>
/// <param name="Delta">The change of the total.</param>
/// <param name="Reason">Why (for example <c>realized_pnl</c>, <c>fee</c>, <c>funding</c>, <c>transfer</c>, <c>reconcile</c>).</param>
public sealed record BalanceChanged(string Asset, decimal Total, decimal Available, decimal Delta, string Reason) : ITradingEvent;

/// <summary>A fee was charged (or, when negative, a rebate paid). Type name <c>fee_charged</c>.</summary>
/// <param name="Asset">The fee's currency.</param>
/// <param name="Amount">The fee; negative for a rebate.</param>
/// <param name="Symbol">The instrument traded.</param>
/// <param name="ClientOrderId">The order.</param>
/// <param name="TradeId">The execution that incurred it.</param>
public sealed record FeeCharged(string Asset, decimal Amount, Symbol Symbol, ClientOrderId ClientOrderId, TradeId TradeId) : ITradingEvent;

/// <summary>A perpetual futures funding payment was applied. Type name <c>funding_applied</c>.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Asset">The currency paid in.</param>
/// <param name="Amount">Received (positive) or paid (negative).</param>
/// <param name="Rate">The funding rate applied.</param>
/// <param name="PositionQuantity">The signed position the funding was computed on.</param>
public sealed record FundingApplied(Symbol Symbol, string Asset, decimal Amount, decimal Rate, decimal PositionQuantity) : ITradingEvent;

/// <summary>The life-cycle stage of a transfer, deposit or withdrawal.</summary>
public enum TransferStatus
{
    /// <summary>Asked for; not yet confirmed.</summary>
    Requested = 1,

    /// <summary>Seen at the venue (an incoming deposit) but not yet credited.</summary>
    Detected = 2,

    /// <summary>Done: the balance moved.</summary>
    Completed = 3,

    /// <summary>Failed: no balance moved.</summary>
    Failed = 4,
}

/// <summary>An internal transfer between accounts or wallets changed status. Type name <c>transfer_recorded</c>.</summary>
/// <param name="TransferId">The transfer id: the dedup key.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">The amount; positive.</param>
/// <param name="FromAccount">The source account or wallet.</param>
/// <param name="ToAccount">The destination account or wallet.</param>
/// <param name="Status">The stage reached.</param>
/// <param name="Reason">The failure reason, when failed.</param>
public sealed record TransferRecorded(string TransferId, string Asset, decimal Amount, string FromAccount, string ToAccount, TransferStatus Status, string? Reason) : ITradingEvent;

/// <summary>An external deposit changed status. Type name <c>deposit_recorded</c>.</summary>
/// <param name="TransactionId">The deposit transaction id: the dedup key.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">The amount; positive.</param>
/// <param name="Status">The stage reached.</param>
public sealed record DepositRecorded(string TransactionId, string Asset, decimal Amount, TransferStatus Status) : ITradingEvent;

/// <summary>An external withdrawal changed status. Type name <c>withdrawal_recorded</c>.</summary>
/// <param name="WithdrawalId">The withdrawal id: the dedup key.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">The amount; positive.</param>
/// <param name="Fee">The network or venue fee charged for it.</param>
/// <param name="Status">The stage reached.</param>
/// <param name="Reason">The failure reason, when failed.</param>
public sealed record WithdrawalRecorded(string WithdrawalId, string Asset, decimal Amount, decimal Fee, TransferStatus Status, string? Reason) : ITradingEvent;
