using System.Net;
using TradingKit.AspNetCore.Tests.Support;

namespace TradingKit.AspNetCore.Tests;

/// <summary>The control plane in front of an engine in worker mode (seed 002): the status and the registry name the worker.</summary>
public sealed class ControlPlaneWorkerTests : ControlPlaneHost
{
    protected override string? WorkerId => "cp-worker";

    [Fact]
    public async Task StatusAndWorkers_NameTheWorker_WhileItScansOrHolds()
    {
        var status = await GetJsonAsync("/tradingkit/status");
        var worker = Assert.Single((await GetJsonAsync("/tradingkit/workers")).GetProperty("items").EnumerateArray(),
            w => w.GetProperty("worker_id").GetString() == "cp-worker");

        Assert.Equal("cp-worker", status.GetProperty("worker_id").GetString());
        Assert.Contains(status.GetProperty("worker_state").GetString(), new[] { "Scan", "Hold" });
        Assert.Equal(status.GetProperty("worker_state").GetString()!.ToUpperInvariant(), worker.GetProperty("state").GetString());

        // A position it holds is locked in its name.
        var locks = (await GetJsonAsync("/tradingkit/locks")).GetProperty("items").EnumerateArray().ToList();
        Assert.All(locks, l => Assert.Equal("cp-worker", l.GetProperty("worker_id").GetString()));
        Assert.Equal(worker.GetProperty("state").GetString() == "HOLD", locks.Count == 1);
    }

    [Fact]
    public async Task TheDashboard_ShowsTheWorkerRow()
    {
        using var response = await SendAsync(HttpMethod.Get, "/tradingkit/", "viewer-bob");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<th>worker</th>", await response.Content.ReadAsStringAsync(Patience.Token), StringComparison.Ordinal);
    }
}
