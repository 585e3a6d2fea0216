using System.Collections.Concurrent;
using TradingKit.Commands;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="ICommandStore"/> shares. Derive once per implementation.</summary>
public abstract class CommandStoreContractTests : IAsyncLifetime
{
    private ICommandStore? _store;

    /// <summary>The store under test.</summary>
    protected ICommandStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Creates an empty store.</summary>
    protected abstract ValueTask<ICommandStore> CreateStoreAsync();

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Insert: same idempotency key twice, stores one command.</summary>
    [Fact]
    public async Task Insert_SameIdempotencyKeyTwice_StoresOneCommand()
    {
        var first = StoreTestData.Command("close-btc");
        var retry = StoreTestData.Command("close-btc", "something else");

        var (stored, inserted) = await Store.InsertAsync(first);
        var (again, insertedAgain) = await Store.InsertAsync(retry);

        Assert.True(inserted);
        Assert.False(insertedAgain);
        Assert.Equal(first.CommandId, again.Envelope.CommandId);
        Assert.Equal(new TestCommand("pause"), again.Envelope.Payload);
        Assert.Equal(CommandStatus.New, stored.Status);
        Assert.Null(await Store.GetAsync(retry.CommandId));
        Assert.Single(await Store.ClaimAsync("x", 10));
    }

    /// <summary>Insert: keeps the envelope.</summary>
    [Fact]
    public async Task Insert_KeepsTheEnvelope()
    {
        var command = StoreTestData.Command("k");

        await Store.InsertAsync(command);
        var stored = await Store.GetAsync(command.CommandId);

        Assert.NotNull(stored);
        Assert.Equal(command, stored.Envelope);
        Assert.Equal(CommandStatus.New, stored.Status);
        Assert.Null(stored.ClaimedBy);
        Assert.True(stored.Sequence > 0);
    }

    /// <summary>Claim: takes oldest first up to max count and marks them sent.</summary>
    [Fact]
    public async Task Claim_TakesOldestFirstUpToMaxCountAndMarksThemSent()
    {
        var commands = Enumerable.Range(0, 5).Select(i => StoreTestData.Command("k" + i)).ToList();
        foreach (var c in commands)
        {
            await Store.InsertAsync(c);
        }

        var firstTwo = await Store.ClaimAsync("engine-1", 2);
        var rest = await Store.ClaimAsync("engine-2", 10);
        var none = await Store.ClaimAsync("engine-3", 10);

        Assert.Equal(commands.Take(2).Select(c => c.CommandId), firstTwo.Select(c => c.Envelope.CommandId));
        Assert.Equal(commands.Skip(2).Select(c => c.CommandId), rest.Select(c => c.Envelope.CommandId));
        Assert.Empty(none);
        Assert.All(firstTwo, c => Assert.Equal((CommandStatus.Sent, "engine-1"), (c.Status, c.ClaimedBy)));
        var reread = await Store.GetAsync(commands[3].CommandId);
        Assert.Equal((CommandStatus.Sent, "engine-2"), (reread!.Status, reread.ClaimedBy));
    }

