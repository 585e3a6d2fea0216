using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServiceCollectionTests(PostgresServerFixture server)
{
    [Fact]
    public async Task AddTradingKitPostgres_RegistersEveryStoreOnOneDataSource_AndKeepsEarlierRegistrations()
    {
        await using var db = await server.CreateDatabaseAsync();
        var services = new ServiceCollection()
            .AddSingleton<IEventPayloadSerializer, TestEventSerializer>()
            .AddSingleton<ICommandPayloadSerializer, TestCommandSerializer>()
            .AddSingleton<IProjectionStore, InMemoryProjectionStore>()
            .AddTradingKitPostgres(db.ConnectionString, o => o.PollInterval = TimeSpan.FromSeconds(2));
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresEventStore>(provider.GetRequiredService<IEventStore>());
        Assert.IsType<PostgresCommandStore>(provider.GetRequiredService<ICommandStore>());
        Assert.IsType<PostgresSymbolLockService>(provider.GetRequiredService<ISymbolLockService>());
        Assert.IsType<PostgresWorkerRegistry>(provider.GetRequiredService<IWorkerRegistry>());
        Assert.IsType<PostgresControlStateStore>(provider.GetRequiredService<IControlStateStore>());
        Assert.IsType<PostgresConfigStore>(provider.GetRequiredService<IConfigStore>());
        Assert.IsType<PostgresApprovalStore>(provider.GetRequiredService<IApprovalStore>());
        Assert.IsType<InMemoryProjectionStore>(provider.GetRequiredService<IProjectionStore>());
        Assert.Equal(TimeSpan.FromSeconds(2), provider.GetRequiredService<PostgresStoreOptions>().PollInterval);
        Assert.Same(provider.GetRequiredKeyedService<NpgsqlDataSource>(PostgresServiceCollectionExtensions.DataSourceKey),
            provider.GetRequiredKeyedService<NpgsqlDataSource>(PostgresServiceCollectionExtensions.DataSourceKey));
        Assert.Empty(await provider.GetRequiredService<PostgresMigrator>().MigrateAsync());
        await provider.GetRequiredService<IConfigStore>().PutAsync("k", "1", "test");
        Assert.Equal(1, (await provider.GetRequiredService<IConfigStore>().GetAsync("k"))!.Version);
    }
}
