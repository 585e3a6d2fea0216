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
    {
        var at = recorder.Now;
        try
        {
            await Inner.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Connect, null, null, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Connect, null, null, null);
    }

    public async ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        SubmitResult result;
        try
        {
            result = await Inner.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Submit, request, null, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Submit, request, null, result);
        return result;
    }

    public async ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        SubmitResult result;
        try
        {
            result = await Inner.CancelAsync(symbol, clientOrderId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Cancel, symbol, clientOrderId, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Cancel, symbol, clientOrderId, result);
        return result;
    }

    public async ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        SubmitResult result;
        try
        {
            result = await Inner.ModifyAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Modify, request, null, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Modify, request, null, result);
        return result;
    }

    public async ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        VenueOrderState? result;
        try
        {
            result = await Inner.QueryOrderAsync(symbol, clientOrderId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Query, symbol, clientOrderId, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Query, symbol, clientOrderId, result);
        return result;
    }

    public async ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        IReadOnlyList<VenueOrderState> result;
        try
        {
            result = await Inner.GetOpenOrdersAsync(symbol, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.OpenOrders, symbol, null, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.OpenOrders, symbol, null, result);
        return result;
    }

    public async ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        IReadOnlyList<VenuePosition> result;
        try
        {
            result = await Inner.GetPositionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Positions, null, null, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Positions, null, null, result);
        return result;
    }

    public async ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        IReadOnlyList<Balance> result;
        try
        {
            result = await Inner.GetBalancesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.Balances, null, null, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.Balances, null, null, result);
        return result;
    }

    public async ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var at = recorder.Now;
        IReadOnlyList<Fill> result;
        try
        {
            result = await Inner.GetRecentFillsAsync(symbol, since, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recorder.CallFailed(at, ReplayOperations.RecentFills, symbol, since, ex);
            throw;
        }

        recorder.CallReturned(at, ReplayOperations.RecentFills, symbol, since, result);
        return result;
    }
}

/// <summary>The recording wrapper of a simulated venue: still a market data listener, so the engine drives it as before.</summary>
internal sealed class RecordingSimulatedBroker(IBrokerAdapter inner, ReplayInputRecorder recorder) : RecordingBroker(inner, recorder), IMarketDataListener
{
    public void OnMarketData(MarketDataEvent marketData) => ((IMarketDataListener)Inner).OnMarketData(marketData);
}