    /// <summary>Claim: four concurrent claimers, get each command exactly once.</summary>
    [Fact]
    public async Task Claim_FourConcurrentClaimers_GetEachCommandExactlyOnce()
    {
        const int Count = 200;
        var ids = new List<Guid>();
        for (var i = 0; i < Count; i++)
        {
            var (stored, _) = await Store.InsertAsync(StoreTestData.Command("cmd-" + i));
            ids.Add(stored.Envelope.CommandId);
        }

        var claims = new ConcurrentBag<(string Claimer, Guid Id)>();
        using var start = new ManualResetEventSlim();
        var claimers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            start.Wait(StoreTestData.Bounded());
            while (true)
            {
                var got = await Store.ClaimAsync("claimer-" + c, 3);
                if (got.Count == 0)
                {
                    return;
                }

                foreach (var command in got)
                {
                    claims.Add(("claimer-" + c, command.Envelope.CommandId));
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(claimers).WaitAsync(StoreTestData.Bounded());

        Assert.Equal(Count, claims.Count);
        Assert.Equal(ids.Order(), claims.Select(c => c.Id).Order());
        foreach (var (claimer, id) in claims)
        {
            Assert.Equal(claimer, (await Store.GetAsync(id))!.ClaimedBy);
        }
    }

    /// <summary>List claimed: gives what a claimer claimed and did not complete, oldest first.</summary>
    [Fact]
    public async Task ListClaimed_GivesWhatAClaimerClaimedAndDidNotComplete_OldestFirst()
    {
        var ids = new List<Guid>();
        foreach (var key in new[] { "c1", "c2", "c3", "c4" })
        {
            var command = StoreTestData.Command(key);
            ids.Add(command.CommandId);
            await Store.InsertAsync(command);
        }

        await Store.ClaimAsync("engine-a", 3);
        await Store.ClaimAsync("engine-b", 1);
        await Store.CompleteAsync(ids[1], succeeded: true, "done");

        var left = await Store.ListClaimedAsync("engine-a");

        Assert.Equal([ids[0], ids[2]], left.Select(c => c.Envelope.CommandId));
        Assert.All(left, c => Assert.Equal(CommandStatus.Sent, c.Status));
        Assert.All(left, c => Assert.Equal("engine-a", c.ClaimedBy));
        Assert.Equal([ids[3]], (await Store.ListClaimedAsync("engine-b")).Select(c => c.Envelope.CommandId));
        Assert.Empty(await Store.ListClaimedAsync("engine-c"));
    }

    /// <summary>Complete: succeeded, is ack with result.</summary>
    [Fact]
    public async Task Complete_Succeeded_IsAckWithResult()
    {
        var (stored, _) = await Store.InsertAsync(StoreTestData.Command("k"));
        await Store.ClaimAsync("e", 1);

        await Store.CompleteAsync(stored.Envelope.CommandId, true, "paused");

        var done = await Store.GetAsync(stored.Envelope.CommandId);
        Assert.Equal((CommandStatus.Ack, "paused", "e"), (done!.Status, done.Result, done.ClaimedBy));
    }

    /// <summary>Complete: failed, is failed with the error.</summary>
    [Fact]
    public async Task Complete_Failed_IsFailedWithTheError()
    {
        var (stored, _) = await Store.InsertAsync(StoreTestData.Command("k"));
        await Store.ClaimAsync("e", 1);

        await Store.CompleteAsync(stored.Envelope.CommandId, false, "venue down");

        var done = await Store.GetAsync(stored.Envelope.CommandId);
        Assert.Equal((CommandStatus.Failed, "venue down"), (done!.Status, done.Result));
    }

    /// <summary>Complete: an unclaimed command, throws invalid state transition.</summary>
    [Fact]
    public async Task Complete_AnUnclaimedCommand_ThrowsInvalidStateTransition()
    {
        var (stored, _) = await Store.InsertAsync(StoreTestData.Command("k"));

        var error = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.CompleteAsync(stored.Envelope.CommandId, true, null));

        Assert.Equal(ErrorCodes.InvalidStateTransition, error.Code);
        Assert.Equal(CommandStatus.New, (await Store.GetAsync(stored.Envelope.CommandId))!.Status);
    }

    /// <summary>Complete: twice, throws and keeps the first outcome.</summary>
    [Fact]
    public async Task Complete_Twice_ThrowsAndKeepsTheFirstOutcome()
    {
        var (stored, _) = await Store.InsertAsync(StoreTestData.Command("k"));
        await Store.ClaimAsync("e", 1);
        await Store.CompleteAsync(stored.Envelope.CommandId, true, "ok");

        var error = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.CompleteAsync(stored.Envelope.CommandId, false, "late"));

        Assert.Equal(ErrorCodes.InvalidStateTransition, error.Code);
        Assert.Equal((CommandStatus.Ack, "ok"), ((await Store.GetAsync(stored.Envelope.CommandId))!.Status, (await Store.GetAsync(stored.Envelope.CommandId))!.Result));
    }

    /// <summary>Complete: an unknown command, throws command not found.</summary>
    [Fact]
    public async Task Complete_AnUnknownCommand_ThrowsCommandNotFound()
    {
        var error = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.CompleteAsync(Guid.NewGuid(), true, null));

        Assert.Equal(StoreErrorCodes.CommandNotFound, error.Code);
    }

    /// <summary>Claim: never returns a completed command.</summary>
    [Fact]
    public async Task Claim_NeverReturnsACompletedCommand()
    {
        var (stored, _) = await Store.InsertAsync(StoreTestData.Command("k"));
        await Store.ClaimAsync("e", 1);
        await Store.CompleteAsync(stored.Envelope.CommandId, true, null);
        await Store.InsertAsync(StoreTestData.Command("k"));

        Assert.Empty(await Store.ClaimAsync("e", 10));
    }

    /// <summary>Wait for new commands: with a command waiting, completes at once.</summary>
    [Fact]
    public async Task WaitForNewCommands_WithACommandWaiting_CompletesAtOnce()
    {
        await Store.InsertAsync(StoreTestData.Command("k"));

        await Store.WaitForNewCommandsAsync(StoreTestData.Bounded());

        Assert.Single(await Store.ClaimAsync("e", 10));
    }

    /// <summary>Wait for new commands: when empty, completes on the next insert.</summary>
    [Fact]
    public async Task WaitForNewCommands_WhenEmpty_CompletesOnTheNextInsert()
    {
        var waiting = Store.WaitForNewCommandsAsync(StoreTestData.Bounded()).AsTask();
        Assert.False(waiting.IsCompleted);

        await Store.InsertAsync(StoreTestData.Command("k"));
        await waiting;

        Assert.Single(await Store.ClaimAsync("e", 10));
    }
}
