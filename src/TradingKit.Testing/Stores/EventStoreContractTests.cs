using Microsoft.Extensions.Time.Testing;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IEventStore"/> shares. Derive once per implementation.</summary>
public abstract class EventStoreContractTests : IAsyncLifetime
{
    private IEventStore? _store;

    /// <summary>The clock handed to the store.</summary>
    protected FakeTimeProvider Time { get; } = new(StoreTestData.Start);

    /// <summary>The store under test.</summary>
    protected IEventStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Creates an empty store using <paramref name="time"/> for recorded times.</summary>
    protected abstract ValueTask<IEventStore> CreateStoreAsync(TimeProvider time);

    /// <summary>The type name the implementation records for a payload.</summary>
    protected virtual string ExpectedTypeName(ITradingEvent payload) => EventCatalog.GetTypeName(payload);

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync(Time);

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Append: to new stream, assigns versions from one and increasing positions.</summary>
    [Fact]
    public async Task Append_ToNewStream_AssignsVersionsFromOneAndIncreasingPositions()
    {
        var result = await Store.AppendAsync("s-1", ExpectedVersion.NoStream, StoreTestData.Events(1, 3));
        var second = await Store.AppendAsync("s-2", ExpectedVersion.NoStream, StoreTestData.Events(4, 2));

        Assert.Equal(new AppendResult(3, result.LastPosition, 3, 0), result);
        Assert.Equal(2, second.StreamVersion);
        var all = await Store.ReadAllAsync().ToListAsync();
        Assert.Equal([1, 2, 3, 1, 2], all.Select(e => e.StreamVersion));
        Assert.Equal(["s-1", "s-1", "s-1", "s-2", "s-2"], all.Select(e => e.StreamId));
        AssertStrictlyIncreasing(all.Select(e => e.GlobalPosition));
        Assert.Equal(all[2].GlobalPosition, result.LastPosition);
        Assert.Equal(all[4].GlobalPosition, second.LastPosition);
        Assert.Equal(second.LastPosition, await Store.GetLastPositionAsync());
    }

    /// <summary>Append: keeps every field of the event.</summary>
    [Fact]
    public async Task Append_KeepsEveryFieldOfTheEvent()
    {
        var causation = Guid.NewGuid();
        var data = StoreTestData.Event(7, "trade-7", causation);
        Time.Advance(TimeSpan.FromMinutes(5));

        await Store.AppendAsync("order-1", ExpectedVersion.Any, [data]);

        var stored = Assert.Single(await Store.ReadStreamAsync("order-1").ToListAsync());
        Assert.Equal(data.EventId, stored.EventId);
        Assert.Equal(data.Payload, stored.Payload);
        Assert.Equal(ExpectedTypeName(data.Payload), stored.EventType);
        Assert.Equal(data.OccurredAt, stored.OccurredAt);
        Assert.Equal(StoreTestData.Start.AddMinutes(5), stored.RecordedAt);
        Assert.Equal(data.CorrelationId, stored.CorrelationId);
        Assert.Equal(causation, stored.CausationId);
        Assert.Equal("trade-7", stored.DedupKey);
        Assert.Equal("order-1", stored.StreamId);
    }

    /// <summary>Append: different payload types, round trip their types.</summary>
    [Fact]
    public async Task Append_DifferentPayloadTypes_RoundTripTheirTypes()
    {
        ITradingEvent other = new OtherTestEvent(12.345678901234567890m);
        await Store.AppendAsync("s", ExpectedVersion.NoStream,
            [StoreTestData.Event(1), StoreTestData.Event(2) with { Payload = other }]);

        var read = await Store.ReadStreamAsync("s").ToListAsync();

        Assert.IsType<TestEvent>(read[0].Payload);
        Assert.Equal(other, read[1].Payload);
        Assert.Equal(ExpectedTypeName(other), read[1].EventType);
    }

