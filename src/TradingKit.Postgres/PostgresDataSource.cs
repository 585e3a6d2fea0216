using Npgsql;

namespace TradingKit.Postgres;

/// <summary>Builds the one <see cref="NpgsqlDataSource"/> the stores share, with the settings they are tuned for.</summary>
public static class PostgresDataSource
{
    /// <summary>Creates a data source: no multiplexing (the stores rely on per-connection LISTEN and transactions), automatic statement preparation on.</summary>
    /// <param name="connectionString">The connection string. <c>Max Auto Prepare</c> is set to 64 when it is not given.</param>
    /// <returns>The data source; dispose it when done.</returns>
    public static NpgsqlDataSource Create(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Multiplexing = false;
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        return builder.Build();
    }
}
