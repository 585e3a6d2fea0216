using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Oms;
using TradingKit.Orders;

namespace TradingKit.Reconciliation;

/// <summary>Options of the <see cref="InFlightMonitor"/>.</summary>
public sealed class InFlightMonitorOptions
{
    /// <summary>An order SUBMITTED or PENDING_* unchanged for this long (engine clock) is queried.</summary>
    /// <value>Defaults to 10 s.</value>
    public TimeSpan Threshold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The least time between two queries of the same order.</summary>
    /// <value>Defaults to 5 s.</value>
    public TimeSpan QueryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unanswered queries (failed, or the venue does not know the order) after which a SUBMITTED order becomes REJECTED.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxUnansweredQueries { get; set; } = 3;

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">Every problem found, code <c>INVALID_OPTIONS</c>.</exception>
    public void Validate()
    {
        if (Threshold < TimeSpan.Zero || QueryInterval < TimeSpan.Zero || MaxUnansweredQueries is < 1 or > 100)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, string.Create(CultureInfo.InvariantCulture,
                $"In-flight monitor options: Threshold and QueryInterval must not be negative and MaxUnansweredQueries must be 1-100 (got {Threshold}, {QueryInterval}, {MaxUnansweredQueries})."));
        }
    }
}

/// <summary>What one in-flight check did.</summary>
/// <param name="Queried">Orders queried.</param>
/// <param name="Resolved">Orders whose status the venue's answer changed.</param>
/// <param name="RejectedUnanswered">SUBMITTED orders rejected after too many unanswered queries.</param>
/// <param name="StillPending">PENDING_CANCEL and PENDING_UPDATE orders that stay pending (they wait for the venue's answer).</param>
public sealed record InFlightCheckResult(int Queried, int Resolved, int RejectedUnanswered, IReadOnlyList<ClientOrderId> StillPending);

/// <summary>
/// The in-flight check (issue 6 item 5) the engine runs on its timer: orders in SUBMITTED, PENDING_CANCEL or
/// PENDING_UPDATE longer than <see cref="InFlightMonitorOptions.Threshold"/> are queried at the venue and brought in line
/// with its answer (through the <see cref="IExecutionReportSink"/>, like any report). After
/// <see cref="InFlightMonitorOptions.MaxUnansweredQueries"/> unanswered queries a SUBMITTED order becomes REJECTED with its
/// reason (<c>IN_FLIGHT_UNRESOLVED</c>); a PENDING_CANCEL or PENDING_UPDATE order stays pending until the venue answers,
/// because declaring a cancel done that the venue never confirmed would leave a live order unseen.
/// </summary>
/// <remarks>Not thread-safe: run it on the engine loop.</remarks>
public sealed partial class InFlightMonitor
{
    /// <summary>The reason code of an order rejected by the in-flight check.</summary>
    public const string UnresolvedCode = "IN_FLIGHT_UNRESOLVED";

    private readonly OrderManager _orders;
    private readonly IBrokerAdapter _broker;
    private readonly IExecutionReportSink _sink;
    private readonly TimeProvider _time;
    private readonly InFlightMonitorOptions _options;
    private readonly ILogger _logger;
    private static readonly InFlightCheckResult Idle = new(0, 0, 0, []);
    private readonly Dictionary<ClientOrderId, Tracking> _tracked = [];
    private List<Order>? _openScratch;

