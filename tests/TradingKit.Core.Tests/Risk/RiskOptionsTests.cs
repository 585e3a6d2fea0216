using Microsoft.Extensions.Configuration;
using TradingKit.Errors;
using TradingKit.Execution;
using TradingKit.Risk;

namespace TradingKit.Core.Tests.Risk;

public sealed class RiskOptionsTests
{
    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Binds_FromTheDocumentedKeys()
    {
        var config = Config(new()
        {
            ["Risk:Enabled"] = "false",
            ["Risk:KillSwitch:InitialState"] = "on",
            ["Risk:DailyLossLimit"] = "500000",
            ["Risk:MaxDrawdown"] = "1000000",
            ["Risk:MaxOrderNotional"] = "2500.5",
            ["Risk:MaxPosition"] = "10",
            ["Risk:OrdersPerMinute"] = "30",
            ["Risk:ConsecutiveFailureLimit"] = "4",
            ["Risk:CapitalLimit"] = "1000",
            ["Risk:MaxPositionBySymbol:ETHUSDT"] = "50",
            ["Risk:LatencyThreshold"] = "00:00:10",
            ["Risk:TripStates:slippage_spike"] = "Halted",
            ["Risk:Session:TimeZone"] = "Asia/Seoul",
            ["Risk:Session:Open"] = "09:00:00",
            ["Risk:Session:Close"] = "15:30:00",
            ["Risk:StopPlan:Positions"] = "Flatten",
            ["Execution:Mode"] = "dry-run",
        });

        var risk = config.GetSection(RiskOptions.SectionName).Get<RiskOptions>()!;
        var execution = config.GetSection(ExecutionOptions.SectionName).Get<ExecutionOptions>()!;

        Assert.False(risk.Enabled);
        Assert.Equal(KillSwitchState.On, risk.KillSwitch.InitialState);
        Assert.Equal(500_000m, risk.DailyLossLimit);
        Assert.Equal(1_000_000m, risk.MaxDrawdown);
        Assert.Equal(2500.5m, risk.MaxOrderNotional);
        Assert.Equal(10m, risk.MaxPosition);
        Assert.Equal(30, risk.OrdersPerMinute);
        Assert.Equal(4, risk.ConsecutiveFailureLimit);
        Assert.Equal(1000m, risk.CapitalLimit);
        Assert.Equal(50m, risk.MaxPositionBySymbol["ETHUSDT"]);
        Assert.Equal(TimeSpan.FromSeconds(10), risk.LatencyThreshold);
        Assert.Equal(TradingState.Halted, risk.TripStates[TripCauses.SlippageSpike]);
        Assert.Equal(new TimeSpan(15, 30, 0), risk.Session.Close);
        Assert.Equal(StopPlanPositionAction.Flatten, risk.StopPlan.Positions);
        Assert.Equal(ExecutionMode.DryRun, execution.Mode);
        Assert.Empty(risk.Validate());
    }

    [Theory]
    [InlineData("disabled", ExecutionMode.Disabled)]
    [InlineData("DRY-RUN", ExecutionMode.DryRun)]
    [InlineData("dry_run", ExecutionMode.DryRun)]
    [InlineData("paper", ExecutionMode.Paper)]
    [InlineData("Live", ExecutionMode.Live)]
    public void ExecutionMode_BindsEverySpelling(string value, ExecutionMode expected)
    {
        var options = Config(new() { ["Execution:Mode"] = value }).GetSection("Execution").Get<ExecutionOptions>()!;

        Assert.Equal(expected, options.Mode);
    }

    [Fact]
    public void ExecutionMode_DefaultsToDisabled()
        => Assert.Equal(ExecutionMode.Disabled, Config([]).GetSection("Execution").Get<ExecutionOptions>()?.Mode ?? new ExecutionOptions().Mode);

    [Fact]
    public void Defaults_FollowTheSeeds()
    {
        var options = new RiskOptions();

        Assert.True(options.Enabled);
        Assert.Equal(3, options.ConsecutiveFailureLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LatencyThreshold);
        Assert.Equal(3d, options.LatencySpikeMultiplier);
        Assert.Equal(5, options.LatencySpikeMinSamples);
        Assert.Null(options.KillSwitch.InitialState);
        Assert.False(options.IsConfiguredForLive);
    }

    [Fact]
    public void AnEmptyValue_DisablesADefaultedRule()
    {
        var options = new RiskOptions();
        Config(new() { ["Risk:OrdersPerMinute"] = "" }).GetSection("Risk").Bind(options);

        Assert.Null(options.OrdersPerMinute);
    }

    [Fact]
    public void Validate_ListsEveryProblem()
    {
        var options = new RiskOptions
        {
            DailyLossLimit = -1m,
            OrdersPerMinute = 0,
            WorstCaseLossFraction = 2m,
            LatencySpikeMultiplier = 0.5d,
            Session = new TradingSessionOptions { TimeZone = "Nowhere/Atlantis", Open = TimeSpan.FromHours(10), Close = TimeSpan.FromHours(9) },
        };
        options.TripStates["no_such_cause"] = TradingState.Halted;

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("Risk:DailyLossLimit", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Risk:OrdersPerMinute", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Risk:WorstCaseLossFraction", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Risk:LatencySpikeMultiplier", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Nowhere/Atlantis", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Open < Close", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("no_such_cause", StringComparison.Ordinal));
        var thrown = Assert.Throws<TradingKitException>(() => new RiskGuard(options));
        Assert.Equal(ErrorCodes.InvalidOptions, thrown.Code);
        Assert.False(new RiskOptionsValidator().Validate(null, options).Succeeded);
    }
}