    /// <summary>Append: with stale expected version, throws typed conflict and writes nothing.</summary>
    [Fact]
    public async Task Append_WithStaleExpectedVersion_ThrowsTypedConflictAndWritesNothing()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 2));

        var conflict = await Assert.ThrowsAsync<StreamVersionConflictException>(
            async () => await Store.AppendAsync("s", 1, [StoreTestData.Event(3, "k-3")]));

        Assert.Equal("STREAM_VERSION_CONFLICT", conflict.Code);
        Assert.Equal(1, conflict.Expected);
        Assert.Equal(2, conflict.Actual);
        Assert.Equal("s", conflict.StreamId);
        Assert.Equal(2, await Store.GetStreamVersionAsync("s"));
        Assert.Equal(2, (await Store.ReadAllAsync().ToListAsync()).Count);
    }

    /// <summary>Append: no stream on an existing stream, conflicts.</summary>
    [Fact]
    public async Task Append_NoStreamOnAnExistingStream_Conflicts()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 1));

        await Assert.ThrowsAsync<StreamVersionConflictException>(
            async () => await Store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(2, 1)));
    }

    /// <summary>Append: expected version on a missing stream, conflicts.</summary>
    [Fact]
    public async Task Append_ExpectedVersionOnAMissingStream_Conflicts()
    {
        var conflict = await Assert.ThrowsAsync<StreamVersionConflictException>(
            async () => await Store.AppendAsync("missing", 3, StoreTestData.Events(1, 1)));

        Assert.Equal(0, conflict.Actual);
        Assert.Equal(0, await Store.GetLastPositionAsync());
    }

    /// <summary>Append: refused on a missing stream, leaves no stream behind.</summary>
    [Fact]
    public async Task Append_RefusedOnAMissingStream_LeavesNoStreamBehind()
    {
        await Store.AppendAsync("elsewhere", ExpectedVersion.Any, [StoreTestData.Event(1, "k")]);

        // Refused for its version, then for its key: neither may leave an empty stream behind.
        await Assert.ThrowsAsync<StreamVersionConflictException>(async () => await Store.AppendAsync("missing", 3, [StoreTestData.Event(2, "j")]));
        var duplicate = await Store.AppendAsync("missing", ExpectedVersion.Any, [StoreTestData.Event(3, "k")]);
        var duplicates = await Store.AppendAsync("missing", ExpectedVersion.NoStream, [StoreTestData.Event(4, "k"), StoreTestData.Event(5, "k")]);

        Assert.Equal((0L, 0L, 0, 1), (duplicate.StreamVersion, duplicate.LastPosition, duplicate.Appended, duplicate.Duplicates));
        Assert.Equal((0L, 0L, 0, 2), (duplicates.StreamVersion, duplicates.LastPosition, duplicates.Appended, duplicates.Duplicates));
        Assert.Equal(0, await Store.GetStreamVersionAsync("missing"));
        Assert.Empty(await Store.ReadStreamAsync("missing").ToListAsync());
        var written = await Store.AppendAsync("missing", ExpectedVersion.NoStream, [StoreTestData.Event(6, "j")]);
        Assert.Equal((1L, 2L), (written.StreamVersion, written.LastPosition));
    }

    /// <summary>Append: with any, appends at whatever version.</summary>
    [Fact]
    public async Task Append_WithAny_AppendsAtWhateverVersion()
    {
        await Store.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(1, 2));
        var result = await Store.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(3, 1));

        Assert.Equal(3, result.StreamVersion);
    }

    /// <summary>Append: two writers at the same version, exactly one gets a typed conflict.</summary>
    [Fact]
    public async Task Append_TwoWritersAtTheSameVersion_ExactlyOneGetsATypedConflict()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 1));
        using var start = new ManualResetEventSlim();

        var writers = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            start.Wait(StoreTestData.Bounded());
            try
            {
                await Store.AppendAsync("s", 1, StoreTestData.Events(10 + i, 2));
                return (Exception?)null;
            }
            catch (StreamVersionConflictException e)
            {
                return e;
            }
        })).ToArray();
        start.Set();
        var outcomes = await Task.WhenAll(writers);

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is StreamVersionConflictException);
        Assert.Equal(3, await Store.GetStreamVersionAsync("s"));
    }

    /// <summary>Append: many concurrent writers at the same version, exactly one wins.</summary>
    [Fact]
    public async Task Append_ManyConcurrentWritersAtTheSameVersion_ExactlyOneWins()
    {
        const int Writers = 8;
        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            start.Wait(StoreTestData.Bounded());
            try
            {
                await Store.AppendAsync("race", ExpectedVersion.NoStream, StoreTestData.Events(i * 10, 3));
                return true;
            }
            catch (StreamVersionConflictException)
            {
                return false;
            }
        })).ToArray();
        start.Set();
        var wins = await Task.WhenAll(writers);

        Assert.Equal(1, wins.Count(w => w));
        var stream = await Store.ReadStreamAsync("race").ToListAsync();
        Assert.Equal([1, 2, 3], stream.Select(e => e.StreamVersion));
        Assert.Single(stream.Select(e => ((TestEvent)e.Payload).Number / 10).Distinct());
    }

    /// <summary>Append: same dedup key twice, stores one event.</summary>
    [Fact]
    public async Task Append_SameDedupKeyTwice_StoresOneEvent()
    {
        var first = await Store.AppendAsync("fills", ExpectedVersion.Any, [StoreTestData.Event(1, "trade-1")]);
        var second = await Store.AppendAsync("fills", ExpectedVersion.Any, [StoreTestData.Event(2, "trade-1")]);

        Assert.Equal((1, 0), (first.Appended, first.Duplicates));
        Assert.Equal((0, 1), (second.Appended, second.Duplicates));
        Assert.Equal(first.LastPosition, second.LastPosition);
        Assert.Equal(1, second.StreamVersion);
        var stored = Assert.Single(await Store.ReadAllAsync().ToListAsync());
        Assert.Equal(1, ((TestEvent)stored.Payload).Number);
    }

    /// <summary>Append: dedup key is unique across streams.</summary>
    [Fact]
    public async Task Append_DedupKeyIsUniqueAcrossStreams()
    {
        await Store.AppendAsync("ws", ExpectedVersion.Any, [StoreTestData.Event(1, "trade-9")]);
        var fromRest = await Store.AppendAsync("rest", ExpectedVersion.Any, [StoreTestData.Event(2, "trade-9")]);

        Assert.Equal(1, fromRest.Duplicates);
        Assert.Equal(0, await Store.GetStreamVersionAsync("rest"));
        Assert.Single(await Store.ReadAllAsync().ToListAsync());
    }

    /// <summary>Append: duplicate keys inside one batch, keeps the first and numbers the rest without gaps.</summary>
    [Fact]
    public async Task Append_DuplicateKeysInsideOneBatch_KeepsTheFirstAndNumbersTheRestWithoutGaps()
    {
        var result = await Store.AppendAsync("s", ExpectedVersion.NoStream,
            [StoreTestData.Event(1, "a"), StoreTestData.Event(2, "a"), StoreTestData.Event(3, "b"), StoreTestData.Event(4)]);

        Assert.Equal((3, 1, 3L), (result.Appended, result.Duplicates, result.StreamVersion));
        var stream = await Store.ReadStreamAsync("s").ToListAsync();
        Assert.Equal([1, 3, 4], stream.Select(e => ((TestEvent)e.Payload).Number));
        Assert.Equal([1, 2, 3], stream.Select(e => e.StreamVersion));
    }

    /// <summary>Append: only duplicates, succeeds without a version check.</summary>
    [Fact]
    public async Task Append_OnlyDuplicates_SucceedsWithoutAVersionCheck()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [StoreTestData.Event(1, "k")]);
        await Store.AppendAsync("s", 1, [StoreTestData.Event(2)]);

        var retry = await Store.AppendAsync("s", ExpectedVersion.NoStream, [StoreTestData.Event(1, "k")]);

        Assert.Equal(new AppendResult(2, await Store.GetLastPositionAsync(), 0, 1), retry);
    }

    /// <summary>Append: conflicting batch, is atomic and reserves no dedup key.</summary>
    [Fact]
    public async Task Append_ConflictingBatch_IsAtomicAndReservesNoDedupKey()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 1));

        await Assert.ThrowsAsync<StreamVersionConflictException>(async () =>
            await Store.AppendAsync("s", ExpectedVersion.NoStream, [StoreTestData.Event(2, "x"), StoreTestData.Event(3, "y")]));
        var retried = await Store.AppendAsync("s", 1, [StoreTestData.Event(2, "x"), StoreTestData.Event(3, "y")]);

        Assert.Equal((2, 0), (retried.Appended, retried.Duplicates));
        Assert.Equal(3, (await Store.ReadAllAsync().ToListAsync()).Count);
    }

    /// <summary>Append: conflicting single event, reserves no dedup key.</summary>
    [Fact]
    public async Task Append_ConflictingSingleEvent_ReservesNoDedupKey()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, StoreTestData.Events(1, 1));

        await Assert.ThrowsAsync<StreamVersionConflictException>(async () =>
            await Store.AppendAsync("s", ExpectedVersion.NoStream, [StoreTestData.Event(2, "x")]));
        var retried = await Store.AppendAsync("s", 1, [StoreTestData.Event(2, "x")]);
        var again = await Store.AppendAsync("s", 2, [StoreTestData.Event(2, "x")]);

        Assert.Equal((2L, 1, 0), (retried.StreamVersion, retried.Appended, retried.Duplicates));
        Assert.Equal((2L, 0, 1), (again.StreamVersion, again.Appended, again.Duplicates));
        Assert.Equal(2, (await Store.ReadAllAsync().ToListAsync()).Count);
    }

    /// <summary>Append: empty batch, writes nothing.</summary>
    [Fact]
    public async Task Append_EmptyBatch_WritesNothing()
    {
        var result = await Store.AppendAsync("s", ExpectedVersion.NoStream, []);

        Assert.Equal(new AppendResult(0, 0, 0, 0), result);
        Assert.Equal(0, await Store.GetLastPositionAsync());
    }

    /// <summary>Append: large batch, is written in order.</summary>
    [Fact]
    public async Task Append_LargeBatch_IsWrittenInOrder()
    {
        var batch = StoreTestData.Events(1, 500);
        batch[250] = batch[250] with { DedupKey = "dup" };
        batch[251] = batch[251] with { DedupKey = "dup" };

        var result = await Store.AppendAsync("big", ExpectedVersion.NoStream, batch);

        Assert.Equal((499, 1, 499L), (result.Appended, result.Duplicates, result.StreamVersion));
        var numbers = (await Store.ReadStreamAsync("big").ToListAsync()).Select(e => ((TestEvent)e.Payload).Number).ToList();
        Assert.Equal(Enumerable.Range(1, 500).Where(i => i != 252), numbers);
    }

    /// <summary>Read all: from a position with max count, returns that window in order.</summary>
    [Fact]
    public async Task ReadAll_FromAPositionWithMaxCount_ReturnsThatWindowInOrder()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendAsync("s-" + (i % 3), ExpectedVersion.Any, StoreTestData.Events(i * 2, 2));
        }

        var all = await Store.ReadAllAsync().ToListAsync();
        var window = await Store.ReadAllAsync(all[5].GlobalPosition, 4).ToListAsync();
        var tail = await Store.ReadAllAsync(all[18].GlobalPosition).ToListAsync();
        var none = await Store.ReadAllAsync(all[^1].GlobalPosition + 1).ToListAsync();

        Assert.Equal(20, all.Count);
        Assert.Equal(Enumerable.Range(0, 20), all.Select(e => ((TestEvent)e.Payload).Number));
        Assert.Equal(all.Skip(5).Take(4).Select(e => e.EventId), window.Select(e => e.EventId));
        Assert.Equal(2, tail.Count);
        Assert.Empty(none);
    }

    /// <summary>Read stream: from a version, returns the rest of that stream only.</summary>
    [Fact]
    public async Task ReadStream_FromAVersion_ReturnsTheRestOfThatStreamOnly()
    {
        await Store.AppendAsync("a", ExpectedVersion.Any, StoreTestData.Events(1, 3));
        await Store.AppendAsync("b", ExpectedVersion.Any, StoreTestData.Events(4, 1));
        await Store.AppendAsync("a", ExpectedVersion.Any, StoreTestData.Events(5, 2));

        var fromThree = await Store.ReadStreamAsync("a", 3).ToListAsync();

        Assert.Equal([3, 4, 5], fromThree.Select(e => e.StreamVersion));
        Assert.Equal([3, 5, 6], fromThree.Select(e => ((TestEvent)e.Payload).Number));
        Assert.Empty(await Store.ReadStreamAsync("missing").ToListAsync());
        Assert.Equal(5, await Store.GetStreamVersionAsync("a"));
        Assert.Equal(0, await Store.GetStreamVersionAsync("missing"));
    }

    /// <summary>Read all and read stream: over thousands of interleaved events, return every event once in order.</summary>
    [Fact]
    public async Task ReadAllAndReadStream_OverThousandsOfInterleavedEvents_ReturnEveryEventOnceInOrder()
    {
        // Three streams take turns in batches of one to three, so the log and each stream cross any internal block size
        // (the in-memory log keeps 1,024 events per block) at different points.
        var next = 0;
        var expected = new Dictionary<string, List<int>> { ["x"] = [], ["y"] = [], ["z"] = [] };
        for (var round = 0; next < 2_600; round++)
        {
            var stream = "xyz"[round % 3].ToString();
            var size = 1 + (round % 3);
            var batch = StoreTestData.Events(next, size);
            var result = await Store.AppendAsync(stream, expected[stream].Count, batch);
            Assert.Equal(expected[stream].Count + size, result.StreamVersion);
            expected[stream].AddRange(Enumerable.Range(next, size));
            next += size;
        }

        var all = await Store.ReadAllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, next), all.Select(e => ((TestEvent)e.Payload).Number));
        AssertStrictlyIncreasing(all.Select(e => e.GlobalPosition));
        foreach (var (stream, numbers) in expected)
        {
            var read = await Store.ReadStreamAsync(stream).ToListAsync();
            Assert.Equal(numbers, read.Select(e => ((TestEvent)e.Payload).Number));
            Assert.Equal(Enumerable.Range(1, numbers.Count).Select(v => (long)v), read.Select(e => e.StreamVersion));
            Assert.All(read, e => Assert.Equal(stream, e.StreamId));

            var tail = await Store.ReadStreamAsync(stream, numbers.Count - 300).ToListAsync();
            Assert.Equal(numbers.Skip(numbers.Count - 301), tail.Select(e => ((TestEvent)e.Payload).Number));
        }

        var window = await Store.ReadAllAsync(all[1_000].GlobalPosition, 60).ToListAsync();
        Assert.Equal(all.Skip(1_000).Take(60).Select(e => e.EventId), window.Select(e => e.EventId));
        Assert.Equal(all[^1].GlobalPosition, await Store.GetLastPositionAsync());
    }

    /// <summary>Subscribe: catches up then follows live appends, without gaps or duplicates.</summary>
    [Fact]
    public async Task Subscribe_CatchesUpThenFollowsLiveAppends_WithoutGapsOrDuplicates()
    {
        const int Before = 40;
        const int After = 60;
        for (var i = 0; i < Before; i++)
        {
            await Store.AppendAsync("s-" + (i % 4), ExpectedVersion.Any, StoreTestData.Events(i, 1));
        }

        using var cts = new CancellationTokenSource(StoreTestData.Patience);
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new List<EventEnvelope>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in Store.SubscribeAsync(1, cts.Token))
            {
                received.Add(e);
                if (received.Count == Before)
                {
                    caughtUp.SetResult();
                }

                if (received.Count == Before + After)
                {
                    return;
                }
            }
        });

        await caughtUp.Task.WaitAsync(cts.Token);
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < After; i += 3)
            {
                await Store.AppendAsync("live-" + w, ExpectedVersion.Any, StoreTestData.Events(Before + i, 1));
            }
        }));
        await Task.WhenAll(writers);
        await reader.WaitAsync(cts.Token);

        var expected = await Store.ReadAllAsync().ToListAsync();
        Assert.Equal(expected.Select(e => e.GlobalPosition), received.Select(e => e.GlobalPosition));
        Assert.Equal(Before + After, received.Select(e => e.EventId).Distinct().Count());
    }

    /// <summary>Subscribe: from a position, starts there and wakes on the next append.</summary>
    [Fact]
    public async Task Subscribe_FromAPosition_StartsThereAndWakesOnTheNextAppend()
    {
        await Store.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(1, 5));
        var all = await Store.ReadAllAsync().ToListAsync();
        using var cts = new CancellationTokenSource(StoreTestData.Patience);
        var received = new List<long>();
        var gotTail = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var reader = Task.Run(async () =>
        {
            await foreach (var e in Store.SubscribeAsync(all[3].GlobalPosition, cts.Token))
            {
                received.Add(((TestEvent)e.Payload).Number);
                if (received.Count == 2)
                {
                    gotTail.SetResult();
                }

                if (received.Count == 3)
                {
                    return;
                }
            }
        });
        await gotTail.Task.WaitAsync(cts.Token);
        await Store.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(6, 1));
        await reader.WaitAsync(cts.Token);

        Assert.Equal([4, 5, 6], received);
    }

    /// <summary>Subscribe: when cancelled, ends with cancellation.</summary>
    [Fact]
    public async Task Subscribe_WhenCancelled_EndsWithCancellation()
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Store.AppendAsync("s", ExpectedVersion.Any, StoreTestData.Events(1, 1));
        var reader = Task.Run(async () =>
        {
            await foreach (var unused in Store.SubscribeAsync(1, cts.Token))
            {
                started.TrySetResult();
            }
        });

        await started.Task.WaitAsync(StoreTestData.Bounded());
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitAsync(StoreTestData.Bounded()));
    }

    private static void AssertStrictlyIncreasing(IEnumerable<long> values)
    {
        var previous = 0L;
        foreach (var value in values)
        {
            Assert.True(value > previous, $"{value} does not follow {previous}.");
            previous = value;
        }
    }
}
