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

    /// <summary>
    /// Every local order (open and closed; denied ones are ignored). From <see cref="Capture"/>: the OMS's orders, copied
    /// when first read.
    /// </summary>
    public required IReadOnlyList<Order> Orders { get; init; }

    /// <summary>Every position leg ever traded, flat ones included.</summary>
    public required IReadOnlyList<PositionSnapshot> Positions { get; init; }

    /// <summary>Cash in <see cref="Currency"/>.</summary>
    public decimal Cash { get; init; }

    /// <summary>The portfolio currency.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>
    /// The open orders among <see cref="Orders"/>, when known (set by <see cref="Capture"/>). With <see cref="FindOrder"/>
    /// it lets a reconciliation look only at the orders that can drift instead of indexing every order of the session.
    /// </summary>
    public IReadOnlyList<Order>? OpenOrders { get; init; }

    /// <summary>
    /// Finds a local order by client order id, when known (set by <see cref="Capture"/>): the same orders as
    /// <see cref="Orders"/>. Null when the snapshot was built without one; the reconciler then indexes <see cref="Orders"/>.
    /// </summary>
    public Func<ClientOrderId, Order?>? FindOrder { get; init; }

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
            Orders = new OmsOrders(orders),
            RetiredOrders = orders.RetiredOrders,
            OpenOrders = orders.GetOpenOrders(),
            FindOrder = id => orders.TryGetOrder(id, out var order) ? order : null,
            Positions = portfolio.AllPositions,
            Cash = portfolio.Cash,
            Currency = portfolio.Currency,
            FillsSince = fillsSince,
        };
    }

    // The OMS's orders, copied when first read: a reconciliation that goes by OpenOrders and FindOrder never reads them, so
    // taking a snapshot does not cost a copy of the session's every order. On the engine loop nothing changes the OMS
    // between the capture and the read.
    private sealed class OmsOrders(OrderManager orders) : IReadOnlyList<Order>
    {
        private List<Order>? _copy;

        public int Count => Copy.Count;

        public Order this[int index] => Copy[index];

        private List<Order> Copy => _copy ??= [.. orders.Orders];

        public IEnumerator<Order> GetEnumerator() => Copy.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
