using Microsoft.Extensions.Time.Testing;

namespace TradingKit.Testing.Stores;

/// <summary>Shared plumbing of the store contract suites: a fake clock and one fresh store per test.</summary>
/// <typeparam name="TStore">The port under test.</typeparam>
public abstract class StoreContractTests<TStore> : IAsyncLifetime
    where TStore : class
{
    private TStore? _store;

    /// <summary>The clock handed to the store.</summary>
    protected FakeTimeProvider Time { get; } = new(StoreTestData.Start);

    /// <summary>The store under test.</summary>
    protected TStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Creates an empty store that reads time from <paramref name="time"/>.</summary>
    protected abstract ValueTask<TStore> CreateStoreAsync(TimeProvider time);

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync(Time);

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs <paramref name="count"/> copies of <paramref name="body"/> released at the same moment.</summary>
    protected static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> body)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            start.Wait(StoreTestData.Bounded());
            return await body(i);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks).WaitAsync(StoreTestData.Patience);
    }
}
