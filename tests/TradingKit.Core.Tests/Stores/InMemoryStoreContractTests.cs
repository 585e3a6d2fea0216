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

public sealed class InMemorySymbolLockTests : SymbolLockContractTests
{
    protected override ValueTask<ISymbolLockService> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<ISymbolLockService>(new InMemorySymbolLockService(time));
}

public sealed class InMemoryWorkerRegistryTests : WorkerRegistryContractTests
{
    protected override ValueTask<IWorkerRegistry> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IWorkerRegistry>(new InMemoryWorkerRegistry(time));
}

public sealed class InMemoryControlStateTests : ControlStateContractTests
{
    protected override ValueTask<IControlStateStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IControlStateStore>(new InMemoryControlStateStore(time));
}

public sealed class InMemoryConfigStoreTests : ConfigStoreContractTests
{
    protected override ValueTask<IConfigStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IConfigStore>(new InMemoryConfigStore(time));
}

public sealed class InMemoryApprovalStoreTests : ApprovalStoreContractTests
{
    protected override ValueTask<IApprovalStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IApprovalStore>(new InMemoryApprovalStore(time));
}

public sealed class InMemoryProjectionStoreTests : ProjectionStoreContractTests
{
    protected override ValueTask<IProjectionStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IProjectionStore>(new InMemoryProjectionStore());
}

public sealed class InMemoryLockScenarioTests : SymbolLockReaperScenarioTests
{
    protected override ValueTask<WorkerFleetStores> CreateStoreAsync(TimeProvider time) =>
        ValueTask.FromResult(new WorkerFleetStores(new InMemorySymbolLockService(time), new InMemoryWorkerRegistry(time), new InMemoryEventStore(time)));
}
