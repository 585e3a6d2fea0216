using TradingKit.Brokers;
using TradingKit.DependencyInjection;
using TradingKit.Paper;

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
}
