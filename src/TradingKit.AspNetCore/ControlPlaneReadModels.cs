using System.Text.Json;
using System.Text.Json.Serialization;
using TradingKit.Journal;
using TradingKit.Stores;

namespace TradingKit.AspNetCore;

/// <summary>A page of read-model rows, with the log position the projection store is current to.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Position">The projection checkpoint: the rows include every event up to this log position.</param>
/// <param name="Items">The rows.</param>
public sealed record ControlPlaneRows<T>(
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items);

/// <summary>An order row.</summary>
/// <param name="ClientOrderId">The client order id.</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Side"><c>buy</c> or <c>sell</c>.</param>
/// <param name="OrderType">The order type, as in the journal (<c>market</c>, <c>limit</c>, ...).</param>
/// <param name="Qty">The quantity.</param>
/// <param name="Price">The limit price; null for a market order.</param>
/// <param name="Status">The status (<c>acknowledged</c>, <c>partially_filled</c>, <c>filled</c>, ...).</param>
/// <param name="FilledQty">The filled quantity.</param>
/// <param name="AverageFillPrice">The average fill price; null before a fill.</param>
/// <param name="VenueOrderId">The venue's order id; null before the venue acknowledged it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="EventPosition">The log position of its last event.</param>
public sealed record ControlPlaneOrder(
    [property: JsonPropertyName("client_order_id")] string ClientOrderId,
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("order_type")] string OrderType,
    [property: JsonPropertyName("qty")] decimal Qty,
    [property: JsonPropertyName("price")] decimal? Price,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("filled_qty")] decimal FilledQty,
    [property: JsonPropertyName("average_fill_price")] decimal? AverageFillPrice,
    [property: JsonPropertyName("venue_order_id")] string? VenueOrderId,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("event_position")] long EventPosition)
{
    /// <summary>The row of a projected order.</summary>
    /// <param name="o">The projection row.</param>
    /// <returns>The row.</returns>
    public static ControlPlaneOrder Of(OrderView o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.ClientOrderId.Value, o.Symbol.Value, FileSessionJournal.SideName(o.Side), FileSessionJournal.OrderTypeName(o.Type), o.Quantity, o.Price,
            JsonNamingPolicy.SnakeCaseLower.ConvertName(o.Status.ToString()), o.FilledQuantity, o.AverageFillPrice, o.VenueOrderId?.Value, o.CreatedAt,
            o.UpdatedAt, o.LastEventPosition);
    }
}

/// <summary>A fill row.</summary>
/// <param name="TradeId">The venue's trade id.</param>
/// <param name="ClientOrderId">The order.</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Side"><c>buy</c> or <c>sell</c>.</param>
/// <param name="Qty">The quantity.</param>
/// <param name="Price">The price.</param>
/// <param name="Fee">The fee.</param>
/// <param name="FeeCurrency">The fee's currency.</param>
/// <param name="Liquidity"><c>maker</c> or <c>taker</c>.</param>
/// <param name="ExecutedAt">When the venue executed it.</param>
/// <param name="EventPosition">The log position of its event.</param>
public sealed record ControlPlaneFill(
    [property: JsonPropertyName("trade_id")] string TradeId,
    [property: JsonPropertyName("client_order_id")] string ClientOrderId,
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("qty")] decimal Qty,
    [property: JsonPropertyName("price")] decimal Price,
    [property: JsonPropertyName("fee")] decimal Fee,
    [property: JsonPropertyName("fee_currency")] string FeeCurrency,
    [property: JsonPropertyName("liquidity")] string Liquidity,
    [property: JsonPropertyName("executed_at")] DateTimeOffset ExecutedAt,
    [property: JsonPropertyName("event_position")] long EventPosition)
{
    /// <summary>The row of a projected fill.</summary>
    /// <param name="f">The projection row.</param>
    /// <returns>The row.</returns>
    public static ControlPlaneFill Of(FillView f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.TradeId.Value, f.ClientOrderId.Value, f.Symbol.Value, FileSessionJournal.SideName(f.Side), f.Quantity, f.Price, f.Fee, f.FeeCurrency,
            f.Liquidity == Orders.LiquiditySide.Maker ? "maker" : "taker", f.ExecutedAt, f.EventPosition);
    }
}

/// <summary>A position row (netting: hedge legs summed).</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Qty">The signed quantity (negative when short).</param>
/// <param name="AverageEntryPrice">The average entry price; 0 when flat.</param>
/// <param name="RealizedPnl">Realised PnL before fees.</param>
/// <param name="Fees">Fees paid.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="EventPosition">The log position of its last change.</param>
public sealed record ControlPlanePosition(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("qty")] decimal Qty,
    [property: JsonPropertyName("average_entry_price")] decimal AverageEntryPrice,
    [property: JsonPropertyName("realized_pnl")] decimal RealizedPnl,
    [property: JsonPropertyName("fees")] decimal Fees,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("event_position")] long EventPosition)
{
    /// <summary>The row of a projected position.</summary>
    /// <param name="p">The projection row.</param>
    /// <returns>The row.</returns>
    public static ControlPlanePosition Of(PositionView p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Symbol.Value, p.Quantity, p.AverageEntryPrice, p.RealizedPnl, p.Fees, p.UpdatedAt, p.LastEventPosition);
    }
}

/// <summary>A daily summary row.</summary>
/// <param name="Date">The trading day.</param>
/// <param name="Trades">Round trips closed.</param>
/// <param name="Wins">Of which won.</param>
/// <param name="Losses">Of which lost.</param>
/// <param name="RealizedPnl">Realised PnL before fees.</param>
/// <param name="Fees">Fees.</param>
/// <param name="MaxLoss">The worst round trip.</param>
/// <param name="MaxDrawdown">The day's largest equity drop at fill prices.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="EventPosition">The log position of its last change.</param>
public sealed record ControlPlaneDay(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("trades")] int Trades,
    [property: JsonPropertyName("wins")] int Wins,
    [property: JsonPropertyName("losses")] int Losses,
    [property: JsonPropertyName("realized_pnl")] decimal RealizedPnl,
    [property: JsonPropertyName("fees")] decimal Fees,
    [property: JsonPropertyName("max_loss")] decimal MaxLoss,
    [property: JsonPropertyName("max_drawdown")] decimal MaxDrawdown,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("event_position")] long EventPosition)
{
    /// <summary>The row of a projected daily summary.</summary>
    /// <param name="d">The projection row.</param>
    /// <returns>The row.</returns>
    public static ControlPlaneDay Of(DailySummaryView d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Date, d.Trades, d.Wins, d.Losses, d.RealizedPnl, d.Fees, d.MaxLoss, d.MaxDrawdown, d.UpdatedAt, d.LastEventPosition);
    }
}
