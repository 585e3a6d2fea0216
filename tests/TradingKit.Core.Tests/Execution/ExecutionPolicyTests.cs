using TradingKit.Core.Tests.Risk;
using TradingKit.Errors;
using TradingKit.Execution;
using TradingKit.Risk;

namespace TradingKit.Core.Tests.Execution;

public sealed class ExecutionPolicyTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static RiskOptions ConfiguredRisk() => new() { DailyLossLimit = 1000m, MaxPosition = 10m, MaxOrderNotional = 5000m };

    [Fact]
    public void TEST711_LiveWithTheRiskGuardDisabled_RefusesToStart()
    {
        var risk = ConfiguredRisk();
        risk.Enabled = false;
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = ExecutionMode.Live }, risk, new RiskGuard(risk));

        var e = Assert.Throws<TradingKitException>(policy.Validate);

        Assert.Equal(ErrorCodes.LiveGuardNotEnabled, e.Code);
    }

    [Fact]
    public void TEST711_LiveWithThePermissiveGuard_RefusesToStart()
    {
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = ExecutionMode.Live }, ConfiguredRisk(), PermissiveRiskGuard.Instance);

        Assert.Equal(ErrorCodes.LiveGuardNotEnabled, Assert.Throws<TradingKitException>(policy.Validate).Code);
    }

    [Fact]
    public void TEST711_LiveWithoutTheLimits_RefusesToStart_AndSaysWhichAreMissing()
    {
        var risk = new RiskOptions { MaxPosition = 10m };
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = ExecutionMode.Live }, risk, new RiskGuard(risk));

        var e = Assert.Throws<TradingKitException>(policy.Validate);

        Assert.Equal(ErrorCodes.LiveGuardNotEnabled, e.Code);
        Assert.Contains("Risk:DailyLossLimit", e.Message, StringComparison.Ordinal);
        Assert.Contains("Risk:MaxOrderNotional", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveWithAConfiguredGuard_Starts()
    {
        var risk = ConfiguredRisk();
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = ExecutionMode.Live }, risk, new RiskGuard(risk));

        policy.Validate();

        Assert.Equal(SubmitDisposition.Send, policy.Disposition);
    }

    [Fact]
    public void LiveInPhaseZero_IsRefused()
    {
        var risk = ConfiguredRisk();
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = ExecutionMode.Live, PhaseZero = true }, risk, new RiskGuard(risk));

        Assert.Equal(ExecutionPolicy.LiveForbiddenInPhaseZero, Assert.Throws<TradingKitException>(policy.Validate).Code);
    }

    [Fact]
    public void Disabled_IsTheDefault_AndRefusesEveryIntent()
    {
        var policy = new ExecutionPolicy(new ExecutionOptions(), new RiskOptions(), PermissiveRiskGuard.Instance);

        policy.Validate();

        Assert.Equal(SubmitDisposition.Refuse, policy.Disposition);
        Assert.Equal(ErrorCodes.ExecutionDisabled, Assert.Throws<TradingKitException>(policy.EnsureCanSubmit).Code);
    }

    [Theory]
    [InlineData(ExecutionMode.DryRun, SubmitDisposition.JournalOnly)]
    [InlineData(ExecutionMode.Paper, SubmitDisposition.Send)]
    public void NonLiveModes_StartWithoutLimits(ExecutionMode mode, SubmitDisposition expected)
    {
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = mode }, new RiskOptions(), PermissiveRiskGuard.Instance);

        policy.Validate();
        policy.EnsureCanSubmit();

        Assert.Equal(expected, policy.Disposition);
    }

    [Fact]
    public async Task Describe_ShowsModeLimitsRulesAndKillSwitch()
    {
        var risk = ConfiguredRisk();
        using var killSwitch = await KillSwitch.CreateAsync(new InMemoryKillSwitchHistory(), KillSwitchState.On);
        var policy = new ExecutionPolicy(new ExecutionOptions { Mode = ExecutionMode.DryRun }, risk, new RiskGuard(risk, killSwitch));

        var meta = policy.Describe(killSwitch);

        Assert.Equal("dry-run", meta.Mode);
        Assert.Equal("on", meta.KillSwitch);
        Assert.True(meta.RiskGuardEnabled);
        Assert.True(meta.RiskGuardConfiguredForLive);
        Assert.Equal(1000m, meta.Limits.DailyLossLimit);
        Assert.Equal(30_000d, meta.Limits.LatencyThresholdMs);
        Assert.Equal(RiskRuleIds.KillSwitch, meta.PreTradeRules[0]);
        Assert.Contains(TripCauses.ConsecutiveFailures, meta.TripConditions);
        Assert.Contains("\"mode\":\"dry-run\"", System.Text.Json.JsonSerializer.Serialize(meta, Web), StringComparison.Ordinal);
    }
}
