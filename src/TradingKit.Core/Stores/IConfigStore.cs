using TradingKit.Errors;

namespace TradingKit.Stores;

/// <summary>One version of a configuration value.</summary>
/// <param name="Key">The key, for example <c>strategy.sma-cross</c>.</param>
/// <param name="Version">Its version, starting at 1 per key.</param>
/// <param name="ValueJson">The value as JSON text, kept exactly as given.</param>
/// <param name="Actor">Who wrote it.</param>
/// <param name="ChangedAt">When, on the store's clock.</param>
public sealed record ConfigEntry(string Key, long Version, string ValueJson, string Actor, DateTimeOffset ChangedAt);

/// <summary>
/// Versioned configuration (seed 003's <c>config_store</c>): every put appends a new version; the latest wins; history is kept.
/// </summary>
public interface IConfigStore
{
    /// <summary>Writes a new version of a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="valueJson">The value: well-formed JSON.</param>
    /// <param name="actor">Who.</param>
    /// <param name="expectedVersion">The version the caller read (0 for a new key), or null to write whatever the current version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new entry.</returns>
    /// <exception cref="ConfigVersionConflictException">The key is not at <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="valueJson"/> is not well-formed JSON.</exception>
    ValueTask<ConfigEntry> PutAsync(string key, string valueJson, string actor, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>The latest version of a key, or null.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry.</returns>
    ValueTask<ConfigEntry?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every version of a key, oldest first.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<ConfigEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The latest version of every key, ordered by key.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<ConfigEntry>> ListLatestAsync(CancellationToken cancellationToken = default);
}

/// <summary>Thrown when a config put's expected version no longer holds. Nothing was written.</summary>
public sealed class ConfigVersionConflictException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expected">The version the caller expected.</param>
    /// <param name="actual">The key's actual version.</param>
    public ConfigVersionConflictException(string key, long expected, long actual)
        : base(StoreErrorCodes.ConfigVersionConflict, $"Config '{key}' is at version {actual}, not the expected {expected}; reload and retry.")
    {
        Key = key;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>The expected version.</summary>
    public long Expected { get; }

    /// <summary>The actual version.</summary>
    public long Actual { get; }
}