    /// <summary>Creates the monitor.</summary>
    /// <param name="orders">The OMS whose orders are checked.</param>
    /// <param name="broker">The venue.</param>
    /// <param name="sink">Where the venue's answers go (the engine's report path).</param>
    /// <param name="timeProvider">The engine clock.</param>
    /// <param name="options">Options; defaults when null. Validated.</param>
    /// <param name="logger">The logger.</param>
    public InFlightMonitor(OrderManager orders, IBrokerAdapter broker, IExecutionReportSink sink, TimeProvider timeProvider,
        InFlightMonitorOptions? options = null, ILogger<InFlightMonitor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options ?? new InFlightMonitorOptions();
        _options.Validate();
        _orders = orders;
        _broker = broker;
        _sink = sink;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Unanswered queries so far of an order in its current status, or 0.</summary>
    /// <param name="clientOrderId">The order.</param>
    /// <returns>The count.</returns>
    public int UnansweredQueries(ClientOrderId clientOrderId) => _tracked.TryGetValue(clientOrderId, out var t) ? t.Unanswered : 0;

    /// <summary>True when a check would find nothing to do: no open order and nothing tracked.</summary>
    internal bool IsIdle => _orders.OpenOrderCount == 0 && _tracked.Count == 0;

    /// <summary>Checks every in-flight order once.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>What was done.</returns>
    public async ValueTask<InFlightCheckResult> CheckAsync(CancellationToken cancellationToken = default)
    {
        // The engine runs this on every timer tick: a tick with nothing in flight must not allocate.
        if (IsIdle)
        {
            return Idle;
        }

        var now = _time.GetUtcNow();
        int queried = 0, resolved = 0, rejected = 0;
        List<ClientOrderId>? pending = null;
        HashSet<ClientOrderId>? seen = null;

        // A snapshot, because applying the venue's answers changes the open set; the list is reused between ticks.
        var open = _openScratch ?? [];
        _openScratch = null;
        try
        {
            _orders.CopyOpenOrdersTo(open);
            foreach (var order in open)
            {
                if (order.Status is not (OrderStatus.Submitted or OrderStatus.PendingCancel or OrderStatus.PendingUpdate) || now - order.UpdatedAt < _options.Threshold)
                {
                    continue;
                }

                var id = order.ClientOrderId;
                (seen ??= []).Add(id);
                if (!_tracked.TryGetValue(id, out var tracking) || tracking.Version != order.Version)
                {
                    // A new episode: the order changed since it was last queried.
                    _tracked[id] = tracking = new Tracking(order.Version);
                }

                if (tracking.LastQueryAt is { } last && now - last < _options.QueryInterval)
                {
                    AddPending(order, ref pending);
                    continue;
                }

                tracking.LastQueryAt = now;
                queried++;
                var status = order.Status;
                var (answered, detail) = await QueryAndApplyAsync(order, now, cancellationToken).ConfigureAwait(false);
                if (answered)
                {
                    tracking.Unanswered = 0;
                }
                else
                {
                    tracking.Unanswered++;
                    LogUnanswered(id, order.Status, tracking.Unanswered, detail);
                    if (order.Status == OrderStatus.Submitted && tracking.Unanswered >= _options.MaxUnansweredQueries)
                    {
                        var reason = string.Create(CultureInfo.InvariantCulture,
                            $"{UnresolvedCode}: no venue answer after {tracking.Unanswered} queries over {now - order.UpdatedAt} (last: {detail})");
                        await _sink.ApplyAsync(VenueReports.Status(order, ExecutionKind.Rejected, OrderStatus.Rejected, null, now, reason), cancellationToken).ConfigureAwait(false);
                        rejected++;
                    }
                }

                if (order.Status != status)
                {
                    resolved++;
                    _tracked.Remove(id);
                }
                else
                {
                    tracking.Version = order.Version;
                    AddPending(order, ref pending);
                }
            }
        }
        finally
        {
            open.Clear();
            _openScratch = open;
        }

        // Forget orders no longer in flight, so the table cannot grow without bound.
        if (_tracked.Count > 0)
        {
            List<ClientOrderId>? gone = null;
            foreach (var id in _tracked.Keys)
            {
                if (seen is null || !seen.Contains(id))
                {
                    (gone ??= []).Add(id);
                }
            }

            if (gone is not null)
            {
                foreach (var id in gone)
                {
                    _tracked.Remove(id);
                }
            }
        }

        return queried == 0 && resolved == 0 && rejected == 0 && pending is null ? Idle : new InFlightCheckResult(queried, resolved, rejected, pending ?? []);
    }

    private static void AddPending(Order order, ref List<ClientOrderId>? pending)
    {
        if (OrderStateMachine.IsPending(order.Status))
        {
            (pending ??= []).Add(order.ClientOrderId);
        }
    }

    /// <summary>Queries one order and applies the answer. Returns false when the venue gave none (failure, or unknown order).</summary>
    private async ValueTask<(bool Answered, string Detail)> QueryAndApplyAsync(Order order, DateTimeOffset now, CancellationToken cancellationToken)
    {
        VenueOrderState? state;
        try
        {
            state = await _broker.QueryOrderAsync(order.Symbol, order.ClientOrderId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerException or TimeoutException)
        {
            return (false, "query failed: " + ex.Message);
        }

        if (state is null)
        {
            return (false, "the venue does not know the order");
        }

        if (state.FilledQuantity > order.FilledQuantity)
        {
            await ApplyMissingFillsAsync(order, state, cancellationToken).ConfigureAwait(false);
        }

        var at = state.UpdatedAt == default ? now : state.UpdatedAt;
        var report = state.Status switch
        {
            OrderStatus.Cancelled => VenueReports.Status(order, ExecutionKind.Cancelled, state.Status, state.VenueOrderId, at, "cancelled (found by in-flight query)"),
            OrderStatus.Expired => VenueReports.Status(order, ExecutionKind.Expired, state.Status, state.VenueOrderId, at, "expired (found by in-flight query)"),
            OrderStatus.Rejected => VenueReports.Status(order, ExecutionKind.Rejected, state.Status, state.VenueOrderId, at, "rejected by venue (found by in-flight query)"),
            _ when order.Status == OrderStatus.Submitted => VenueReports.Status(order, ExecutionKind.Accepted, state.Status, state.VenueOrderId, at, "acknowledged (found by in-flight query)"),
            _ when order.Status == OrderStatus.PendingUpdate && order.PendingModify is { } modify && ModifyApplied(modify, state)
                => VenueReports.Status(order, ExecutionKind.Updated, state.Status, state.VenueOrderId, at, "modify applied (found by in-flight query)", state.Quantity),
            _ => null,
        };
        if (report is not null && !OrderStateMachine.IsTerminal(order.Status))
        {
            await _sink.ApplyAsync(report, cancellationToken).ConfigureAwait(false);
        }

        return (true, state.Status.ToString());
    }

    private static bool ModifyApplied(ModifyRequest modify, VenueOrderState state)
        => (modify.NewQuantity is null || modify.NewQuantity == state.Quantity)
            && (modify.NewLimitPrice is null || modify.NewLimitPrice == state.LimitPrice)
            && (modify.NewStopPrice is null || modify.NewStopPrice == state.StopPrice);

    private async ValueTask ApplyMissingFillsAsync(Order order, VenueOrderState state, CancellationToken cancellationToken)
    {
        IReadOnlyList<Fill> fills;
        try
        {
            fills = await _broker.GetRecentFillsAsync(order.Symbol, order.CreatedAt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerException or TimeoutException)
        {
            // The reconciler infers what the fill list cannot give; the status is still applied below.
            LogFillsUnavailable(order.ClientOrderId, ex.Message);
            return;
        }

        foreach (var fill in fills)
        {
            if (fill.ClientOrderId == order.ClientOrderId && !order.HasFill(fill.TradeId))
            {
                await _sink.ApplyAsync(VenueReports.Fill(fill, state, "found by in-flight query"), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight order {ClientOrderId} ({Status}): query {Count} unanswered ({Detail})")]
    private partial void LogUnanswered(ClientOrderId clientOrderId, OrderStatus status, int count, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight order {ClientOrderId}: the venue's fills could not be read ({Message}); left for the reconciler")]
    private partial void LogFillsUnavailable(ClientOrderId clientOrderId, string message);

    private sealed class Tracking(int version)
    {
        public int Version { get; set; } = version;

        public int Unanswered { get; set; }

        public DateTimeOffset? LastQueryAt { get; set; }
    }
}
