using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IApprovalStore"/> shares.</summary>
public abstract class ApprovalStoreContractTests : StoreContractTests<IApprovalStore>
{
    private const string Payload = """{"symbol": "AAPL", "quantity": 10}""";

    /// <summary>Create proposal: is pending and idempotent by id.</summary>
    [Fact]
    public async Task CreateProposal_IsPendingAndIdempotentById()
    {
        var id = Guid.NewGuid();
        var correlation = CorrelationId.New();

        var (created, isNew) = await Store.CreateProposalAsync(id, Payload, correlation);
        var (again, isNewAgain) = await Store.CreateProposalAsync(id, "{}", CorrelationId.New());

        Assert.True(isNew);
        Assert.False(isNewAgain);
        Assert.Equal(new Proposal(id, Payload, ProposalStatus.Pending, correlation, StoreTestData.Start, null, null, null), created);
        Assert.Equal(created, again);
        Assert.Equal(created, await Store.GetProposalAsync(id));
    }

    /// <summary>Approve: a pending proposal, stores the token hash and marks it approved.</summary>
    [Fact]
    public async Task Approve_APendingProposal_StoresTheTokenHashAndMarksItApproved()
    {
        var id = await NewProposal();
        Time.Advance(TimeSpan.FromMinutes(2));

        var approval = await Store.ApproveAsync(id, "admin", "hash-1", StoreTestData.Start.AddHours(1));

        Assert.Equal(new Approval(id, "admin", "hash-1", StoreTestData.Start.AddMinutes(2), StoreTestData.Start.AddHours(1), null), approval);
        Assert.Equal(approval, await Store.GetApprovalAsync(id));
        var proposal = await Store.GetProposalAsync(id);
        Assert.Equal((ProposalStatus.Approved, "admin", (DateTimeOffset?)StoreTestData.Start.AddMinutes(2)), (proposal!.Status, proposal.DecidedBy, proposal.DecidedAt));
    }

