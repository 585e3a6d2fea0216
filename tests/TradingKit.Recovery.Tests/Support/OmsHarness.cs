using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Paper;
using TradingKit.Portfolio;
using TradingKit.Reconciliation;
using TradingKit.Stores.InMemory;
using TradingKit.Time;

namespace TradingKit.Recovery.Tests.Support;

/// <summary>An OMS, a portfolio and a real paper venue behind a venue whose reads can be made to fail or hide fills.</summary>
internal sealed class OmsHarness
{
    public static readonly Symbol Spx = new("SPX");
    public static readonly StrategyId Strategy = new("test");

    private int _orderNumber;

    public OmsHarness(Action<PaperVenueOptions>? configure = null, int? retainedTerminalOrders = null)
    {
        Clock = new SimulationTimeProvider(RandomSession.Start);
        var options = new PaperVenueOptions
        {
            InitialCash = 100_000m,
            TakerFeeBps = 1m,
            Instruments = [new Instrument(Spx, 0.01m, 0.01m, 0.01m, 1_000_000m)],
        };
        configure?.Invoke(options);
        Paper = new PaperVenue(options, Clock);
        Venue = new FaultyVenue(Paper);
        Store = new InMemoryEventStore(Clock);
        Portfolio = new PortfolioLedger(100_000m);
        Orders = new OrderManager(Venue, NullRecorder.Instance, new OmsOptions { RetryBaseDelay = TimeSpan.Zero, CallTimeout = Timeout.InfiniteTimeSpan, RetainedTerminalOrders = retainedTerminalOrders }, Clock);
        Sink = new OrderManagerReportSink(Orders, Portfolio);
    }

    public SimulationTimeProvider Clock { get; }

    public PaperVenue Paper { get; }

    public FaultyVenue Venue { get; }

    public InMemoryEventStore Store { get; }

    public PortfolioLedger Portfolio { get; }

    public OrderManager Orders { get; }

    public OrderManagerReportSink Sink { get; }

    public decimal Price { get; private set; } = 100m;

    public Reconciler Reconciler(ReconcilerOptions? options = null)
        => new(Venue, Sink, Store, new SessionId("h"), Clock, options ?? new ReconcilerOptions { ClockSkewTolerance = TimeSpan.Zero, QueryRetryDelay = TimeSpan.Zero });

    public LocalSnapshot Snapshot() => LocalSnapshot.Capture(Orders, Portfolio, Clock.GetUtcNow(), RandomSession.Start);

    public async Task<Order> SubmitAsync(OrderSide side, decimal quantity, decimal? limit = null)
    {
        var request = new OrderRequest
        {
            ClientOrderId = new ClientOrderId("h-" + (++_orderNumber)),
            Symbol = Spx,
            Side = side,
            Type = limit is null ? OrderType.Market : OrderType.Limit,
            Quantity = quantity,
            LimitPrice = limit,
        };
        var outcome = await Orders.SubmitAsync(request, new OrderContext(Strategy, CorrelationId.New(), Price, Clock.GetUtcNow()));
        return outcome.Order ?? throw new InvalidOperationException("the harness submits new ids only; a duplicate of a retired order has no order object");
    }

    /// <summary>Moves the clock a minute, shows the venue a bar, and hands its reports to the OMS unless told to drop them.</summary>
    public async Task<List<ExecutionReport>> BarAsync(decimal close, bool deliver = true, decimal volume = 1_000m)
    {
        var open = Price;
        Price = close;
        var start = Clock.GetUtcNow();
        Clock.AdvanceTo(start.AddMinutes(1));
        Paper.OnMarketData(new Bar(Spx, start, Clock.GetUtcNow(), open, Math.Max(open, close) + 0.5m, Math.Min(open, close) - 0.5m, close, volume));
        Portfolio.Mark(Spx, close, Clock.GetUtcNow());
        return await DrainAsync(deliver);
    }

