using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Stores.InMemory;

/// <summary>The embedded projection store.</summary>
public sealed class InMemoryProjectionStore : IProjectionStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OrderView> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FillView> _fills = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Symbol), PositionView> _positions = [];
    private readonly Dictionary<(string Account, DateOnly Date), DailySummaryView> _summaries = [];
    private readonly Dictionary<string, long> _checkpoints = new(StringComparer.Ordinal);

    /// <summary>Creates an empty store.</summary>
    public InMemoryProjectionStore()
    {
    }

    /// <inheritdoc />
    public ValueTask<bool> UpsertOrderAsync(OrderView order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        return ValueTask.FromResult(Upsert(_orders, order.ClientOrderId.Value, order, o => o.LastEventPosition));
    }

    /// <inheritdoc />
    public ValueTask<OrderView?> GetOrderAsync(ClientOrderId clientOrderId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Get(_orders, clientOrderId.Value));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OrderView>> ListOrdersAsync(Symbol? symbol = null, bool openOnly = false, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<OrderView>>([.. _orders.Values
                .Where(o => (symbol is null || o.Symbol == symbol) && (!openOnly || !OrderStateMachine.IsTerminal(o.Status)))
                .OrderBy(o => o.CreatedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AddFillAsync(FillView fill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fill);
        lock (_gate)
        {
            return ValueTask.FromResult(_fills.TryAdd(fill.TradeId.Value, fill));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FillView>> ListFillsAsync(ClientOrderId? clientOrderId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<FillView>>([.. _fills.Values
                .Where(f => clientOrderId is null || f.ClientOrderId == clientOrderId)
                .OrderBy(f => f.EventPosition).ThenBy(f => f.TradeId.Value, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> UpsertPositionAsync(PositionView position, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(position);
        return ValueTask.FromResult(Upsert(_positions, (position.AccountId.Value, position.Symbol.Value), position, p => p.LastEventPosition));
    }

    /// <inheritdoc />
    public ValueTask<PositionView?> GetPositionAsync(AccountId accountId, Symbol symbol, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Get(_positions, (accountId.Value, symbol.Value)));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PositionView>> ListPositionsAsync(AccountId accountId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<PositionView>>([.. _positions.Values
                .Where(p => p.AccountId == accountId)
                .OrderBy(p => p.Symbol.Value, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> UpsertDailySummaryAsync(DailySummaryView summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return ValueTask.FromResult(Upsert(_summaries, (summary.AccountId.Value, summary.Date), summary, s => s.LastEventPosition));
    }

    /// <inheritdoc />
    public ValueTask<DailySummaryView?> GetDailySummaryAsync(AccountId accountId, DateOnly date, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Get(_summaries, (accountId.Value, date)));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DailySummaryView>> ListDailySummariesAsync(AccountId accountId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<DailySummaryView>>([.. _summaries.Values
                .Where(s => s.AccountId == accountId)
                .OrderBy(s => s.Date)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        lock (_gate)
        {
            return ValueTask.FromResult(_checkpoints.GetValueOrDefault(projection));
        }
    }

    /// <inheritdoc />
    public ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        lock (_gate)
        {
            _checkpoints[projection] = position;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ResetAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _orders.Clear();
            _fills.Clear();
            _positions.Clear();
            _summaries.Clear();
            _checkpoints.Clear();
        }

        return ValueTask.CompletedTask;
    }

    private bool Upsert<TKey, TRow>(Dictionary<TKey, TRow> rows, TKey key, TRow row, Func<TRow, long> position)
        where TKey : notnull
    {
        lock (_gate)
        {
            if (rows.TryGetValue(key, out var stored) && position(stored) > position(row))
            {
                return false;
            }

            rows[key] = row;
            return true;
        }
    }

    private TRow? Get<TKey, TRow>(Dictionary<TKey, TRow> rows, TKey key)
        where TKey : notnull
        where TRow : class
    {
        lock (_gate)
        {
            return rows.TryGetValue(key, out var row) ? row : null;
        }
    }
}
