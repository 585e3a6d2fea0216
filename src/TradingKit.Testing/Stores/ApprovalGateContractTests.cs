using TradingKit.Domain;
using TradingKit.Execution.Approvals;
using TradingKit.Orders;
using TradingKit.Risk;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>
/// The approval gate (seed 001) over every <see cref="IApprovalStore"/>: the same checks in the same order, and proposals that a
/// new gate over the same store (a restarted process) still finds, approves and places.
/// </summary>
public abstract class ApprovalGateContractTests : StoreContractTests<IApprovalStore>
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static int _next;
    private readonly RecordingSink _events = new();
    private readonly List<OrderRequest> _placed = [];
    private KillSwitch? _killSwitchValue;
    private ApprovalGate? _gateValue;

    private KillSwitch Switch => _killSwitchValue ??= KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.Off, Time).AsTask().GetAwaiter().GetResult();

    private ApprovalGate Gate => _gateValue ??= NewGate(Store, _events);

    /// <summary>A second store over the same data, as a restarted process opens it; the same instance for an in-memory store.</summary>
    protected virtual ValueTask<IApprovalStore> ReopenStoreAsync() => ValueTask.FromResult(Store);

    /// <inheritdoc />
    public override Task DisposeAsync()
    {
        _killSwitchValue?.Dispose();
        return Task.CompletedTask;
    }

    private ApprovalGate NewGate(IApprovalStore store, IApprovalEventSink? events = null)
        => new(store, Switch, new ApprovalGateOptions { SigningKey = Key }, Time, events);

    private static OrderRequest Order(decimal quantity = 1m, decimal? limit = 100m) => new()
    {
        ClientOrderId = new ClientOrderId("o-" + Interlocked.Increment(ref _next)),
        Symbol = new Symbol("BTCUSDT"),
        Side = OrderSide.Buy,
        Type = limit is null ? OrderType.Market : OrderType.Limit,
        Quantity = quantity,
        LimitPrice = limit,
    };

    private ValueTask<string> Place(OrderRequest order, CancellationToken cancellationToken)
    {
        _placed.Add(order);
        return ValueTask.FromResult("placed");
    }

    private async Task<(OrderProposal Proposal, string Token)> ApprovedAsync(string id = "p-1")
    {
        var proposal = await Gate.ProposeAsync(new ProposalId(id), Order(quantity: 10m), "breakout");
        var grant = await Gate.ApproveAsync(proposal.Id, "admin", TimeSpan.FromMinutes(30));
        return (proposal, grant.Token);
    }

    private async Task<string> RefusedCodeAsync(ProposalId id, string token)
    {
        var e = await Assert.ThrowsAsync<ApprovalGateException>(() => Gate.PlaceAsync(id, token, Place).AsTask());
        return e.Code;
    }

    /// <summary>Approved token: places the proposed order once.</summary>
    [Fact]
    public async Task ApprovedToken_PlacesTheProposedOrderOnce()
    {
        var (proposal, token) = await ApprovedAsync();

        var result = await Gate.PlaceAsync(proposal.Id, token, Place);

        Assert.Equal("placed", result);
        Assert.Equal(proposal.Order, Assert.Single(_placed));
        Assert.Equal(ProposalStatus.Executed, (await Store.GetProposalAsync(proposal.Id.StoreId))!.Status);
        Assert.Equal(ProposalStatus.Executed, (await Gate.GetAsync(proposal.Id))!.Status);
        Assert.Equal(
            [typeof(TradingKit.Execution.Approvals.ProposalCreated), typeof(ApprovalGranted), typeof(ApprovalTokenUsed)],
            _events.Events.Select(e => e.GetType()));
        Assert.Equal("admin", _events.Events.OfType<ApprovalGranted>().Single().ApprovedBy);
    }

    /// <summary>Only the tokens hash is stored.</summary>
    [Fact]
    public async Task OnlyTheTokensHashIsStored()
    {
        var (_, token) = await ApprovedAsync();

        var record = await Store.GetApprovalAsync(new ProposalId("p-1").StoreId);

        Assert.NotNull(record);
        Assert.Equal(ApprovalGate.HashToken(token), record.TokenHash);
        Assert.NotEqual(token, record.TokenHash);
        Assert.Equal(64, record.TokenHash.Length);
        Assert.DoesNotContain(token, _events.Events.OfType<ApprovalGranted>().Single().TokenHash, StringComparison.Ordinal);
    }

    /// <summary>Tampered token: is refused for its signature, with zero place calls.</summary>
    [Fact]
    public async Task TamperedToken_IsRefusedForItsSignature_WithZeroPlaceCalls()
    {
        var (proposal, token) = await ApprovedAsync();
        var parts = token.Split('.');
        var claims = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(claims.Replace("p-1", "p-2", StringComparison.Ordinal))) + "." + parts[2];
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, forged));
        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, flipped));
        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, "not-a-token"));
        Assert.Empty(_placed);
        Assert.Equal(3, _events.Events.OfType<ApprovalRefused>().Count(e => e.Code == ApprovalCodes.InvalidSignature));
    }

    /// <summary>Token signed with another key: is refused.</summary>
    [Fact]
    public async Task TokenSignedWithAnotherKey_IsRefused()
    {
        var (proposal, _) = await ApprovedAsync();
        var otherGate = new ApprovalGate(new TradingKit.Stores.InMemory.InMemoryApprovalStore(Time), Switch, new ApprovalGateOptions { SigningKey = [.. Key.Select(b => (byte)(b + 1))] }, Time);
        var foreign = await otherGate.ProposeAsync(proposal.Id, proposal.Order, "same order");
        var foreignToken = (await otherGate.ApproveAsync(foreign.Id, "mallory")).Token;

        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, foreignToken));
        Assert.Empty(_placed);
    }

    /// <summary>Expired token: is refused, with zero place calls.</summary>
    [Fact]
    public async Task ExpiredToken_IsRefused_WithZeroPlaceCalls()
    {
        var (proposal, token) = await ApprovedAsync();
        Time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(ApprovalCodes.Expired, await RefusedCodeAsync(proposal.Id, token));
        Assert.Empty(_placed);
    }

    /// <summary>Reused token: is refused, the order is placed once.</summary>
    [Fact]
    public async Task ReusedToken_IsRefused_TheOrderIsPlacedOnce()
    {
        var (proposal, token) = await ApprovedAsync();
        await Gate.PlaceAsync(proposal.Id, token, Place);

        Assert.Equal(ApprovalCodes.Used, await RefusedCodeAsync(proposal.Id, token));
        Assert.Single(_placed);
    }

    /// <summary>Token for another proposal: is a mismatch, with zero place calls.</summary>
    [Fact]
    public async Task TokenForAnotherProposal_IsAMismatch_WithZeroPlaceCalls()
    {
        var (_, tokenForA) = await ApprovedAsync("p-a");
        var (b, _) = await ApprovedAsync("p-b");

        Assert.Equal(ApprovalCodes.Mismatch, await RefusedCodeAsync(b.Id, tokenForA));
        Assert.Empty(_placed);
    }

    /// <summary>Kill switch on: is checked first, even before the signature.</summary>
    [Fact]
    public async Task KillSwitchOn_IsCheckedFirst_EvenBeforeTheSignature()
    {
        var (proposal, token) = await ApprovedAsync();
        await Switch.TurnOnAsync("incident", "ops");

        Assert.Equal(ApprovalCodes.KillSwitchOn, await RefusedCodeAsync(proposal.Id, token));
        Assert.Equal(ApprovalCodes.KillSwitchOn, await RefusedCodeAsync(proposal.Id, "garbage"));
        Assert.Empty(_placed);

        await Switch.TurnOffAsync("resolved", "ops");
        await Gate.PlaceAsync(proposal.Id, token, Place);
        Assert.Single(_placed);
    }

    /// <summary>A proposal approved but never placed (refused under the kill switch) is approved again with a new token; the old token no longer places it.</summary>
    [Fact]
    public async Task AnApprovalThatWasNeverUsed_CanBeGivenAgain_AndTheOldTokenStopsWorking()
    {
        var (proposal, first) = await ApprovedAsync("p-again");
        await Switch.TurnOnAsync("incident", "ops");
        Assert.Equal(ApprovalCodes.KillSwitchOn, await RefusedCodeAsync(proposal.Id, first));
        await Switch.TurnOffAsync("resolved", "ops");

        var second = await Gate.ApproveAsync(proposal.Id, "ops", TimeSpan.FromMinutes(10));

        Assert.Equal("ops", second.Record.ApprovedBy);
        Assert.Equal(ApprovalCodes.Unknown, await RefusedCodeAsync(proposal.Id, first));
        await Gate.PlaceAsync(proposal.Id, second.Token, Place);
        Assert.Single(_placed);
        var afterUse = await Assert.ThrowsAsync<ApprovalGateException>(() => Gate.ApproveAsync(proposal.Id, "ops").AsTask());
        Assert.Equal(ApprovalCodes.ProposalNotPending, afterUse.Code);
    }

    /// <summary>Signature is checked before expiry.</summary>
    [Fact]
    public async Task SignatureIsCheckedBeforeExpiry()
    {
        var (proposal, token) = await ApprovedAsync();
        Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, token + "x"));
        Assert.Equal(ApprovalCodes.Expired, await RefusedCodeAsync(proposal.Id, token));
    }

    /// <summary>Reject: carries the approver, and the proposal can no longer be approved.</summary>
    [Fact]
    public async Task Reject_CarriesTheApprover_AndTheProposalCanNoLongerBeApproved()
    {
        var proposal = await Gate.ProposeAsync(new ProposalId("p-r"), Order(), "breakout");

        var rejected = await Gate.RejectAsync(proposal.Id, "admin", "risk too high");
        var e = await Assert.ThrowsAsync<ApprovalGateException>(() => Gate.ApproveAsync(proposal.Id, "admin").AsTask());

        Assert.Equal(("admin", "risk too high"), (rejected.RejectedBy, rejected.Reason));
        Assert.Equal(ApprovalCodes.ProposalNotPending, e.Code);
        Assert.Contains(rejected, _events.Events);
    }

    /// <summary>Duplicate proposal ids: are refused.</summary>
    [Fact]
    public async Task DuplicateProposalIds_AreRefused()
    {
        await Gate.ProposeAsync(new ProposalId("p-d"), Order(), "one");

        var e = await Assert.ThrowsAsync<ApprovalGateException>(() => Gate.ProposeAsync(new ProposalId("p-d"), Order(), "two").AsTask());

        Assert.Equal(ApprovalCodes.ProposalExists, e.Code);
    }

    /// <summary>A pending proposal: is approved and placed by a new gate, over the store reopened.</summary>
    [Fact]
    public async Task APendingProposal_IsApprovedAndPlacedByANewGate_OverTheStoreReopened()
    {
        var correlation = CorrelationId.New();
        var order = Order(quantity: 3m, limit: 101.25m);
        await Gate.ProposeAsync(new ProposalId("p-restart"), order, "breakout,volume", new ProposalContext(new StrategyId("ma-cross"), correlation, 101.2m));

        // The process stops; a new one opens the store and builds its own gate (same key, as a restarted host loads it).
        var reopened = NewGate(await ReopenStoreAsync());
        var found = await reopened.GetAsync(new ProposalId("p-restart"));
        var grant = await reopened.ApproveAsync(new ProposalId("p-restart"), "admin", TimeSpan.FromMinutes(5));
        await reopened.PlaceAsync(new ProposalId("p-restart"), grant.Token, Place);

        Assert.NotNull(found);
        Assert.Equal((order, "breakout,volume", ProposalStatus.Pending), (found.Order, found.Reason, found.Status));
        Assert.Equal(new ProposalContext(new StrategyId("ma-cross"), correlation, 101.2m), found.Context);
        Assert.Equal(order, Assert.Single(_placed));
        Assert.Equal(correlation, (await Store.GetProposalAsync(found.StoreId))!.CorrelationId);
        Assert.Equal(ProposalStatus.Executed, (await Gate.GetAsync(found.Id))!.Status);
    }

    /// <summary>The stored payload: keeps every order field.</summary>
    [Fact]
    public async Task TheStoredPayload_KeepsEveryOrderField()
    {
        var order = new OrderRequest
        {
            ClientOrderId = new ClientOrderId("o-every-field"),
            Symbol = new Symbol("ETHUSDT"),
            Side = OrderSide.Sell,
            Type = OrderType.StopLimit,
            Quantity = 0.123456789012345678m,
            LimitPrice = 2_345.6789m,
            StopPrice = 2_350.01m,
            TrailingOffset = 1.5m,
            TimeInForce = TimeInForce.Gtd,
            ExpireAt = StoreTestData.Start.AddHours(6),
            ReduceOnly = true,
            PositionSide = PositionSide.Short,
        };

        var proposed = await Gate.ProposeAsync(new ProposalId("p-fields"), order, "stop");
        var read = await NewGate(await ReopenStoreAsync()).GetAsync(proposed.Id);

        Assert.Equal(order, read!.Order);
        Assert.Equal(proposed.PayloadHash, read.PayloadHash);
        Assert.Equal(StoreTestData.Start, read.CreatedAt);
        Assert.Null(read.Context);
    }

    /// <summary>List: returns the gates proposals, oldest first, by status, passing over other rows.</summary>
    [Fact]
    public async Task List_ReturnsTheGatesProposals_OldestFirst_ByStatus_PassingOverOtherRows()
    {
        await Gate.ProposeAsync(new ProposalId("p-l1"), Order(), "one");
        await Store.CreateProposalAsync(Guid.NewGuid(), """{"symbol": "AAPL", "quantity": 10}""", CorrelationId.New());
        await Gate.ProposeAsync(new ProposalId("p-l2"), Order(), "two");
        await Gate.ProposeAsync(new ProposalId("p-l3"), Order(), "three");
        await Gate.RejectAsync(new ProposalId("p-l2"), "admin", "no");

        var all = await Gate.ListAsync();
        var pending = await Gate.ListAsync(ProposalStatus.Pending);
        var rejected = Assert.Single(await Gate.ListAsync(ProposalStatus.Rejected));

        Assert.Equal(["p-l1", "p-l2", "p-l3"], all.Select(p => p.Id.Value));
        Assert.Equal(["p-l1", "p-l3"], pending.Select(p => p.Id.Value));
        Assert.Equal(("p-l2", "admin", "no"), (rejected.Id.Value, rejected.DecidedBy, rejected.RejectionReason));
    }

    /// <summary>A token whose approval holds another hash: is unknown.</summary>
    [Fact]
    public async Task ATokenWhoseApprovalHoldsAnotherHash_IsUnknown()
    {
        // Approval in one store, then the same proposal approved in another store by the same key: the token is genuine but
        // this store never recorded its hash.
        var (proposal, _) = await ApprovedAsync("p-u");
        var elsewhere = NewGate(new TradingKit.Stores.InMemory.InMemoryApprovalStore(Time));
        await elsewhere.ProposeAsync(proposal.Id, proposal.Order, "copy");
        var foreignToken = (await elsewhere.ApproveAsync(proposal.Id, "admin")).Token;

        Assert.Equal(ApprovalCodes.Unknown, await RefusedCodeAsync(proposal.Id, foreignToken));
        Assert.Empty(_placed);
    }

    /// <summary>Proposal store ids: are stable uuids, distinct per id.</summary>
    [Fact]
    public void ProposalStoreIds_AreStableUuids_DistinctPerId()
    {
        var id = new ProposalId("p-stable");

        Assert.Equal(id.StoreId, new ProposalId("p-stable").StoreId);
        Assert.NotEqual(id.StoreId, new ProposalId("p-stable2").StoreId);
        Assert.Equal(8, id.StoreId.Version);
        Assert.Equal(Guid.Parse("00000000-0000-8000-8000-000000000000").Variant, id.StoreId.Variant);
    }

    /// <summary>A short key: is refused.</summary>
    [Fact]
    public void AShortKey_IsRefused()
        => Assert.Throws<TradingKit.Errors.TradingKitException>(() => new ApprovalGate(Store, Switch, new ApprovalGateOptions { SigningKey = new byte[16] }));

    /// <summary>Payload hash: changes with any order field.</summary>
    [Fact]
    public void PayloadHash_ChangesWithAnyOrderField()
    {
        var order = Order(quantity: 1m, limit: 100m);

        Assert.Equal(OrderProposal.ComputePayloadHash(order), OrderProposal.ComputePayloadHash(order with { }));
        Assert.NotEqual(OrderProposal.ComputePayloadHash(order), OrderProposal.ComputePayloadHash(order with { Quantity = 2m }));
        Assert.NotEqual(OrderProposal.ComputePayloadHash(order), OrderProposal.ComputePayloadHash(order with { LimitPrice = 101m }));
        Assert.NotEqual(OrderProposal.ComputePayloadHash(order), OrderProposal.ComputePayloadHash(order with { Side = OrderSide.Sell }));
    }

    private sealed class RecordingSink : IApprovalEventSink
    {
        public List<IApprovalEvent> Events { get; } = [];

        public ValueTask PublishAsync(IApprovalEvent approvalEvent, CancellationToken cancellationToken = default)
        {
            Events.Add(approvalEvent);
            return ValueTask.CompletedTask;
        }
    }
}
