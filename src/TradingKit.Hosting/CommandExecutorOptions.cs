namespace TradingKit.Hosting;

/// <summary>How <see cref="CommandExecutorService"/> takes commands from the command store to the engine.</summary>
public sealed class CommandExecutorOptions
{
    /// <summary>The name the executor claims commands under (<c>claimed_by</c>); null for <c>engine-&lt;session id&gt;</c>.</summary>
    /// <value>Defaults to null.</value>
    public string? ClaimerId { get; set; }

    /// <summary>The most commands claimed at once. They run one after another, in the order they were inserted.</summary>
    /// <value>Defaults to 16.</value>
    public int BatchSize { get; set; } = 16;

    /// <summary>Checks the options.</summary>
    /// <returns>The problems found; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (BatchSize is < 1 or > 1_000)
        {
            problems.Add($"Hosting:Commands:BatchSize must be in [1, 1000] (got {BatchSize})");
        }

        if (ClaimerId is { } id && string.IsNullOrWhiteSpace(id))
        {
            problems.Add("Hosting:Commands:ClaimerId must not be blank");
        }

        return problems;
    }
}
