using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using TradingKit.Postgres;
using TradingKit.Stores;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TradingKit's PostgreSQL stores.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>The service key of the <see cref="NpgsqlDataSource"/> the stores use, so it never collides with the application's own.</summary>
    public const string DataSourceKey = "TradingKit.Postgres";

    /// <summary>
    /// Registers every store port on PostgreSQL (event, command, symbol locks, workers, control state, config, approvals, projections),
    /// one shared data source and a <see cref="PostgresMigrator"/>. Existing registrations are kept (<c>TryAdd</c>). Payloads are stored as
    /// the event and command catalogues' JSON (<see cref="CatalogEventPayloadSerializer"/>) unless the caller registers other serializers first.
    /// Run <see cref="PostgresMigrator.MigrateAsync"/> once at start-up before using the stores.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddTradingKitPostgres(this IServiceCollection services, string connectionString, Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgresStoreOptions();
        configure?.Invoke(options);
        options.Validate();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IEventPayloadSerializer, CatalogEventPayloadSerializer>();
        services.TryAddSingleton<ICommandPayloadSerializer, CatalogCommandPayloadSerializer>();
        services.TryAddKeyedSingleton<NpgsqlDataSource>(DataSourceKey, (_, _) => PostgresDataSource.Create(connectionString));
        services.TryAddSingleton(sp => new PostgresMigrator(Source(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IEventStore>(sp => new PostgresEventStore(Source(sp), sp.GetRequiredService<IEventPayloadSerializer>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PostgresStoreOptions>()));
        services.TryAddSingleton<ICommandStore>(sp => new PostgresCommandStore(Source(sp), sp.GetRequiredService<ICommandPayloadSerializer>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PostgresStoreOptions>()));
        services.TryAddSingleton<ISymbolLockService>(sp => new PostgresSymbolLockService(Source(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IWorkerRegistry>(sp => new PostgresWorkerRegistry(Source(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IControlStateStore>(sp => new PostgresControlStateStore(Source(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IConfigStore>(sp => new PostgresConfigStore(Source(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IApprovalStore>(sp => new PostgresApprovalStore(Source(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IProjectionStore>(sp => new PostgresProjectionStore(Source(sp)));
        return services;
    }

    private static NpgsqlDataSource Source(IServiceProvider services) => services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey);

    /// <summary>
    /// Uses the PostgreSQL stores for TradingKit (see <see cref="AddTradingKitPostgres"/>). Call
    /// <see cref="PostgresMigrator.MigrateAsync"/> once at start-up before the engine runs.
    /// </summary>
    /// <param name="builder">The TradingKit builder.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The builder.</returns>
    public static TradingKit.DependencyInjection.TradingKitBuilder UsePostgres(this TradingKit.DependencyInjection.TradingKitBuilder builder, string connectionString,
        Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTradingKitPostgres(connectionString, configure);
        return builder;
    }
}
