namespace TradingKit.Stores.InMemory;

/// <summary>
/// A wake-up signal shared by any number of waiters: <see cref="GetWaitTask"/> hands out the current task,
/// <see cref="Pulse"/> completes it and arms a fresh one on the next wait. Waiters take the task before
/// checking for work, so a pulse between the check and the wait is never lost.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource? _current;

    /// <summary>The task the next <see cref="Pulse"/> completes.</summary>
    public Task GetWaitTask()
    {
        var current = Volatile.Read(ref _current);
        if (current is not null)
        {
            return current.Task;
        }

        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _current, fresh, null) ?? fresh).Task;
    }

    /// <summary>Wakes every current waiter.</summary>
    public void Pulse()
    {
        // A full fence (not a plain read) orders the caller's preceding write before this read,
        // pairing with the fence of the waiter's CompareExchange.
        Interlocked.Exchange(ref _current, null)?.TrySetResult();
    }
}
