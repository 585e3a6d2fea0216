using Microsoft.Extensions.Time.Testing;
using TradingKit.Core.Tests.Risk;
using TradingKit.Events;
using TradingKit.Execution.Approvals;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Core.Tests.Execution;

public sealed class ApprovalGateTests : IDisposable
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private readonly FakeTimeProvider _clock = new(RiskTestData.T0);
    private readonly InMemoryApprovalStore _store = new();
    private readonly RecordingSink _events = new();
    private readonly KillSwitch _killSwitch;
    private readonly ApprovalGate _gate;
    private readonly List<OrderRequest> _placed = [];

    public ApprovalGateTests()
    {
        _killSwitch = KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.Off, _clock).AsTask().GetAwaiter().GetResult();
        _gate = new ApprovalGate(_store, _killSwitch, new ApprovalGateOptions { SigningKey = Key }, _clock, _events);
    }

    public void Dispose() => _killSwitch.Dispose();

    private ValueTask<string> Place(OrderRequest order, CancellationToken cancellationToken)
    {
        _placed.Add(order);
        return ValueTask.FromResult("placed");
    }

    private async Task<(Proposal Proposal, string Token)> ApprovedAsync(string id = "p-1")
    {
        var proposal = await _gate.ProposeAsync(new ProposalId(id), RiskTestData.Order(quantity: 10m), "breakout");
        var grant = await _gate.ApproveAsync(proposal.Id, "admin", TimeSpan.FromMinutes(30));
        return (proposal, grant.Token);
    }

    private async Task<string> RefusedCodeAsync(ProposalId id, string token)
    {
        var e = await Assert.ThrowsAsync<ApprovalGateException>(() => _gate.PlaceAsync(id, token, Place).AsTask());
        return e.Code;
    }

    [Fact]
    public async Task ApprovedToken_PlacesTheProposedOrderOnce()
    {
        var (proposal, token) = await ApprovedAsync();

        var result = await _gate.PlaceAsync(proposal.Id, token, Place);

        Assert.Equal("placed", result);
        Assert.Same(proposal.Order, Assert.Single(_placed));
        Assert.Equal(ProposalStatus.Executed, (await _store.GetProposalAsync(proposal.Id))!.Status);
        Assert.Equal(
            [typeof(TradingKit.Execution.Approvals.ProposalCreated), typeof(ApprovalGranted), typeof(ApprovalTokenUsed)],
            _events.Events.Select(e => e.GetType()));
        Assert.Equal("admin", _events.Events.OfType<ApprovalGranted>().Single().ApprovedBy);
    }

    [Fact]
    public async Task OnlyTheTokensHashIsStored()
    {
        var (_, token) = await ApprovedAsync();

        var record = await _store.GetApprovalByTokenHashAsync(ApprovalGate.HashToken(token));

        Assert.NotNull(record);
        Assert.NotEqual(token, record.TokenHash);
        Assert.Equal(64, record.TokenHash.Length);
        Assert.DoesNotContain(token, _events.Events.OfType<ApprovalGranted>().Single().TokenHash, StringComparison.Ordinal);
    }

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

    [Fact]
    public async Task TokenSignedWithAnotherKey_IsRefused()
    {
        var (proposal, _) = await ApprovedAsync();
        var otherGate = new ApprovalGate(new InMemoryApprovalStore(), _killSwitch, new ApprovalGateOptions { SigningKey = [.. Key.Select(b => (byte)(b + 1))] }, _clock);
        var foreign = await otherGate.ProposeAsync(proposal.Id, proposal.Order, "same order");
        var foreignToken = (await otherGate.ApproveAsync(foreign.Id, "mallory")).Token;

        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, foreignToken));
        Assert.Empty(_placed);
    }

    [Fact]
    public async Task ExpiredToken_IsRefused_WithZeroPlaceCalls()
    {
        var (proposal, token) = await ApprovedAsync();
        _clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(ApprovalCodes.Expired, await RefusedCodeAsync(proposal.Id, token));
        Assert.Empty(_placed);
    }

    [Fact]
    public async Task ReusedToken_IsRefused_TheOrderIsPlacedOnce()
    {
        var (proposal, token) = await ApprovedAsync();
        await _gate.PlaceAsync(proposal.Id, token, Place);

        Assert.Equal(ApprovalCodes.Used, await RefusedCodeAsync(proposal.Id, token));
        Assert.Single(_placed);
    }

    [Fact]
    public async Task TokenForAnotherProposal_IsAMismatch_WithZeroPlaceCalls()
    {
        var (_, tokenForA) = await ApprovedAsync("p-a");
        var (b, _) = await ApprovedAsync("p-b");

        Assert.Equal(ApprovalCodes.Mismatch, await RefusedCodeAsync(b.Id, tokenForA));
        Assert.Empty(_placed);
    }

    [Fact]
    public async Task KillSwitchOn_IsCheckedFirst_EvenBeforeTheSignature()
    {
        var (proposal, token) = await ApprovedAsync();
        await _killSwitch.TurnOnAsync("incident", "ops");

        Assert.Equal(ApprovalCodes.KillSwitchOn, await RefusedCodeAsync(proposal.Id, token));
        Assert.Equal(ApprovalCodes.KillSwitchOn, await RefusedCodeAsync(proposal.Id, "garbage"));
        Assert.Empty(_placed);

        await _killSwitch.TurnOffAsync("resolved", "ops");
        await _gate.PlaceAsync(proposal.Id, token, Place);
        Assert.Single(_placed);
    }

    [Fact]
    public async Task SignatureIsCheckedBeforeExpiry()
    {
        var (proposal, token) = await ApprovedAsync();
        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ApprovalCodes.InvalidSignature, await RefusedCodeAsync(proposal.Id, token + "x"));
        Assert.Equal(ApprovalCodes.Expired, await RefusedCodeAsync(proposal.Id, token));
    }

    [Fact]
    public async Task Reject_CarriesTheApprover_AndTheProposalCanNoLongerBeApproved()
    {
        var proposal = await _gate.ProposeAsync(new ProposalId("p-r"), RiskTestData.Order(), "breakout");

        var rejected = await _gate.RejectAsync(proposal.Id, "admin", "risk too high");
        var e = await Assert.ThrowsAsync<ApprovalGateException>(() => _gate.ApproveAsync(proposal.Id, "admin").AsTask());

        Assert.Equal(("admin", "risk too high"), (rejected.RejectedBy, rejected.Reason));
        Assert.Equal(ApprovalCodes.ProposalNotPending, e.Code);
        Assert.Contains(rejected, _events.Events);
    }

    [Fact]
    public async Task DuplicateProposalIds_AreRefused()
    {
        await _gate.ProposeAsync(new ProposalId("p-d"), RiskTestData.Order(), "one");

        var e = await Assert.ThrowsAsync<ApprovalGateException>(() => _gate.ProposeAsync(new ProposalId("p-d"), RiskTestData.Order(), "two").AsTask());

        Assert.Equal(ApprovalCodes.ProposalExists, e.Code);
    }

    [Fact]
    public void AShortKey_IsRefused()
        => Assert.Throws<TradingKit.Errors.TradingKitException>(() => new ApprovalGate(_store, _killSwitch, new ApprovalGateOptions { SigningKey = new byte[16] }));

    [Fact]
    public void PayloadHash_ChangesWithAnyOrderField()
    {
        var order = RiskTestData.Order(quantity: 1m, limit: 100m);

        Assert.Equal(Proposal.ComputePayloadHash(order), Proposal.ComputePayloadHash(order with { }));
        Assert.NotEqual(Proposal.ComputePayloadHash(order), Proposal.ComputePayloadHash(order with { Quantity = 2m }));
        Assert.NotEqual(Proposal.ComputePayloadHash(order), Proposal.ComputePayloadHash(order with { LimitPrice = 101m }));
        Assert.NotEqual(Proposal.ComputePayloadHash(order), Proposal.ComputePayloadHash(order with { Side = OrderSide.Sell }));
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
