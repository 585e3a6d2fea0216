using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Replay;

/// <summary>
/// Passes every venue call through and records it, with its arguments and outcome, in call order. Events pass through
/// untouched: the engine records the ones it applies, at the point it applies them.
/// </summary>
internal class RecordingBroker(IBrokerAdapter inner, ReplayInputRecorder recorder) : IBrokerAdapter
{
    protected IBrokerAdapter Inner { get; } = inner;

    public string VenueName => Inner.VenueName;

    public ChannelReader<VenueEvent> Events => Inner.Events;

    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
        => await CallAsync(ReplayOperations.Connect, null, null, async ct =>
        {
            await Inner.ConnectAsync(ct).ConfigureAwait(false);
            return (object?)null;
        }, cancellationToken).ConfigureAwait(false);

    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.Submit, request, null, ct => Inner.SubmitAsync(request, ct), cancellationToken);

    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.Cancel, symbol, clientOrderId, ct => Inner.CancelAsync(symbol, clientOrderId, ct), cancellationToken);

    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.Modify, request, null, ct => Inner.ModifyAsync(request, ct), cancellationToken);

    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.Query, symbol, clientOrderId, ct => Inner.QueryOrderAsync(symbol, clientOrderId, ct), cancellationToken);

    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.OpenOrders, symbol, null, ct => Inner.GetOpenOrdersAsync(symbol, ct), cancellationToken);

    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.Positions, null, null, Inner.GetPositionsAsync, cancellationToken);

    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.Balances, null, null, Inner.GetBalancesAsync, cancellationToken);

    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => CallAsync(ReplayOperations.RecentFills, symbol, since, ct => Inner.GetRecentFillsAsync(symbol, since, ct), cancellationToken);

    /// <summary>Makes one venue call and records it, with its arguments, at the time it started: its result or its failure.</summary>
    private async ValueTask<T> CallAsync<T>(string operation, object? a, object? b, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var at = recorder.Now;
        T result;
        try
        {
            result = await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, operation, a, b, ex);
            throw;
        }

        recorder.CallReturned(at, operation, a, b, result);
        return result;
    }
}

/// <summary>The recording wrapper of a simulated venue: still a market data listener, so the engine drives it as before.</summary>
internal sealed class RecordingSimulatedBroker(IBrokerAdapter inner, ReplayInputRecorder recorder) : RecordingBroker(inner, recorder), IMarketDataListener
{
    public void OnMarketData(MarketDataEvent marketData) => ((IMarketDataListener)Inner).OnMarketData(marketData);
}
