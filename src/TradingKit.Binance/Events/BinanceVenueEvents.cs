using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Binance.Events;

/// <summary>Balances changed (from <c>ACCOUNT_UPDATE</c>). Only the assets that changed are listed.</summary>
/// <param name="Timestamp">The venue's event time.</param>
/// <param name="Reason">Binance's reason: ORDER, FUNDING_FEE, DEPOSIT, WITHDRAW, ADJUSTMENT, MARGIN_TRANSFER, ...</param>
/// <param name="Balances">The changed balances.</param>
public sealed record BinanceBalanceChanged(DateTimeOffset Timestamp, string Reason, IReadOnlyList<BinanceBalanceChange> Balances) : VenueEvent(Timestamp);

/// <summary>One asset's balance after a change.</summary>
/// <param name="Asset">The asset, for example USDT.</param>
/// <param name="WalletBalance">The wallet balance.</param>
/// <param name="CrossWalletBalance">The cross-margin wallet balance.</param>
/// <param name="BalanceChange">The change excluding PnL and commission.</param>
public sealed record BinanceBalanceChange(string Asset, decimal WalletBalance, decimal CrossWalletBalance, decimal BalanceChange);

/// <summary>Positions changed (from <c>ACCOUNT_UPDATE</c>). Only the positions that changed are listed.</summary>
/// <param name="Timestamp">The venue's event time.</param>
/// <param name="Reason">Binance's reason for the update.</param>
/// <param name="Positions">The changed positions, as the venue now reports them.</param>
public sealed record BinancePositionChanged(DateTimeOffset Timestamp, string Reason, IReadOnlyList<BinancePosition> Positions) : VenueEvent(Timestamp);

/// <summary>One position as the venue reports it.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Quantity">Signed quantity: positive long, negative short.</param>
/// <param name="EntryPrice">The entry price.</param>
/// <param name="BreakEvenPrice">The break-even price.</param>
/// <param name="AccumulatedRealized">Accumulated realised PnL.</param>
/// <param name="UnrealizedPnl">Unrealised PnL.</param>
/// <param name="MarginType">cross or isolated.</param>
/// <param name="PositionSide">The leg (BOTH in one-way mode).</param>
public sealed record BinancePosition(Symbol Symbol, decimal Quantity, decimal EntryPrice, decimal BreakEvenPrice, decimal AccumulatedRealized,
    decimal UnrealizedPnl, string MarginType, PositionSide PositionSide);

/// <summary>The venue warned that margin is running out (<c>MARGIN_CALL</c>): act before liquidation.</summary>
/// <param name="Timestamp">The venue's event time.</param>
/// <param name="CrossWalletBalance">The cross wallet balance, when reported.</param>
/// <param name="Positions">The positions at risk.</param>
public sealed record BinanceMarginCall(DateTimeOffset Timestamp, decimal CrossWalletBalance, IReadOnlyList<BinanceMarginCallPosition> Positions) : VenueEvent(Timestamp);

/// <summary>One position named by a margin call.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="PositionSide">The leg.</param>
/// <param name="Quantity">Signed quantity.</param>
/// <param name="MarkPrice">The mark price.</param>
/// <param name="UnrealizedPnl">Unrealised PnL.</param>
/// <param name="MaintenanceMargin">The maintenance margin required.</param>
public sealed record BinanceMarginCallPosition(Symbol Symbol, PositionSide PositionSide, decimal Quantity, decimal MarkPrice, decimal UnrealizedPnl, decimal MaintenanceMargin);

/// <summary>
/// A fast, reduced fill notice (<c>TRADE_LITE</c>). It is a hint only: it carries no fee and no order status, so
/// the fill itself is reported by the <c>ORDER_TRADE_UPDATE</c> with the same trade id (or by gap filling).
/// </summary>
/// <param name="Timestamp">The venue's event time.</param>
/// <param name="ClientOrderId">The order's client id text (may be venue-made).</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="TradeId">The trade id.</param>
/// <param name="Side">The order's side.</param>
/// <param name="Quantity">The last filled quantity.</param>
/// <param name="Price">The last filled price.</param>
public sealed record BinanceTradeLite(DateTimeOffset Timestamp, string ClientOrderId, Symbol Symbol, TradeId TradeId, OrderSide Side, decimal Quantity, decimal Price)
    : VenueEvent(Timestamp);

/// <summary>
/// The account's configuration changed (<c>ACCOUNT_CONFIG_UPDATE</c>): a symbol's leverage, or the multi-assets mode.
/// Sizing and risk limits that assume a leverage should be re-checked.
/// </summary>
/// <param name="Timestamp">The venue's event time.</param>
/// <param name="Symbol">The symbol whose leverage changed, when this is a leverage change.</param>
/// <param name="Leverage">The new leverage, when this is a leverage change.</param>
/// <param name="MultiAssetsMode">The new multi-assets mode, when this is a mode change.</param>
public sealed record BinanceAccountConfigChanged(DateTimeOffset Timestamp, Symbol? Symbol, int? Leverage, bool? MultiAssetsMode) : VenueEvent(Timestamp);

/// <summary>How serious an operational alert is.</summary>
public enum BinanceAlertSeverity
{
    /// <summary>Worth a look (weight above the warn threshold).</summary>
    Warning = 1,

    /// <summary>Needs an operator now (IP banned: every request is stopped).</summary>
    Critical = 2,
}

/// <summary>An operational alert raised by the adapter (also pushed on the broker's event channel).</summary>
/// <param name="Timestamp">When it was raised.</param>
/// <param name="Severity">How serious it is.</param>
/// <param name="Code">A stable code, one of <see cref="BinanceErrorCodes"/>.</param>
/// <param name="Message">What happened and what the adapter does about it.</param>
/// <param name="Until">When the condition ends, when known (a ban's end).</param>
public sealed record BinanceAlert(DateTimeOffset Timestamp, BinanceAlertSeverity Severity, string Code, string Message, DateTimeOffset? Until = null)
    : VenueEvent(Timestamp);
