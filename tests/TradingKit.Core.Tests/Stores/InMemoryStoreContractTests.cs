using TradingKit.Core.Tests.Contracts.Stores;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Core.Tests.Stores;

public sealed class InMemoryEventStoreTests : EventStoreContractTests
{
    protected override ValueTask<IEventStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IEventStore>(new InMemoryEventStore(time));
}

public sealed class InMemoryCommandStoreTests : CommandStoreContractTests
{
    protected override ValueTask<ICommandStore> CreateStoreAsync() => ValueTask.FromResult<ICommandStore>(new InMemoryCommandStore());
}
