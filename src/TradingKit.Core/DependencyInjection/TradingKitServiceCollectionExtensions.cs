using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingKit.Brokers;
using TradingKit.DependencyInjection;
using TradingKit.Engine;
using TradingKit.Errors;
using TradingKit.Journal;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Telemetry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TradingKit in a service collection.</summary>
public static class TradingKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds the TradingKit engine with its defaults (system clock, permissive risk guard, no journal) and returns a builder
    /// to choose stores, venue, strategies, risk guard and journal. Engine options are validated when the engine is resolved.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the engine options.</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder AddTradingKit(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRiskGuard>(PermissiveRiskGuard.Instance);
        services.TryAddSingleton(_ => new TradingKitMetrics());
        services.TryAddSingleton(sp =>
        {
            var engineOptions = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var broker = sp.GetService<IBrokerAdapter>()
                ?? throw new TradingKitException(ErrorCodes.InvalidOptions, "No venue registered: call UsePaperVenue(...) or UseBroker<T>().");
            var store = sp.GetService<IEventStore>()
                ?? throw new TradingKitException(ErrorCodes.InvalidOptions, "No event store registered: call UseInMemoryStores() or a database store.");
            var sessionId = engineOptions.ResolveSessionId(time);
            engineOptions.SessionId = sessionId.Value;
            var journal = sp.GetService<ISessionJournalFactory>()?.Create(sessionId);
            var replayRecorder = sp.GetService<ReplayRecording>()?.Create(sessionId, journal);
            return new TradingEngine(engineOptions, broker, store, sp.GetServices<IStrategy>(), time,
                sp.GetService<IRiskGuard>(), journal, sp.GetService<ILoggerFactory>(), sp.GetService<TradingKitMetrics>(),
                sp.GetService<KillSwitch>(), sp.GetService<TradingKit.Notifications.INotifier>(), sp.GetService<TradingKit.Execution.Approvals.ApprovalGate>(),
                sp.GetService<IProjectionStore>(), replayRecorder, sp.GetService<ISymbolLockService>(), sp.GetService<IWorkerRegistry>());
        });
        return new TradingKitBuilder(services);
    }

    private sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
    {
        public ValidateOptionsResult Validate(string? name, EngineOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (TradingKitException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
