using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Oms;

/// <summary>
/// A broker whose answers are scripted call by call, recording every call. A test double for OMS unit tests;
/// the paper venue proves the integration.
/// </summary>
internal sealed class ScriptedBroker : IBrokerAdapter
{
    private readonly Channel<VenueEvent> _events = Channel.CreateUnbounded<VenueEvent>();

    public Queue<Func<OrderRequest, SubmitResult>> SubmitScript { get; } = new();

    public Queue<Func<VenueOrderState?>> QueryScript { get; } = new();

    public Queue<Func<SubmitResult>> CancelScript { get; } = new();

    public List<OrderRequest> Submits { get; } = [];

    public List<ClientOrderId> Queries { get; } = [];

    public List<ClientOrderId> Cancels { get; } = [];

    public Action<OrderRequest>? OnSubmit { get; set; }

    public int TotalCalls => Submits.Count + Queries.Count + Cancels.Count;

    public string VenueName => "scripted";

    public ChannelReader<VenueEvent> Events => _events.Reader;

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        Submits.Add(request);
        OnSubmit?.Invoke(request);
        var step = SubmitScript.Count > 0 ? SubmitScript.Dequeue() : _ => SubmitResult.Ok(new VenueOrderId("V-" + Submits.Count));
        return ValueTask.FromResult(step(request));
    }

    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        Cancels.Add(clientOrderId);
        return ValueTask.FromResult(CancelScript.Count > 0 ? CancelScript.Dequeue()() : SubmitResult.Ok());
    }

    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default) => ValueTask.FromResult(SubmitResult.Ok());

    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        Queries.Add(clientOrderId);
        return ValueTask.FromResult(QueryScript.Count > 0 ? QueryScript.Dequeue()() : null);
    }

    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<VenueOrderState>>([]);

    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<VenuePosition>>([]);

    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<Balance>>([]);

    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<Fill>>([]);
}
