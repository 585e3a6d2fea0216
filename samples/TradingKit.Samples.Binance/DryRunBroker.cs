using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Samples.Binance;

/// <summary>
/// Dry run as a broker decorator: the engine decides, sizes, checks risk and journals every order intent as usual
/// (<c>order_submitted</c>), and this answers in the venue's place. Each order is acknowledged and then expires with the
/// reason <see cref="NotSentReason"/> (journaled as <c>order_expired</c>), so the strategy carries on; no order, cancel or
/// modify ever reaches the venue, and nothing here needs API keys.
/// </summary>
/// <remarks>
/// <para>It is a market data listener so that the engine treats it like a simulated venue and applies its reports
/// within the loop (after the next market data item, and at stop) instead of through the live venue pump; the pump
/// would race the end of the session and lose the last intent's report.</para>
/// <para>The engine's own dry-run gate already refuses every intent before the venue (<c>EXECUTION_DRY_RUN</c>); this class
/// stays as a second net, so that even a misconfigured mode cannot send an order or a signed call.</para>
/// </remarks>
internal sealed class DryRunBroker(IBrokerAdapter venue, TimeProvider time, TextWriter output) : IBrokerAdapter, IMarketDataListener
{
    public const string NotSentReason = "dry-run: not sent to the venue";

    private readonly Channel<VenueEvent> _events = Channel.CreateUnbounded<VenueEvent>();
    private readonly ConcurrentDictionary<string, VenueOrderState> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<OrderRequest> _intents = new();
    private long _ids;

    /// <summary>The venue being stood in for (journals show it).</summary>
    public string VenueName => venue.VenueName;

    public ChannelReader<VenueEvent> Events => _events.Reader;

    /// <summary>Every order intent answered, in order.</summary>
    public IReadOnlyCollection<OrderRequest> Intents => _intents;

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Nothing to match: a dry run fills nothing.</summary>
    public void OnMarketData(MarketDataEvent marketData)
    {
    }

    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _intents.Enqueue(request);
        var venueId = new VenueOrderId("dry-run-" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture));
        var now = time.GetUtcNow();
        _orders[request.ClientOrderId.Value] = new VenueOrderState
        {
            ClientOrderId = request.ClientOrderId,
            VenueOrderId = venueId,
            Symbol = request.Symbol,
            Side = request.Side,
            Type = request.Type,
            Status = OrderStatus.Expired,
            Quantity = request.Quantity,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            UpdatedAt = now,
        };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  DRY RUN {now:yyyy-MM-dd HH:mm:ss} {request.Side} {request.Quantity} {request.Symbol} {request.Type}{(request.LimitPrice is { } p ? " @ " + p.ToString(CultureInfo.InvariantCulture) : string.Empty)} ({request.ClientOrderId}): not sent"));
        Publish(request, venueId, ExecutionKind.Accepted, OrderStatus.Acknowledged, null, now);
        Publish(request, venueId, ExecutionKind.Expired, OrderStatus.Expired, NotSentReason, now);
        return ValueTask.FromResult(SubmitResult.Ok(venueId));
    }

    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(SubmitResult.Refused("DRY_RUN_NOTHING_WORKING", "Dry run: no order is working at the venue."));

    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(SubmitResult.Refused("DRY_RUN_NOTHING_WORKING", "Dry run: no order is working at the venue."));

    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_orders.TryGetValue(clientOrderId.Value, out var state) ? state : null);

    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<VenueOrderState>>([]);

    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<VenuePosition>>([]);

    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<Balance>>([]);

    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<Fill>>([]);

    private void Publish(OrderRequest request, VenueOrderId venueId, ExecutionKind kind, OrderStatus status, string? reason, DateTimeOffset at)
        => _events.Writer.TryWrite(new ExecutionReport(at)
        {
            Kind = kind,
            ClientOrderId = request.ClientOrderId,
            VenueOrderId = venueId,
            Symbol = request.Symbol,
            Side = request.Side,
            Status = status,
            OrderQuantity = request.Quantity,
            Reason = reason,
        });
}
