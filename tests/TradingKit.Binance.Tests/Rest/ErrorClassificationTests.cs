using TradingKit.Binance.Rest;
using TradingKit.Brokers;

namespace TradingKit.Binance.Tests.Rest;

public sealed class ErrorClassificationTests
{
    public static TheoryData<int, BinanceErrorClass> Documented => new()
    {
        { -1006, BinanceErrorClass.UnknownOutcome },
        { -1007, BinanceErrorClass.UnknownOutcome },
        { -1000, BinanceErrorClass.Transient },
        { -1001, BinanceErrorClass.Transient },
        { -1003, BinanceErrorClass.Transient },
        { -1008, BinanceErrorClass.Transient },
        { -1015, BinanceErrorClass.Transient },
        { -1021, BinanceErrorClass.Transient },
        { -1125, BinanceErrorClass.Transient },
        { -1022, BinanceErrorClass.Permanent },
        { -2014, BinanceErrorClass.Permanent },
        { -2015, BinanceErrorClass.Permanent },
        { -1100, BinanceErrorClass.Permanent },
        { -1111, BinanceErrorClass.Permanent },
        { -1121, BinanceErrorClass.Permanent },
        { -1136, BinanceErrorClass.Permanent },
        { -2010, BinanceErrorClass.Permanent },
        { -2018, BinanceErrorClass.Permanent },
        { -2019, BinanceErrorClass.Permanent },
        { -2021, BinanceErrorClass.Permanent },
        { -2022, BinanceErrorClass.Permanent },
        { -2025, BinanceErrorClass.Permanent },
        { -2027, BinanceErrorClass.Permanent },
        { -4003, BinanceErrorClass.Permanent },
        { -4004, BinanceErrorClass.Permanent },
        { -4005, BinanceErrorClass.Permanent },
        { -4013, BinanceErrorClass.Permanent },
        { -4014, BinanceErrorClass.Permanent },
        { -4015, BinanceErrorClass.Permanent },
        { -4023, BinanceErrorClass.Permanent },
        { -4061, BinanceErrorClass.Permanent },
        { -4120, BinanceErrorClass.Permanent },
        { -4131, BinanceErrorClass.Permanent },
        { -4164, BinanceErrorClass.Permanent },
        { -5021, BinanceErrorClass.Permanent },
        { -5022, BinanceErrorClass.Permanent },
        { -2011, BinanceErrorClass.Permanent },
        { -2013, BinanceErrorClass.Permanent },
        { -4116, BinanceErrorClass.Permanent },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void Classify_EveryDocumentedCode_HasItsReferenceClass(int code, BinanceErrorClass expected)
    {
        Assert.Equal(expected, BinanceErrorClassification.Classify(code));
        Assert.True(BinanceErrorClassification.Table.ContainsKey(code), $"code {code} must be in the table, not defaulted");
    }

    [Fact]
    public void Table_ListsEveryDocumentedCode_AndNothingIsLeftUnclassified()
    {
        var documented = Documented.Select(row => (int)row[0]).ToHashSet();
        Assert.Empty(documented.Except(BinanceErrorClassification.Table.Keys));
        Assert.All(BinanceErrorClassification.Table.Values, c => Assert.True(Enum.IsDefined(c)));
    }

    [Theory]
    [InlineData(503, null, "Unknown error, please check your request or try again later.", BinanceErrorClass.UnknownOutcome)]
    [InlineData(503, null, "Service Unavailable.", BinanceErrorClass.Transient)]
    [InlineData(503, null, "Internal error; unable to process your request. Please try again.", BinanceErrorClass.Transient)]
    [InlineData(500, null, null, BinanceErrorClass.UnknownOutcome)]
    [InlineData(502, null, "Bad gateway", BinanceErrorClass.UnknownOutcome)]
    [InlineData(408, null, null, BinanceErrorClass.UnknownOutcome)]
    [InlineData(429, -1003, "Too many requests", BinanceErrorClass.Transient)]
    [InlineData(403, null, "WAF", BinanceErrorClass.Permanent)]
    [InlineData(400, -2019, "Margin is insufficient.", BinanceErrorClass.Permanent)]
    [InlineData(400, -1007, "Timeout waiting for response from backend server.", BinanceErrorClass.UnknownOutcome)]
    public void Classify_HttpAnswers(int status, int? code, string? message, BinanceErrorClass expected)
        => Assert.Equal(expected, BinanceErrorClassification.Classify(status, code, message));

    [Fact]
    public void Classify_UndocumentedCode_IsPermanent_BecauseTheVenueAnsweredAndRefused()
        => Assert.Equal(BinanceErrorClass.Permanent, BinanceErrorClassification.Classify(-9999));

    [Theory]
    [InlineData(BinanceErrorClass.UnknownOutcome, 503, null, true, BrokerErrorKind.UnknownOutcome)]
    [InlineData(BinanceErrorClass.UnknownOutcome, 503, null, false, BrokerErrorKind.Transient)]
    [InlineData(BinanceErrorClass.Transient, 429, -1003, true, BrokerErrorKind.RateLimited)]
    [InlineData(BinanceErrorClass.Transient, 400, -1001, true, BrokerErrorKind.Transient)]
    [InlineData(BinanceErrorClass.Permanent, 400, -2019, true, BrokerErrorKind.Permanent)]
    public void ToBrokerException_MapsClassToTheOmsKind(BinanceErrorClass cls, int status, int? code, bool mutating, BrokerErrorKind kind)
    {
        var ex = new BinanceApiException(cls, status, code, "x").ToBrokerException(mutating);
        Assert.Equal(kind, ex.Kind);
    }
}
