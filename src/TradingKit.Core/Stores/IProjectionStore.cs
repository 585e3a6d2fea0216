using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Stores;

/// <summary>An order as the projection keeps it.</summary>
/// <param name="ClientOrderId">The key.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Type">The order type.</param>
/// <param name="Quantity">The ordered quantity.</param>
/// <param name="Price">The limit price, null for market orders.</param>
/// <param name="Status">The current status.</param>
/// <param name="FilledQuantity">How much is filled.</param>
/// <param name="AverageFillPrice">The average fill price, once filled at all.</param>
/// <param name="VenueOrderId">The venue's id, once known.</param>
/// <param name="CreatedAt">When the order was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="LastEventPosition">The global position of the last event applied to this row.</param>
public sealed record OrderView(ClientOrderId ClientOrderId, Symbol Symbol, OrderSide Side, OrderType Type, decimal Quantity, decimal? Price,
    OrderStatus Status, decimal FilledQuantity, decimal? AverageFillPrice, VenueOrderId? VenueOrderId, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, long LastEventPosition);

/// <summary>A fill as the projection keeps it. Fills are written once per trade id.</summary>
/// <param name="TradeId">The key.</param>
/// <param name="ClientOrderId">The order filled.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">The executed quantity.</param>
/// <param name="Price">The execution price.</param>
/// <param name="Fee">The fee.</param>
/// <param name="FeeCurrency">The fee's currency.</param>
/// <param name="Liquidity">Maker or taker.</param>
/// <param name="ExecutedAt">When it executed.</param>
/// <param name="EventPosition">The global position of the fill's event.</param>
public sealed record FillView(TradeId TradeId, ClientOrderId ClientOrderId, Symbol Symbol, OrderSide Side, decimal Quantity, decimal Price,
    decimal Fee, string FeeCurrency, LiquiditySide Liquidity, DateTimeOffset ExecutedAt, long EventPosition);

/// <summary>A netting position as the projection keeps it.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Quantity">Signed quantity: positive long, negative short, zero flat.</param>
/// <param name="AverageEntryPrice">The average entry price of the open quantity.</param>
/// <param name="RealizedPnl">Realised PnL so far.</param>
/// <param name="Fees">Fees paid so far.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="LastEventPosition">The global position of the last event applied to this row.</param>
public sealed record PositionView(AccountId AccountId, Symbol Symbol, decimal Quantity, decimal AverageEntryPrice, decimal RealizedPnl,
    decimal Fees, DateTimeOffset UpdatedAt, long LastEventPosition);

/// <summary>A daily (session) summary as the projection keeps it (SC-011).</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Date">The trading day.</param>
/// <param name="Trades">Closed round trips.</param>
/// <param name="Wins">Winning round trips.</param>
/// <param name="Losses">Losing round trips.</param>
/// <param name="RealizedPnl">Realised PnL of the day.</param>
/// <param name="Fees">Fees of the day.</param>
/// <param name="MaxLoss">The worst single round trip (zero or negative).</param>
/// <param name="MaxDrawdown">The day's maximum drawdown.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="LastEventPosition">The global position of the last event applied to this row.</param>
public sealed record DailySummaryView(AccountId AccountId, DateOnly Date, int Trades, int Wins, int Losses, decimal RealizedPnl, decimal Fees,
    decimal MaxLoss, decimal MaxDrawdown, DateTimeOffset UpdatedAt, long LastEventPosition);

/// <summary>
/// The read models the engine and replay write and the control plane reads. Projections are derived and disposable: rebuilt from the
/// event log after <see cref="ResetAsync"/>. Upserts are idempotent under replay: a row carrying an older
/// <c>LastEventPosition</c> than the stored one is ignored.
/// </summary>
public interface IProjectionStore
{
    /// <summary>Inserts or replaces an order unless the stored row is newer.</summary>
    /// <param name="order">The row.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when ignored because the stored row is newer.</returns>
    ValueTask<bool> UpsertOrderAsync(OrderView order, CancellationToken cancellationToken = default);

    /// <summary>An order, or null.</summary>
    /// <param name="clientOrderId">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row.</returns>
    ValueTask<OrderView?> GetOrderAsync(ClientOrderId clientOrderId, CancellationToken cancellationToken = default);

    /// <summary>Orders by creation time (then id), optionally of one symbol and optionally only those not in a terminal status.</summary>
    /// <param name="symbol">The symbol, or null for all.</param>
    /// <param name="openOnly">True to leave out filled, cancelled, rejected, expired and denied orders.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    ValueTask<IReadOnlyList<OrderView>> ListOrdersAsync(Symbol? symbol = null, bool openOnly = false, CancellationToken cancellationToken = default);

    /// <summary>Adds a fill unless its trade id is already stored.</summary>
    /// <param name="fill">The row.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the trade id was already stored (the stored row is kept).</returns>
    ValueTask<bool> AddFillAsync(FillView fill, CancellationToken cancellationToken = default);

    /// <summary>Fills in event order, optionally of one order.</summary>
    /// <param name="clientOrderId">The order, or null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    ValueTask<IReadOnlyList<FillView>> ListFillsAsync(ClientOrderId? clientOrderId = null, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces a position unless the stored row is newer.</summary>
    /// <param name="position">The row.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when ignored because the stored row is newer.</returns>
    ValueTask<bool> UpsertPositionAsync(PositionView position, CancellationToken cancellationToken = default);

    /// <summary>A position, or null.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="symbol">The symbol.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row.</returns>
    ValueTask<PositionView?> GetPositionAsync(AccountId accountId, Symbol symbol, CancellationToken cancellationToken = default);

    /// <summary>An account's positions, ordered by symbol.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    ValueTask<IReadOnlyList<PositionView>> ListPositionsAsync(AccountId accountId, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces a daily summary unless the stored row is newer.</summary>
    /// <param name="summary">The row.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when ignored because the stored row is newer.</returns>
    ValueTask<bool> UpsertDailySummaryAsync(DailySummaryView summary, CancellationToken cancellationToken = default);

    /// <summary>A daily summary, or null.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="date">The day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row.</returns>
    ValueTask<DailySummaryView?> GetDailySummaryAsync(AccountId accountId, DateOnly date, CancellationToken cancellationToken = default);

    /// <summary>An account's daily summaries, oldest day first.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    ValueTask<IReadOnlyList<DailySummaryView>> ListDailySummariesAsync(AccountId accountId, CancellationToken cancellationToken = default);

    /// <summary>The global position a projection has applied up to, or 0.</summary>
    /// <param name="projection">The projection's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The position.</returns>
    ValueTask<long> GetCheckpointAsync(string projection, CancellationToken cancellationToken = default);

    /// <summary>Records the global position a projection has applied up to.</summary>
    /// <param name="projection">The projection's name.</param>
    /// <param name="position">The position.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default);

    /// <summary>Deletes every projection row and checkpoint, so the projections can be rebuilt from the log.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    ValueTask ResetAsync(CancellationToken cancellationToken = default);
}
