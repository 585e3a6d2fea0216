using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests.Pipeline;

/// <summary>Forwards to the real paper venue and counts every call that would reach a venue.</summary>
internal sealed class CountingVenue(PaperVenue inner) : IBrokerAdapter, IMarketDataListener
{
    public int Submits { get; private set; }

    public int Cancels { get; private set; }

    public int Modifies { get; private set; }

    public int OrderCalls => Submits + Cancels + Modifies;

    public string VenueName => inner.VenueName;

    public ChannelReader<VenueEvent> Events => inner.Events;

    public void OnMarketData(MarketDataEvent marketData) => inner.OnMarketData(marketData);

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => inner.ConnectAsync(cancellationToken);

    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        Submits++;
        return inner.SubmitAsync(request, cancellationToken);
    }

    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        Cancels++;
        return inner.CancelAsync(symbol, clientOrderId, cancellationToken);
    }

    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
    {
        Modifies++;
        return inner.ModifyAsync(request, cancellationToken);
    }

    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => inner.QueryOrderAsync(symbol, clientOrderId, cancellationToken);

    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        => inner.GetOpenOrdersAsync(symbol, cancellationToken);

    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default) => inner.GetPositionsAsync(cancellationToken);

    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default) => inner.GetBalancesAsync(cancellationToken);

    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => inner.GetRecentFillsAsync(symbol, since, cancellationToken);
}
