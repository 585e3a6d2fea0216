using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingKit.DependencyInjection;
using TradingKit.Engine;
using TradingKit.Hosting;
using TradingKit.MarketData;
using TradingKit.Risk;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TradingKit's engine with a generic host.</summary>
public static class TradingKitHostingExtensions
{
    /// <summary>
    /// Runs the engine as a hosted service (<see cref="HostedEngineService"/>) over the market data <paramref name="feed"/>
    /// opens when the host starts. Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <param name="feed">Opens the session's feed (live or from a file).</param>
    /// <param name="configure">Configures the hosting options.</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder AddHostedEngine(this TradingKitBuilder builder, Func<IServiceProvider, IMarketDataFeed> feed,
        Action<HostedEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(feed);
        var options = builder.Services.AddOptions<HostedEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Validate().Count == 0, "Hosting:FailureExitCode must not be 0").ValidateOnStart();
        builder.Services.TryAddSingleton(sp => new HostedEngineService(
            sp.GetRequiredService<TradingEngine>(),
            () => feed(sp),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<IOptions<HostedEngineOptions>>(),
            sp.GetRequiredService<ILogger<HostedEngineService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HostedEngineService>());
        return builder;
    }

    /// <summary>
    /// Executes the commands written to the registered <see cref="TradingKit.Stores.ICommandStore"/> on the hosted engine
    /// (<see cref="CommandExecutorService"/>), for as long as its session runs. Call after <see cref="AddHostedEngine"/>.
    /// </summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <param name="configure">Configures the executor.</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder AddCommandExecutor(this TradingKitBuilder builder, Action<CommandExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<CommandExecutorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Validate().Count == 0, "Hosting:Commands options are invalid (BatchSize in [1, 1000], ClaimerId not blank)").ValidateOnStart();
        builder.Services.TryAddSingleton(sp => new CommandExecutorService(
            sp.GetRequiredService<TradingKit.Stores.ICommandStore>(),
            sp.GetService<HostedEngineService>() ?? throw new InvalidOperationException("AddCommandExecutor needs AddHostedEngine: commands run on the hosted engine."),
            sp.GetRequiredService<IOptions<CommandExecutorOptions>>(),
            sp.GetRequiredService<ILogger<CommandExecutorService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CommandExecutorService>());
        return builder;
    }

    /// <summary>
    /// Keeps the registered <see cref="TradingKit.Stores.IProjectionStore"/> current from the event log while the host runs
    /// (<see cref="ProjectionWorkerService"/>), for the account the engine options name.
    /// </summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder AddProjectionWorker(this TradingKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp =>
        {
            var engine = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
            return new ProjectionWorkerService(
                sp.GetRequiredService<TradingKit.Stores.IEventStore>(),
                sp.GetRequiredService<TradingKit.Stores.IProjectionStore>(),
                new TradingKit.Replay.ProjectionRebuildOptions
                {
                    AccountId = new TradingKit.Domain.AccountId(engine.AccountId),
                    InitialCash = engine.InitialCash,
                    Currency = engine.Currency,
                },
                sp.GetRequiredService<ILogger<ProjectionWorkerService>>());
        });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProjectionWorkerService>());
        return builder;
    }

    /// <summary>
    /// Reclaims the symbols of dead workers while the host runs (<see cref="SymbolLockReaperService"/>, seed 002 SC-009), on the
    /// registered lock service, workers registry and event log. Run it in at least one host of the workers sharing a database.
    /// </summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <param name="configure">Configures the interval and the worker timeout.</param>
    /// <returns>The builder.</returns>
    public static TradingKitBuilder AddSymbolLockReaper(this TradingKitBuilder builder, Action<SymbolLockReaperOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SymbolLockReaperOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Validate().Count == 0, "Hosting:Reaper options are invalid (Interval and WorkerTimeout must be positive)").ValidateOnStart();
        builder.Services.TryAddSingleton(sp => new SymbolLockReaperService(
            sp.GetRequiredService<TradingKit.Stores.ISymbolLockService>(),
            sp.GetRequiredService<TradingKit.Stores.IWorkerRegistry>(),
            sp.GetRequiredService<TradingKit.Stores.IEventStore>(),
            sp.GetRequiredService<IOptions<SymbolLockReaperOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SymbolLockReaperService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SymbolLockReaperService>());
        return builder;
    }

    /// <summary>Adds <see cref="TradingKitEngineHealthCheck"/> for the registered engine (and its hosted service, when there is one).</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">Reported when the hosted session failed; defaults to <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddTradingKitEngine(this IHealthChecksBuilder builder, string name = "tradingkit-engine",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(name,
            sp => new TradingKitEngineHealthCheck(sp.GetRequiredService<TradingEngine>(), sp.GetRequiredService<IRiskGuard>(), sp.GetService<HostedEngineService>()),
            failureStatus, tags));
    }
}
