using System.Net;
using System.Text.Json;
using TradingKit.AspNetCore.Tests.Support;

namespace TradingKit.AspNetCore.Tests;

/// <summary>
/// Seed 001's approval mode behind the control plane: the strategy's intents are proposals an operator can list, read,
/// approve and reject over HTTP; the decision is a command the engine runs and records.
/// </summary>
public sealed class ControlPlaneProposalTests : ControlPlaneHost
{
    protected override bool ApprovalMode => true;

    [Fact]
    public async Task SEED001_PendingProposals_AreListed_ThenApprovedAndRejected_ThroughCommands()
    {
        var pending = (await GetJsonAsync("/tradingkit/proposals?status=pending")).GetProperty("items").EnumerateArray().ToList();
        Assert.True(pending.Count >= 2, $"the strategy proposed {pending.Count} times");
        var first = pending[0];
        Assert.Equal("pending", first.GetProperty("status").GetString());
        Assert.Equal("ma-cross", first.GetProperty("strategy_id").GetString());
        Assert.Equal("SPX", first.GetProperty("symbol").GetString());
        Assert.Equal(first.GetProperty("proposal_id").GetString(), first.GetProperty("client_order_id").GetString());
        Assert.Equal(64, first.GetProperty("payload_hash").GetString()!.Length);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("decided_by").ValueKind);

        var approveId = first.GetProperty("proposal_id").GetString()!;
        var rejectId = pending[1].GetProperty("proposal_id").GetString()!;
        await RunCommandAsync($$$"""{"type": "approve_proposal", "payload": {"proposal_id": "{{{approveId}}}", "valid_for": "00:05:00"}}""", "ack");
        await RunCommandAsync($$$"""{"type": "reject_proposal", "payload": {"proposal_id": "{{{rejectId}}}", "reason": "too big"}}""", "ack");

        var approved = await GetJsonAsync($"/tradingkit/proposals/{approveId}");
        var rejected = await GetJsonAsync($"/tradingkit/proposals/{rejectId}");
        Assert.Equal(("executed", "alice"), (approved.GetProperty("status").GetString(), approved.GetProperty("decided_by").GetString()));
        Assert.Equal(("rejected", "alice", "too big"),
            (rejected.GetProperty("status").GetString(), rejected.GetProperty("decided_by").GetString(), rejected.GetProperty("rejection_reason").GetString()));
        var stillPending = (await GetJsonAsync("/tradingkit/proposals?status=pending")).GetProperty("items").EnumerateArray()
            .Select(p => p.GetProperty("proposal_id").GetString()).ToList();
        Assert.DoesNotContain(approveId, stillPending);
        Assert.DoesNotContain(rejectId, stillPending);
        Assert.Equal(pending.Count - 2, stillPending.Count);
        Assert.Equal(pending.Count, (await GetJsonAsync("/tradingkit/proposals")).GetProperty("items").GetArrayLength());

        // The second decision on a decided proposal fails in the engine, with the gate's code.
        await RunCommandAsync($$$"""{"type": "approve_proposal", "payload": {"proposal_id": "{{{rejectId}}}", "valid_for": "00:05:00"}}""",
            "failed", "APPROVAL_PROPOSAL_NOT_PENDING");
    }

    [Theory]
    [InlineData("/tradingkit/proposals?status=bogus", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("/tradingkit/proposals?status=1", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("/tradingkit/proposals?limit=0", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("/tradingkit/proposals?limit=501", HttpStatusCode.BadRequest, "MALFORMED_PAYLOAD")]
    [InlineData("/tradingkit/proposals/tk-no-such-proposal", HttpStatusCode.NotFound, "PROPOSAL_NOT_FOUND")]
    public async Task BadProposalReads_AreTypedProblems(string path, HttpStatusCode expected, string code)
    {
        using var response = await SendAsync(HttpMethod.Get, path, "viewer-bob");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(code, (await ReadAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Limit_ReturnsTheOldestProposals()
    {
        var all = (await GetJsonAsync("/tradingkit/proposals")).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("proposal_id").GetString()).ToList();
        var two = (await GetJsonAsync("/tradingkit/proposals?limit=2")).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("proposal_id").GetString()).ToList();

        Assert.Equal(all.Take(2), two);
    }

    private async Task RunCommandAsync(string body, string status, string? code = null)
    {
        using var posted = await SendAsync(HttpMethod.Post, "/tradingkit/commands", "alice", "operator", body);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await ReadAsync(posted)).GetProperty("command_id").GetGuid();
        await Commands.CompletionOf(id, Patience.Token);
        var done = await GetJsonAsync($"/tradingkit/commands/{id}");
        Assert.True(status == done.GetProperty("status").GetString(), done.GetRawText());
        if (code is not null)
        {
            Assert.StartsWith(code, done.GetProperty("result").GetString(), StringComparison.Ordinal);
        }
    }
}
