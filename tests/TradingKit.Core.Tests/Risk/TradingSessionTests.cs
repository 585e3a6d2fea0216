using TradingKit.Risk;

namespace TradingKit.Core.Tests.Risk;

public sealed class TradingSessionTests
{
    private static readonly TradingSession Seoul = TradingSession.FromOptions(new TradingSessionOptions
    {
        TimeZone = "Asia/Seoul",
        Open = TimeSpan.FromHours(9),
        Close = new TimeSpan(15, 30, 0),
        NoNewEntriesBeforeClose = TimeSpan.FromMinutes(15),
        ForcedLiquidationBeforeClose = TimeSpan.FromMinutes(10),
    })!;

    // Seoul is UTC+9 all year: 09:00 local is 00:00 UTC.
    private static DateTimeOffset SeoulTime(int day, int hour, int minute, int second = 0) => new(2025, 3, day, hour, minute, second, TimeSpan.FromHours(9));

    [Theory]
    [InlineData(3, 8, 59, 59, SessionPhase.Closed)]
    [InlineData(3, 9, 0, 0, SessionPhase.Open)]
    [InlineData(3, 15, 14, 59, SessionPhase.Open)]
    [InlineData(3, 15, 15, 0, SessionPhase.NoNewEntries)]
    [InlineData(3, 15, 20, 0, SessionPhase.ForcedLiquidation)]
    [InlineData(3, 15, 30, 0, SessionPhase.Closed)]
    [InlineData(8, 10, 0, 0, SessionPhase.Closed)]
    public void Phase_FollowsTheLocalClockAndCutoffs(int day, int hour, int minute, int second, SessionPhase expected)
        => Assert.Equal(expected, Seoul.GetPhase(SeoulTime(day, hour, minute, second)));

    [Fact]
    public void DaylightSaving_MovesTheOpenInUtc()
    {
        var newYork = new TradingSession(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), new TimeSpan(9, 30, 0), TimeSpan.FromHours(16));

        var winter = newYork.GetTimes(new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero))!.Value;
        var summer = newYork.GetTimes(new DateTimeOffset(2025, 7, 7, 15, 0, 0, TimeSpan.Zero))!.Value;

        Assert.Equal(new DateTimeOffset(2025, 1, 6, 14, 30, 0, TimeSpan.Zero), winter.Open);
        Assert.Equal(new DateTimeOffset(2025, 7, 7, 13, 30, 0, TimeSpan.Zero), summer.Open);
    }

    [Fact]
    public void TradingHoursRule_DeniesOutsideTheSession_AndNewEntriesAfterTheCutoff()
    {
        var options = RiskTestData.Bare();
        options.Session = new TradingSessionOptions { TimeZone = "Asia/Seoul", Open = TimeSpan.FromHours(9), Close = new TimeSpan(15, 30, 0) };
        var guard = new RiskGuard(options);

        Assert.Equal(RiskCodes.OutsideTradingHours, guard.CheckPreTrade(RiskTestData.Context(RiskTestData.Order(), now: SeoulTime(3, 8, 0))).Code);
        Assert.True(guard.CheckPreTrade(RiskTestData.Context(RiskTestData.Order(), now: SeoulTime(3, 15, 14, 59))).Allowed);
        var entry = guard.CheckPreTrade(RiskTestData.Context(RiskTestData.Order(), now: SeoulTime(3, 15, 15)));
        Assert.Equal(RiskRuleIds.TradingHours, entry.RuleId);
        Assert.Equal(RiskCodes.NoNewEntryCutoff, entry.Code);
        Assert.True(guard.CheckPreTrade(RiskTestData.Context(RiskTestData.Order(TradingKit.Orders.OrderSide.Sell), now: SeoulTime(3, 15, 15), position: 1m)).Allowed);
    }
}
