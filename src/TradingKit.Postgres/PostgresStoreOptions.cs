namespace TradingKit.Postgres;

/// <summary>Options of the PostgreSQL stores.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>Whether subscriptions and command waits listen for <c>NOTIFY</c>; polling still runs as the fallback.</summary>
    /// <value>True.</value>
    public bool UseNotifications { get; set; } = true;

    /// <summary>How often a subscription or command wait re-reads when no notification came (the fallback that guarantees nothing is missed).</summary>
    /// <value>One second.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many rows one read round trip fetches.</summary>
    /// <value>1000.</value>
    public int ReadPageSize { get; set; } = 1000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadPageSize, 1, nameof(ReadPageSize));
    }
}
