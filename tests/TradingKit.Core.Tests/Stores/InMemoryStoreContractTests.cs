using TradingKit.Testing.Stores;
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

public sealed class InMemoryApprovalGateTests : ApprovalGateContractTests
{
    protected override ValueTask<IApprovalStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IApprovalStore>(new InMemoryApprovalStore(time));
}

public sealed class InMemoryMultiStreamAppendTests : MultiStreamAppendContractTests
{
    protected override ValueTask<IMultiStreamEventStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IMultiStreamEventStore>(new InMemoryEventStore(time));
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

/// <summary>
/// The event-store contract through the engine's single-event append (<see cref="InMemoryEventStore.AppendOne"/>, with its
/// cached stream logs): every single-event append of the suite takes that path, batches take the public one.
/// </summary>
public sealed class InMemoryEventStoreSingleEventPathTests : EventStoreContractTests
{
    protected override ValueTask<IEventStore> CreateStoreAsync(TimeProvider time) => ValueTask.FromResult<IEventStore>(new SingleEventPath(new InMemoryEventStore(time)));

    private sealed class SingleEventPath(InMemoryEventStore inner) : IEventStore
    {
        private readonly Dictionary<string, List<TradingKit.Events.EventEnvelope>?> _logs = [];

        public ValueTask<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<TradingKit.Events.EventData> events, CancellationToken cancellationToken = default)
        {
            if (events is not { Count: 1 } || events[0] is null || string.IsNullOrEmpty(streamId))
            {
                return inner.AppendAsync(streamId, expectedVersion, events!, cancellationToken);
            }

            var e = events[0];
            List<TradingKit.Events.EventEnvelope>? log;
            lock (_logs)
            {
                _logs.TryGetValue(streamId, out log);
            }

            var result = inner.AppendOne(streamId, expectedVersion, new PendingEvent(e.EventId, e.Payload, e.OccurredAt, e.CorrelationId, e.CausationId, e.DedupKey), ref log);
            lock (_logs)
            {
                _logs[streamId] = log;
            }

            return ValueTask.FromResult(result);
        }

        public IAsyncEnumerable<TradingKit.Events.EventEnvelope> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, CancellationToken cancellationToken = default)
            => inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);

        public IAsyncEnumerable<TradingKit.Events.EventEnvelope> ReadStreamAsync(string streamId, long fromVersion = 1, CancellationToken cancellationToken = default)
            => inner.ReadStreamAsync(streamId, fromVersion, cancellationToken);

        public IAsyncEnumerable<TradingKit.Events.EventEnvelope> SubscribeAsync(long fromPosition, CancellationToken cancellationToken = default)
            => inner.SubscribeAsync(fromPosition, cancellationToken);

        public ValueTask<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default) => inner.GetStreamVersionAsync(streamId, cancellationToken);

        public ValueTask<long> GetLastPositionAsync(CancellationToken cancellationToken = default) => inner.GetLastPositionAsync(cancellationToken);
    }
}
