using TradingKit.Errors;
using TradingKit.Instruments;

namespace TradingKit.Core.Tests.Instruments;

public sealed class InstrumentTests
{
    private static readonly Instrument Btc = new("BTCUSDT", tickSize: 0.10m, stepSize: 0.001m, minQuantity: 0.001m, maxQuantity: 1000m, minNotional: 100m, quoteCurrency: "USDT");

    [Fact]
    public void Precision_IsDerivedFromTickAndStep_IgnoringTrailingZeros()
    {
        Assert.Equal(1, Btc.PricePrecision);
        Assert.Equal(3, Btc.QuantityPrecision);
    }

    [Theory]
    [InlineData("100.04", "100.0")]
    [InlineData("100.06", "100.1")]
    [InlineData("100.05", "100.0")]
    public void RoundPrice_GoesToNearestTick(string input, string expected)
        => Assert.Equal(decimal.Parse(expected), Btc.RoundPrice(decimal.Parse(input)));

    [Fact]
    public void RoundPrice_Directional()
    {
        Assert.Equal(100.0m, Btc.RoundPrice(100.09m, MidpointRounding.ToZero));
        Assert.Equal(100.1m, Btc.RoundPrice(100.01m, MidpointRounding.ToPositiveInfinity));
    }

    [Fact]
    public void RoundQuantity_NeverRoundsUp()
    {
        Assert.Equal(1.234m, Btc.RoundQuantity(1.2349m));
        Assert.Equal(0m, Btc.RoundQuantity(0.0009m));
    }

    [Theory]
    [InlineData("0.0005", "30000", ErrorCodes.QuantityBelowMinimum)]
    [InlineData("1001", "30000", ErrorCodes.QuantityAboveMaximum)]
    [InlineData("0.0015", "30000", ErrorCodes.QuantityStepViolation)]
    [InlineData("0.01", "30000.05", ErrorCodes.PriceTickViolation)]
    [InlineData("0.01", "-1", ErrorCodes.PriceOutOfRange)]
    [InlineData("0.002", "30000", ErrorCodes.NotionalBelowMinimum)]
    public void Validate_RefusesEachBrokenRule_WithItsCode(string qty, string price, string code)
    {
        var ex = Assert.Throws<InstrumentRuleException>(() => Btc.Validate(decimal.Parse(qty), decimal.Parse(price)));
        Assert.Equal(code, ex.Code);
        Assert.Equal(code, ex.Violation.Code);
    }

    [Fact]
    public void Validate_AcceptsConformingOrder() => Assert.Null(Btc.Check(0.01m, 30000.1m));

    [Fact]
    public void Constructor_RefusesInconsistentRules()
        => Assert.Equal(ErrorCodes.InvalidOptions, Assert.Throws<TradingKitException>(() => new Instrument("X", 0m, 1m, 0m, 1m)).Code);
}
