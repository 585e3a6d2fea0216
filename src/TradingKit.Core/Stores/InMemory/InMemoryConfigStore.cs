namespace TradingKit.Stores.InMemory;

/// <summary>The embedded versioned config store.</summary>
public sealed class InMemoryConfigStore : IConfigStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, List<ConfigEntry>> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public InMemoryConfigStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<ConfigEntry> PutAsync(string key, string valueJson, string actor, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        JsonText.EnsureWellFormed(valueJson, nameof(valueJson));
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var versions))
            {
                versions = [];
                _entries.Add(key, versions);
            }

            var current = (long)versions.Count;
            if (expectedVersion is { } expected && expected != current)
            {
                if (versions.Count == 0)
                {
                    _entries.Remove(key);
                }

                throw new ConfigVersionConflictException(key, expected, current);
            }

            var entry = new ConfigEntry(key, current + 1, valueJson, actor, _timeProvider.GetUtcNow());
            versions.Add(entry);
            return ValueTask.FromResult(entry);
        }
    }

    /// <inheritdoc />
    public ValueTask<ConfigEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_entries.TryGetValue(key, out var versions) ? versions[^1] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ConfigEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<ConfigEntry>>(_entries.TryGetValue(key, out var versions) ? [.. versions] : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ConfigEntry>> ListLatestAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<ConfigEntry>>([.. _entries.Values.Select(v => v[^1])]);
        }
    }
}
