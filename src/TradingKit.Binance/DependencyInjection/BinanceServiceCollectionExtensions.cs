using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TradingKit.Binance;
using TradingKit.Binance.Configuration;
using TradingKit.Brokers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Binance USDⓈ-M adapter.</summary>
public static class BinanceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="BinanceUsdmBroker"/> as the <see cref="IBrokerAdapter"/> with options validated at start.
    /// Bind the options from configuration in <paramref name="configure"/> (for example
    /// <c>o => configuration.GetSection("Binance").Bind(o)</c>): production or testnet is chosen there alone.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The options builder, to chain further configuration.</returns>
    public static OptionsBuilder<BinanceUsdmOptions> AddBinanceUsdm(this IServiceCollection services, Action<BinanceUsdmOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BinanceUsdmOptions>, BinanceUsdmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BinanceUsdmBroker>();
        services.TryAddSingleton<IBrokerAdapter>(sp => sp.GetRequiredService<BinanceUsdmBroker>());
        return services.AddOptionsWithValidateOnStart<BinanceUsdmOptions>().Configure(configure);
    }
}
