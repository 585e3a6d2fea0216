using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TradingKit.Engine;
using TradingKit.Risk;

namespace TradingKit.Hosting;

/// <summary>
/// The engine's health for a load balancer, an orchestrator or an operator's dashboard. Healthy only while the engine
/// trades normally (RUNNING, risk guard ACTIVE, kill switch off). Degraded while it is alive but not trading normally:
/// recovering, paused, in safe mode, the guard REDUCING or HALTED, the kill switch on, or the session over; a restart
/// fixes none of these, so an orchestrator's liveness probe must not act on them. Unhealthy (the registration's failure
/// status) when the hosted session failed. Reads only fields the engine loop publishes atomically, never its collections,
/// so it is safe from any thread.
/// </summary>
public sealed class TradingKitEngineHealthCheck : IHealthCheck
{
    private readonly TradingEngine _engine;
    private readonly IRiskGuard _guard;
    private readonly HostedEngineService? _hosted;

    /// <summary>Creates the check.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="guard">The engine's risk guard.</param>
    /// <param name="hosted">The hosted service running the engine, when there is one.</param>
    public TradingKitEngineHealthCheck(TradingEngine engine, IRiskGuard guard, HostedEngineService? hosted = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(guard);
        _engine = engine;
        _guard = guard;
        _hosted = hosted;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = _engine.State;
        var risk = _guard.State;
        var killSwitch = _engine.KillSwitch;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["session_id"] = _engine.SessionId.Value,
            ["engine_state"] = state.ToString(),
            ["risk_state"] = risk.ToString(),
            ["kill_switch"] = killSwitch is null ? "none" : killSwitch.IsOn ? "on" : "off",
            ["market_events"] = _engine.MarketEventsProcessed,
        };
        if (_hosted is not null)
        {
            data["hosted_status"] = _hosted.Status.ToString();
        }

        if (_engine.WorkerId is { } worker)
        {
            data["worker_id"] = worker;
            data["worker_state"] = _engine.WorkerState.ToString();
        }

        if (_hosted is { Status: HostedSessionStatus.Faulted } failed)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
                $"session {_engine.SessionId} failed: {failed.Failure?.Message}", failed.Failure, data));
        }

        var degraded = state switch
        {
            EngineState.Booting or EngineState.Recovering => "recovering: no orders until the log is replayed and the venue reconciled",
            EngineState.Paused => "paused by an operator",
            EngineState.Safe => "safe mode: no orders until an operator resets it",
            EngineState.Stopping or EngineState.Stopped => _hosted?.Status is HostedSessionStatus.Completed ? "the session's feed ended" : "stopped",
            _ when killSwitch?.IsOn == true => "the kill switch is on: no orders reach the venue",
            _ when risk == TradingState.Halted => "the risk guard is HALTED",
            _ when risk == TradingState.Reducing => "the risk guard is REDUCING: only orders that reduce a position",
            _ => null,
        };
        return Task.FromResult(degraded is null
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"session {_engine.SessionId} trading"), data)
            : HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture, $"session {_engine.SessionId} {degraded}"), data: data));
    }
}
