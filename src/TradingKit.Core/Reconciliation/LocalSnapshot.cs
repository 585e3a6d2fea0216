using TradingKit.Domain;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Portfolio;

namespace TradingKit.Reconciliation;

/// <summary>
/// The local side of a reconciliation, taken on the engine loop right before the venue is read: the orders, the positions
/// and the cash, and the time it was taken.
/// </summary>
/// <remarks>
/// Positions and cash are copied; orders are held by reference because the trade ids an order applied are only
/// queryable on the order itself. The reconciler reads them before it applies any repair, and on the engine loop nothing
/// else changes them meanwhile.
/// </remarks>
public sealed record LocalSnapshot
{
    /// <summary>When the snapshot was taken, on the engine clock.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Every local order (open and closed; denied ones are ignored).</summary>
    public required IReadOnlyList<Order> Orders { get; init; }

    /// <summary>Every position leg ever traded, flat ones included.</summary>
    public required IReadOnlyList<PositionSnapshot> Positions { get; init; }

    /// <summary>Cash in <see cref="Currency"/>.</summary>
    public decimal Cash { get; init; }

    /// <summary>The portfolio currency.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>
    /// Client order ids of orders the OMS has retired (see <see cref="OmsOptions.RetainedTerminalOrders"/>): terminal orders
    /// no longer in <see cref="Orders"/>. A venue fill of one is the session's own, not an external fill; its effect is still
    /// compared through the positions. A live view of the OMS's set, read on the engine loop like the orders.
    /// </summary>
    public IReadOnlySet<ClientOrderId> RetiredOrders { get; init; } = System.Collections.Frozen.FrozenSet<ClientOrderId>.Empty;

    /// <summary>The earliest execution time of the venue fills to compare (usually the session's or the log's start).</summary>
    public DateTimeOffset FillsSince { get; init; }

    /// <summary>Captures an OMS and a portfolio.</summary>
    /// <param name="orders">The OMS.</param>
    /// <param name="portfolio">The portfolio.</param>
    /// <param name="asOf">Now, on the engine clock.</param>
    /// <param name="fillsSince">The earliest venue fill time to compare.</param>
    /// <returns>The snapshot.</returns>
    public static LocalSnapshot Capture(OrderManager orders, PortfolioLedger portfolio, DateTimeOffset asOf, DateTimeOffset fillsSince)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(portfolio);
        return new LocalSnapshot
        {
            AsOf = asOf,
            Orders = [.. orders.Orders],
            RetiredOrders = orders.RetiredOrders,
            Positions = portfolio.AllPositions,
            Cash = portfolio.Cash,
            Currency = portfolio.Currency,
            FillsSince = fillsSince,
        };
    }
}
