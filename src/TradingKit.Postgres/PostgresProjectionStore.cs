using Npgsql;
using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Stores;

namespace TradingKit.Postgres;

/// <summary>
/// The projections on PostgreSQL (<c>orders</c>, <c>fills</c>, <c>positions</c>, <c>daily_summaries</c>, <c>projection_checkpoints</c>).
/// Upserts are <c>INSERT … ON CONFLICT DO UPDATE … WHERE stored.last_event_position &lt;= new</c>, so replays never move a row back.
/// </summary>
public sealed class PostgresProjectionStore : IProjectionStore
{
    private const string OrderColumns = "client_order_id, symbol, side, order_type, quantity, price, status, filled_quantity, average_fill_price, venue_order_id, created_at, updated_at, last_event_position";
    private const string FillColumns = "trade_id, client_order_id, symbol, side, quantity, price, fee, fee_currency, liquidity, executed_at, event_position";
    private const string PositionColumns = "account_id, symbol, quantity, average_entry_price, realized_pnl, fees, updated_at, last_event_position";
    private const string SummaryColumns = "account_id, trading_date, trades, wins, losses, realized_pnl, fees, max_loss, max_drawdown, updated_at, last_event_position";

    private static readonly string[] TerminalStatuses = [.. Enum.GetValues<OrderStatus>().Where(OrderStateMachine.IsTerminal).Select(s => s.ToString())];

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the store.</summary>
    /// <param name="dataSource">The database (migrated).</param>
    public PostgresProjectionStore(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpsertOrderAsync(OrderView order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        await using var command = Sql.Command(_dataSource, $"""
            INSERT INTO orders AS o ({OrderColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (client_order_id) DO UPDATE SET {Assignments(OrderColumns, 1)}
             WHERE o.last_event_position <= excluded.last_event_position
            """,
            order.ClientOrderId.Value, order.Symbol.Value, order.Side.ToString(), order.Type.ToString(), order.Quantity, order.Price,
            order.Status.ToString(), order.FilledQuantity, order.AverageFillPrice, order.VenueOrderId?.Value, order.CreatedAt, order.UpdatedAt,
            order.LastEventPosition);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<OrderView?> GetOrderAsync(ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {OrderColumns} FROM orders WHERE client_order_id = $1", clientOrderId.Value);
        return await Sql.SingleOrDefaultAsync(command, ReadOrder, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<OrderView>> ListOrdersAsync(Symbol? symbol = null, bool openOnly = false, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"""
            SELECT {OrderColumns} FROM orders
             WHERE ($1::text IS NULL OR symbol = $1) AND (NOT $2 OR status <> ALL($3))
             ORDER BY created_at, client_order_id COLLATE "C"
            """, Sql.Typed(symbol?.Value, NpgsqlTypes.NpgsqlDbType.Text), openOnly, TerminalStatuses);
        return await Sql.ListAsync(command, ReadOrder, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddFillAsync(FillView fill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fill);
        await using var command = Sql.Command(_dataSource,
            $"INSERT INTO fills ({FillColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (trade_id) DO NOTHING",
            fill.TradeId.Value, fill.ClientOrderId.Value, fill.Symbol.Value, fill.Side.ToString(), fill.Quantity, fill.Price, fill.Fee,
            fill.FeeCurrency, fill.Liquidity.ToString(), fill.ExecutedAt, fill.EventPosition);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<FillView>> ListFillsAsync(ClientOrderId? clientOrderId = null, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            $"SELECT {FillColumns} FROM fills WHERE $1::text IS NULL OR client_order_id = $1 ORDER BY event_position, trade_id COLLATE \"C\"",
            Sql.Typed(clientOrderId?.Value, NpgsqlTypes.NpgsqlDbType.Text));
        return await Sql.ListAsync(command, ReadFill, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpsertPositionAsync(PositionView position, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(position);
        await using var command = Sql.Command(_dataSource, $"""
            INSERT INTO positions AS p ({PositionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (account_id, symbol) DO UPDATE SET {Assignments(PositionColumns, 2)}
             WHERE p.last_event_position <= excluded.last_event_position
            """,
            position.AccountId.Value, position.Symbol.Value, position.Quantity, position.AverageEntryPrice, position.RealizedPnl, position.Fees,
            position.UpdatedAt, position.LastEventPosition);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<PositionView?> GetPositionAsync(AccountId accountId, Symbol symbol, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, $"SELECT {PositionColumns} FROM positions WHERE account_id = $1 AND symbol = $2",
            accountId.Value, symbol.Value);
        return await Sql.SingleOrDefaultAsync(command, ReadPosition, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PositionView>> ListPositionsAsync(AccountId accountId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            $"SELECT {PositionColumns} FROM positions WHERE account_id = $1 ORDER BY symbol COLLATE \"C\"", accountId.Value);
        return await Sql.ListAsync(command, ReadPosition, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpsertDailySummaryAsync(DailySummaryView summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        await using var command = Sql.Command(_dataSource, $"""
            INSERT INTO daily_summaries AS d ({SummaryColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (account_id, trading_date) DO UPDATE SET {Assignments(SummaryColumns, 2)}
             WHERE d.last_event_position <= excluded.last_event_position
            """,
            summary.AccountId.Value, summary.Date, summary.Trades, summary.Wins, summary.Losses, summary.RealizedPnl, summary.Fees,
            summary.MaxLoss, summary.MaxDrawdown, summary.UpdatedAt, summary.LastEventPosition);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<DailySummaryView?> GetDailySummaryAsync(AccountId accountId, DateOnly date, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            $"SELECT {SummaryColumns} FROM daily_summaries WHERE account_id = $1 AND trading_date = $2", accountId.Value, date);
        return await Sql.SingleOrDefaultAsync(command, ReadSummary, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DailySummaryView>> ListDailySummariesAsync(AccountId accountId, CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource,
            $"SELECT {SummaryColumns} FROM daily_summaries WHERE account_id = $1 ORDER BY trading_date", accountId.Value);
        return await Sql.ListAsync(command, ReadSummary, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long> GetCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        await using var command = Sql.Command(_dataSource, "SELECT position FROM projection_checkpoints WHERE projection = $1", projection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    /// <inheritdoc />
    public async ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        await using var command = Sql.Command(_dataSource,
            "INSERT INTO projection_checkpoints (projection, position) VALUES ($1, $2) ON CONFLICT (projection) DO UPDATE SET position = excluded.position",
            projection, position);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ResetAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Sql.Command(_dataSource, "TRUNCATE orders, fills, positions, daily_summaries, projection_checkpoints");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Assignments(string columns, int keyCount) =>
        string.Join(", ", columns.Split(", ").Skip(keyCount).Select(c => c + " = excluded." + c));

    private static OrderView ReadOrder(NpgsqlDataReader r) =>
        new(new ClientOrderId(r.GetString(0)), new Symbol(r.GetString(1)), Enum.Parse<OrderSide>(r.GetString(2)), Enum.Parse<OrderType>(r.GetString(3)),
            r.GetDecimal(4), r.GetNullableDecimal(5), Enum.Parse<OrderStatus>(r.GetString(6)), r.GetDecimal(7), r.GetNullableDecimal(8),
            r.IsDBNull(9) ? null : new VenueOrderId(r.GetString(9)), r.GetTime(10), r.GetTime(11), r.GetInt64(12));

    private static FillView ReadFill(NpgsqlDataReader r) =>
        new(new TradeId(r.GetString(0)), new ClientOrderId(r.GetString(1)), new Symbol(r.GetString(2)), Enum.Parse<OrderSide>(r.GetString(3)),
            r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6), r.GetString(7), Enum.Parse<LiquiditySide>(r.GetString(8)), r.GetTime(9), r.GetInt64(10));

    private static PositionView ReadPosition(NpgsqlDataReader r) =>
        new(new AccountId(r.GetString(0)), new Symbol(r.GetString(1)), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5),
            r.GetTime(6), r.GetInt64(7));

    private static DailySummaryView ReadSummary(NpgsqlDataReader r) =>
        new(new AccountId(r.GetString(0)), r.GetFieldValue<DateOnly>(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetDecimal(5),
            r.GetDecimal(6), r.GetDecimal(7), r.GetDecimal(8), r.GetTime(9), r.GetInt64(10));
}
