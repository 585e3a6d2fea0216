using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Reconciliation;

/// <summary>Builds the execution reports by which recovery components hand venue facts to the OMS.</summary>
internal static class VenueReports
{
    public static ExecutionReport Fill(Fill fill, VenueOrderState? state, string reason = "reconciliation") => new(fill.Timestamp)
    {
        Kind = ExecutionKind.Trade,
        ClientOrderId = fill.ClientOrderId,
        VenueOrderId = fill.VenueOrderId ?? state?.VenueOrderId,
        Symbol = fill.Symbol,
        Side = fill.Side,
        Status = state?.Status ?? OrderStatus.PartiallyFilled,
        OrderQuantity = state?.Quantity ?? 0m,
        CumulativeQuantity = state?.FilledQuantity ?? 0m,
        Fill = fill,
        Reason = reason,
    };

    public static ExecutionReport Status(Order order, ExecutionKind kind, OrderStatus status, VenueOrderId? venueOrderId, DateTimeOffset at, string reason, decimal? orderQuantity = null) => new(at)
    {
        Kind = kind,
        ClientOrderId = order.ClientOrderId,
        VenueOrderId = venueOrderId ?? order.VenueOrderId,
        Symbol = order.Symbol,
        Side = order.Side,
        Status = status,
        OrderQuantity = orderQuantity ?? order.Quantity,
        CumulativeQuantity = order.FilledQuantity,
        Reason = reason,
    };
}