    /// <summary>Moves the clock a minute, shows the venue a bar, and returns every event it published, delivering none.</summary>
    public List<VenueEvent> BarEvents(decimal close, decimal volume = 1_000m)
    {
        var open = Price;
        Price = close;
        var start = Clock.GetUtcNow();
        Clock.AdvanceTo(start.AddMinutes(1));
        Paper.OnMarketData(new Bar(Spx, start, Clock.GetUtcNow(), open, Math.Max(open, close) + 0.5m, Math.Min(open, close) - 0.5m, close, volume));
        Portfolio.Mark(Spx, close, Clock.GetUtcNow());
        var events = new List<VenueEvent>();
        while (Paper.Events.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    public async Task<List<ExecutionReport>> DrainAsync(bool deliver = true)
    {
        var reports = new List<ExecutionReport>();
        while (Paper.Events.TryRead(out var e))
        {
            if (e is ExecutionReport report)
            {
                reports.Add(report);
                if (deliver)
                {
                    await Sink.ApplyAsync(report);
                }
            }
        }

        return reports;
    }

    public void Advance(TimeSpan by) => Clock.AdvanceTo(Clock.GetUtcNow() + by);

    private sealed class NullRecorder : IOrderRecorder
    {
        public static readonly NullRecorder Instance = new();

        public ValueTask RecordAsync(OrderChange change, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}

/// <summary>A venue decorator whose calls can fail, be counted, or hide fills, around a real venue.</summary>
internal sealed class FaultyVenue(IBrokerAdapter inner) : IBrokerAdapter, IMarketDataListener
{
    public int Submits { get; private set; }

    public int PositionFailures { get; set; }

    public int OpenOrderFailures { get; set; }

    public int QueryFailures { get; set; }

    public bool HideFills { get; set; }

    public bool SubmitVanishes { get; set; }

    public bool SubmitThenTimeout { get; set; }

    public bool CancelVanishes { get; set; }

    public int PositionReads { get; private set; }

    public int Queries { get; private set; }

    public string VenueName => inner.VenueName;

    public ChannelReader<VenueEvent> Events => inner.Events;

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => inner.ConnectAsync(cancellationToken);

    public void OnMarketData(MarketDataEvent marketData) => (inner as IMarketDataListener)?.OnMarketData(marketData);

    public async ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        Submits++;
        if (SubmitVanishes)
        {
            throw new BrokerException(BrokerErrorKind.UnknownOutcome, "lost on the way (test)");
        }

        var result = await inner.SubmitAsync(request, cancellationToken);
        return SubmitThenTimeout ? throw new BrokerException(BrokerErrorKind.UnknownOutcome, "answer lost (test)") : result;
    }

    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => CancelVanishes ? ValueTask.FromResult(SubmitResult.Ok()) : inner.CancelAsync(symbol, clientOrderId, cancellationToken);

    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default) => inner.ModifyAsync(request, cancellationToken);

    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        Queries++;
        if (QueryFailures > 0)
        {
            QueryFailures--;
            return ValueTask.FromException<VenueOrderState?>(new BrokerException(BrokerErrorKind.Transient, "query timed out (test)"));
        }

        return inner.QueryOrderAsync(symbol, clientOrderId, cancellationToken);
    }

    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
    {
        if (OpenOrderFailures > 0)
        {
            OpenOrderFailures--;
            return ValueTask.FromException<IReadOnlyList<VenueOrderState>>(new BrokerException(BrokerErrorKind.Transient, "open orders: HTTP 503 (test)"));
        }

        return inner.GetOpenOrdersAsync(symbol, cancellationToken);
    }

    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        PositionReads++;
        if (PositionFailures > 0)
        {
            PositionFailures--;
            return ValueTask.FromException<IReadOnlyList<VenuePosition>>(new BrokerException(BrokerErrorKind.Transient, "positions: HTTP 503 (test)"));
        }

        return inner.GetPositionsAsync(cancellationToken);
    }

    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default) => inner.GetBalancesAsync(cancellationToken);

    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => HideFills ? ValueTask.FromResult<IReadOnlyList<Fill>>([]) : inner.GetRecentFillsAsync(symbol, since, cancellationToken);
}