    /// <summary>Decide: a decided or unknown proposal, throws typed errors.</summary>
    [Fact]
    public async Task Decide_ADecidedOrUnknownProposal_ThrowsTypedErrors()
    {
        var id = await NewProposal();
        await Store.RejectAsync(id, "admin", "risk too high");

        var notPending = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.ApproveAsync(id, "admin", "h", StoreTestData.Start.AddHours(1)));
        var notFound = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.RejectAsync(Guid.NewGuid(), "admin", "x"));

        Assert.Equal(StoreErrorCodes.ProposalNotPending, notPending.Code);
        Assert.Equal(StoreErrorCodes.ProposalNotFound, notFound.Code);
        var proposal = await Store.GetProposalAsync(id);
        Assert.Equal((ProposalStatus.Rejected, "risk too high"), (proposal!.Status, proposal.Reason));
        Assert.Null(await Store.GetApprovalAsync(id));
    }

    /// <summary>Reapprove: an approved proposal whose token was never used gets a new token, and the old one stops working.</summary>
    [Fact]
    public async Task Reapprove_AnApprovedProposalWithAnUnusedToken_ReplacesTheToken()
    {
        var id = await NewProposal();
        await Store.ApproveAsync(id, "admin", "hash-1", StoreTestData.Start.AddHours(1));
        Time.Advance(TimeSpan.FromMinutes(3));

        var again = await Store.ReapproveAsync(id, "ops", "hash-2", StoreTestData.Start.AddHours(2));

        Assert.Equal(new Approval(id, "ops", "hash-2", StoreTestData.Start.AddMinutes(3), StoreTestData.Start.AddHours(2), null), again);
        Assert.Equal(again, await Store.GetApprovalAsync(id));
        Assert.Equal(("ops", ProposalStatus.Approved), ((await Store.GetProposalAsync(id))!.DecidedBy, (await Store.GetProposalAsync(id))!.Status));
        Assert.Equal(TokenUseOutcome.Unknown, (await Store.MarkTokenUsedAsync("hash-1")).Outcome);
        Assert.Equal(TokenUseOutcome.Used, (await Store.MarkTokenUsedAsync("hash-2")).Outcome);
    }

    /// <summary>Reapprove: a pending, used, rejected or unknown proposal, throws typed errors and changes nothing.</summary>
    [Fact]
    public async Task Reapprove_APendingUsedRejectedOrUnknownProposal_ThrowsTypedErrors()
    {
        var pending = await NewProposal();
        var used = await NewProposal();
        await Store.ApproveAsync(used, "admin", "hash-used", StoreTestData.Start.AddHours(1));
        await Store.MarkTokenUsedAsync("hash-used");
        var rejected = await NewProposal();
        await Store.RejectAsync(rejected, "admin", "no");

        foreach (var id in new[] { pending, used, rejected })
        {
            var e = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.ReapproveAsync(id, "ops", "hash-new-" + id, StoreTestData.Start.AddHours(1)));
            Assert.Equal(StoreErrorCodes.ProposalNotPending, e.Code);
        }

        var unknown = await Assert.ThrowsAsync<TradingKitException>(async () => await Store.ReapproveAsync(Guid.NewGuid(), "ops", "hash-x", StoreTestData.Start.AddHours(1)));
        Assert.Equal(StoreErrorCodes.ProposalNotFound, unknown.Code);
        Assert.Equal("hash-used", (await Store.GetApprovalAsync(used))!.TokenHash);
        Assert.Null(await Store.GetApprovalAsync(pending));
    }

    /// <summary>Mark token used: works once then reports already used.</summary>
    [Fact]
    public async Task MarkTokenUsed_WorksOnceThenReportsAlreadyUsed()
    {
        var id = await NewProposal();
        await Store.ApproveAsync(id, "admin", "hash-1", StoreTestData.Start.AddHours(1));
        Time.Advance(TimeSpan.FromMinutes(5));

        var first = await Store.MarkTokenUsedAsync("hash-1");
        var second = await Store.MarkTokenUsedAsync("hash-1");

        Assert.Equal(TokenUseOutcome.Used, first.Outcome);
        Assert.Equal(StoreTestData.Start.AddMinutes(5), first.Approval!.UsedAt);
        Assert.Equal(TokenUseOutcome.AlreadyUsed, second.Outcome);
        Assert.Equal(ProposalStatus.Executed, (await Store.GetProposalAsync(id))!.Status);
    }

    /// <summary>Mark token used: by concurrent callers, succeeds exactly once.</summary>
    [Fact]
    public async Task MarkTokenUsed_ByConcurrentCallers_SucceedsExactlyOnce()
    {
        var id = await NewProposal();
        await Store.ApproveAsync(id, "admin", "hash-1", StoreTestData.Start.AddHours(1));

        var outcomes = await RaceAsync(8, async _ => (await Store.MarkTokenUsedAsync("hash-1")).Outcome);

        Assert.Single(outcomes, o => o == TokenUseOutcome.Used);
        Assert.All(outcomes.Where(o => o != TokenUseOutcome.Used), o => Assert.Equal(TokenUseOutcome.AlreadyUsed, o));
    }

    /// <summary>Mark token used: after expiry, is refused and leaves it unused.</summary>
    [Fact]
    public async Task MarkTokenUsed_AfterExpiry_IsRefusedAndLeavesItUnused()
    {
        var id = await NewProposal();
        await Store.ApproveAsync(id, "admin", "hash-1", StoreTestData.Start.AddMinutes(10));
        Time.Advance(TimeSpan.FromMinutes(10));

        var (outcome, approval) = await Store.MarkTokenUsedAsync("hash-1");

        Assert.Equal(TokenUseOutcome.Expired, outcome);
        Assert.Null(approval!.UsedAt);
        Assert.Equal(ProposalStatus.Approved, (await Store.GetProposalAsync(id))!.Status);
        Assert.Equal((TokenUseOutcome.Unknown, (Approval?)null), await Store.MarkTokenUsedAsync("no-such-hash"));
    }

    /// <summary>List proposals: filters by status oldest first.</summary>
    [Fact]
    public async Task ListProposals_FiltersByStatusOldestFirst()
    {
        var a = await NewProposal();
        var b = await NewProposal();
        var c = await NewProposal();
        await Store.RejectAsync(b, "admin", "no");

        Assert.Equal([a, c], (await Store.ListProposalsAsync(ProposalStatus.Pending)).Select(p => p.ProposalId));
        Assert.Equal([a, b, c], (await Store.ListProposalsAsync()).Select(p => p.ProposalId));
        Assert.Equal([a], (await Store.ListProposalsAsync(maxCount: 1)).Select(p => p.ProposalId));
    }

    private async Task<Guid> NewProposal()
    {
        var id = Guid.NewGuid();
        await Store.CreateProposalAsync(id, Payload, CorrelationId.New());
        return id;
    }
}
