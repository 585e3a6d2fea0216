using TradingKit.Brokers;
using TradingKit.DependencyInjection;
using TradingKit.Paper;
using TradingKit.Paper.Durability;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the paper venue.</summary>
public static class PaperTradingKitBuilderExtensions
{
    /// <summary>Uses the paper venue (a deterministic matching engine) as the broker, on the container's <see cref="TimeProvider"/>.</summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <param name="configure">Configures fills, fees, latency and fault injection.</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder UsePaperVenue(this TradingKitBuilder builder, Action<PaperVenueOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new PaperVenueOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.UseBroker(sp => new PaperVenue(options, sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// Uses a paper venue that outlives the process: its inputs are kept in the file at <paramref name="statePath"/>, apart from
    /// the engine's log, and replayed when the file already holds state (see <see cref="DurablePaperVenue"/>).
    /// </summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <param name="statePath">The venue's state file (JSON lines); created when missing.</param>
    /// <param name="configure">Configures fills, fees, latency and fault injection; must match what the file was written with.</param>
    /// <param name="configureStore">Configures how the file is written (for example <see cref="FilePaperVenueStoreOptions.FlushToDisk"/>).</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder UseDurablePaperVenue(this TradingKitBuilder builder, string statePath, Action<PaperVenueOptions>? configure = null,
        Action<FilePaperVenueStoreOptions>? configureStore = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(statePath);
        var options = new PaperVenueOptions();
        configure?.Invoke(options);
        options.Validate();
        var storeOptions = new FilePaperVenueStoreOptions();
        configureStore?.Invoke(storeOptions);
        return builder.UseBroker(sp => DurablePaperVenue.Open(options, new FilePaperVenueStore(statePath, storeOptions), sp.GetRequiredService<TimeProvider>()));
    }
}
