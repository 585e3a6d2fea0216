using TradingKit.Commands;
using TradingKit.Errors;

namespace TradingKit.Stores.InMemory;

/// <summary>
/// The embedded command store: thread-safe, with exactly the semantics of the PostgreSQL store
/// (idempotent insert by key, each command claimed by exactly one claimer, completion only from SENT).
/// </summary>
public sealed class InMemoryCommandStore : ICommandStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, StoredCommand> _byId = [];
    private readonly Dictionary<string, Guid> _byKey = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, Guid> _pending = [];
    private readonly AsyncSignal _inserted = new();
    private long _sequence;

    /// <summary>Creates an empty store.</summary>
    public InMemoryCommandStore()
    {
    }

    /// <inheritdoc />
    public ValueTask<(StoredCommand Command, bool Inserted)> InsertAsync(CommandEnvelope command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(command.IdempotencyKey);
        ArgumentNullException.ThrowIfNull(command.Payload);
        StoredCommand stored;
        lock (_gate)
        {
            if (_byKey.TryGetValue(command.IdempotencyKey, out var existingId))
            {
                return ValueTask.FromResult((_byId[existingId], false));
            }

            if (_byId.TryGetValue(command.CommandId, out var sameId))
            {
                return ValueTask.FromResult((sameId, false));
            }

            stored = new StoredCommand(command, CommandStatus.New, null, null, ++_sequence);
            _byId.Add(command.CommandId, stored);
            _byKey.Add(command.IdempotencyKey, command.CommandId);
            _pending.Add(stored.Sequence, command.CommandId);
        }

        _inserted.Pulse();
        return ValueTask.FromResult((stored, true));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredCommand>> ListClaimedAsync(string claimerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimerId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<StoredCommand> claimed = [.. _byId.Values
                .Where(c => c.Status == CommandStatus.Sent && string.Equals(c.ClaimedBy, claimerId, StringComparison.Ordinal))
                .OrderBy(static c => c.Sequence)];
            return ValueTask.FromResult(claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredCommand>> ClaimAsync(string claimerId, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimerId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return ValueTask.FromResult<IReadOnlyList<StoredCommand>>([]);
            }

            var claimed = new List<StoredCommand>(Math.Min(maxCount, _pending.Count));
            foreach (var (_, id) in _pending)
            {
                if (claimed.Count == maxCount)
                {
                    break;
                }

                var sent = _byId[id] with { Status = CommandStatus.Sent, ClaimedBy = claimerId };
                _byId[id] = sent;
                claimed.Add(sent);
            }

            foreach (var command in claimed)
            {
                _pending.Remove(command.Sequence);
            }

            return ValueTask.FromResult<IReadOnlyList<StoredCommand>>(claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(Guid commandId, bool succeeded, string? result, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_byId.TryGetValue(commandId, out var stored))
            {
                throw new TradingKitException(StoreErrorCodes.CommandNotFound, $"Command {commandId} is not stored.");
            }

            if (stored.Status != CommandStatus.Sent)
            {
                throw CommandStoreErrors.NotClaimed(commandId, stored.Status);
            }

            _byId[commandId] = stored with { Status = succeeded ? CommandStatus.Ack : CommandStatus.Failed, Result = result };
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<StoredCommand?> GetAsync(Guid commandId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_byId.TryGetValue(commandId, out var stored) ? stored : null);
        }
    }

    /// <inheritdoc />
    public async ValueTask WaitForNewCommandsAsync(CancellationToken cancellationToken = default)
    {
        var wake = _inserted.GetWaitTask();
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                return;
            }
        }

        await wake.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
