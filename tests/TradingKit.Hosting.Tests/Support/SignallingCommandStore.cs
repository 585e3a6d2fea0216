using System.Collections.Concurrent;
using TradingKit.Commands;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;

namespace TradingKit.Hosting.Tests.Support;

/// <summary>
/// The in-memory store (the contract suite's semantics), telling the test when a command completes, and able to hold
/// a claim until the test lets it go.
/// </summary>
public sealed class SignallingCommandStore : ICommandStore
{
    private readonly InMemoryCommandStore _inner = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<StoredCommand>> _completions = new();
    private readonly TaskCompletionSource _claimStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HoldClaims { get; init; }

    public Task ClaimStarted => _claimStarted.Task;

    public void ReleaseClaims() => _release.TrySetResult();

    /// <summary>Inserts a command and waits until the executor completes it.</summary>
    public async Task<StoredCommand> RunAsync(CommandEnvelope command, CancellationToken cancellationToken)
    {
        var done = _completions.GetOrAdd(command.CommandId, _ => new TaskCompletionSource<StoredCommand>(TaskCreationOptions.RunContinuationsAsynchronously));
        await InsertAsync(command, cancellationToken);
        return await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>How many commands were inserted (not counting idempotent repeats).</summary>
    public int Inserted => Volatile.Read(ref _inserted);

    private int _inserted;

    /// <summary>Waits until the executor completes a command already inserted (or about to be).</summary>
    public Task<StoredCommand> CompletionOf(Guid commandId, CancellationToken cancellationToken)
        => _completions.GetOrAdd(commandId, _ => new TaskCompletionSource<StoredCommand>(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);

    public async ValueTask<(StoredCommand Command, bool Inserted)> InsertAsync(CommandEnvelope command, CancellationToken cancellationToken = default)
    {
        var result = await _inner.InsertAsync(command, cancellationToken);
        if (result.Inserted)
        {
            Interlocked.Increment(ref _inserted);
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<StoredCommand>> ClaimAsync(string claimerId, int maxCount, CancellationToken cancellationToken = default)
    {
        if (HoldClaims)
        {
            _claimStarted.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
        }

        return await _inner.ClaimAsync(claimerId, maxCount, cancellationToken);
    }

    public async ValueTask CompleteAsync(Guid commandId, bool succeeded, string? result, CancellationToken cancellationToken = default)
    {
        await _inner.CompleteAsync(commandId, succeeded, result, cancellationToken);

        // Whoever waits for it, before or after this moment, sees it completed.
        _completions.GetOrAdd(commandId, _ => new TaskCompletionSource<StoredCommand>(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult((await _inner.GetAsync(commandId, cancellationToken))!);
    }

    public ValueTask<IReadOnlyList<StoredCommand>> ListClaimedAsync(string claimerId, CancellationToken cancellationToken = default)
        => _inner.ListClaimedAsync(claimerId, cancellationToken);

    public ValueTask<StoredCommand?> GetAsync(Guid commandId, CancellationToken cancellationToken = default) => _inner.GetAsync(commandId, cancellationToken);

    public ValueTask WaitForNewCommandsAsync(CancellationToken cancellationToken = default) => _inner.WaitForNewCommandsAsync(cancellationToken);
}
