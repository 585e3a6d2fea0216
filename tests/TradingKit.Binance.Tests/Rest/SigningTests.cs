using TradingKit.Binance.Rest;

namespace TradingKit.Binance.Tests.Rest;

public sealed class SigningTests
{
    // Binance's documented HMAC example (USDⓈ-M futures "SIGNED endpoint examples").
    private const string DocSecret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
    private const string DocPayload = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
    private const string DocSignature = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9";

    [Fact]
    public void Sign_DocumentedExample_MatchesDocumentedSignature()
        => Assert.Equal(DocSignature, new BinanceSigner(DocSecret).Sign(DocPayload));

    [Fact]
    public void Sign_QueryThenBody_IsTheSameAsAllInQuery()
    {
        var signer = new BinanceSigner(DocSecret);
        Assert.Equal(DocSignature, signer.Sign("symbol=BTCUSDT&side=BUY&type=LIMIT", "&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"));
    }

    [Fact]
    public void SignQuery_AppendsRecvWindowAndTimestampAfterParameters_AndSignatureLast()
    {
        var p = new BinanceParameters().Add("symbol", "BTCUSDT").Add("side", "BUY").Add("type", "LIMIT").Add("quantity", 1m)
            .Add("price", 9000m).Add("timeInForce", "GTC");
        var signed = new BinanceSigner(DocSecret).SignQuery(p, 5000, 1591702613943);
        Assert.Equal(DocPayload + "&signature=" + DocSignature, signed);
    }

    [Fact]
    public void ToQueryString_PercentEncodesEveryValue_KeepingOrder()
    {
        var p = new BinanceParameters().Add("b", "x y").Add("a", "[{\"k\":\"v\"}]").Add("c", "A:/_-.z");
        Assert.Equal("b=x%20y&a=%5B%7B%22k%22%3A%22v%22%7D%5D&c=A%3A%2F_-.z", p.ToQueryString());
    }

    [Theory]
    [InlineData("0.00100", "0.001")]
    [InlineData("9000", "9000")]
    [InlineData("12345.6700", "12345.67")]
    [InlineData("0.00000001", "0.00000001")]
    public void FormatDecimal_PlainInvariant_NoExponentNoTrailingZeros(string input, string expected)
        => Assert.Equal(expected, BinanceParameters.FormatDecimal(decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture)));
}
