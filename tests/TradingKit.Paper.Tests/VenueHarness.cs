using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests;

/// <summary>A paper venue on a fake clock, with helpers to publish daily bars and read what the venue reported.</summary>
internal sealed class VenueHarness
{
    public static readonly Symbol Spx = new("SPX");
    public static readonly DateTimeOffset Start = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private int _ids;

    public VenueHarness(Action<PaperVenueOptions>? configure = null)
    {
        Options = new PaperVenueOptions();
        configure?.Invoke(Options);
        Clock = new FakeTimeProvider(Start);
        Venue = new PaperVenue(Options, Clock);
    }

    public PaperVenueOptions Options { get; }

    public FakeTimeProvider Clock { get; }

    public PaperVenue Venue { get; }

    /// <summary>Moves the clock one day and publishes the bar that closed then (as the engine does in a backtest).</summary>
    public Bar Bar(decimal open, decimal high, decimal low, decimal close, decimal volume = 1_000_000m, Symbol? symbol = null)
    {
        var openTime = Clock.GetUtcNow();
        Clock.Advance(TimeSpan.FromDays(1));
        var bar = new Bar(symbol ?? Spx, openTime, Clock.GetUtcNow(), open, high, low, close, volume);
        Venue.OnMarketData(bar);
        return bar;
    }

    public void Publish(MarketDataEvent item)
    {
        if (item.Timestamp > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(item.Timestamp);
        }

        Venue.OnMarketData(item);
    }

    /// <summary>Everything visible on the event stream now.</summary>
    public List<VenueEvent> Drain()
    {
        var events = new List<VenueEvent>();
        while (Venue.Events.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    public List<ExecutionReport> Reports() => Drain().OfType<ExecutionReport>().ToList();

    public ClientOrderId NextId() => new($"t-{++_ids}");

    public OrderRequest Market(OrderSide side, decimal quantity, TimeInForce tif = TimeInForce.Gtc, bool reduceOnly = false)
        => new() { ClientOrderId = NextId(), Symbol = Spx, Side = side, Type = OrderType.Market, Quantity = quantity, TimeInForce = tif, ReduceOnly = reduceOnly };

    public OrderRequest Limit(OrderSide side, decimal quantity, decimal price, TimeInForce tif = TimeInForce.Gtc, DateTimeOffset? expireAt = null)
        => new() { ClientOrderId = NextId(), Symbol = Spx, Side = side, Type = OrderType.Limit, Quantity = quantity, LimitPrice = price, TimeInForce = tif, ExpireAt = expireAt };

    public OrderRequest Conditional(OrderType type, OrderSide side, decimal quantity, decimal trigger, decimal? limit = null)
        => new() { ClientOrderId = NextId(), Symbol = Spx, Side = side, Type = type, Quantity = quantity, StopPrice = trigger, LimitPrice = limit };

    public async Task<SubmitResult> SubmitAsync(OrderRequest request) => await Venue.SubmitAsync(request);

    public async Task<VenueOrderState> QueryAsync(ClientOrderId id)
        => await Venue.QueryOrderAsync(Spx, id) ?? throw new InvalidOperationException($"order {id} not found");

    public async Task<decimal> PositionAsync(Symbol? symbol = null)
    {
        var positions = await Venue.GetPositionsAsync();
        return positions.Where(p => p.Symbol == (symbol ?? Spx)).Sum(p => p.Quantity);
    }

    public async Task<decimal> CashAsync() => (await Venue.GetBalancesAsync()).Single(b => b.Asset == Options.Currency).Total;
}

internal static class ReportExtensions
{
    public static List<Fill> Fills(this IEnumerable<ExecutionReport> reports)
        => reports.Where(r => r.Kind == ExecutionKind.Trade).Select(r => r.Fill!).ToList();

    public static List<ExecutionKind> Kinds(this IEnumerable<ExecutionReport> reports, ClientOrderId id)
        => reports.Where(r => r.ClientOrderId == id).Select(r => r.Kind).ToList();
}
