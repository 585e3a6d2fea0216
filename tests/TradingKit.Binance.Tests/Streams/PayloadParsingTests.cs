using System.Text;
using TradingKit.Binance.Streams;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Binance.Tests.Streams;

public sealed class PayloadParsingTests
{
    // The reference's ORDER_TRADE_UPDATE shape, once with strings and once with bare numbers.
    private const string TradeAsStrings = """
        {"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{"s":"BTCUSDT","c":"TEST","S":"SELL","o":"TRAILING_STOP_MARKET","f":"GTC","q":"0.001","p":"0","ap":"9.91","sp":"7103.04","x":"TRADE","X":"PARTIALLY_FILLED","i":8886774,"l":"0.0005","z":"0.0005","L":"9.91","N":"USDT","n":"0.002","T":1568879465650,"t":12345,"b":"0","a":"9.91","m":true,"R":false,"wt":"CONTRACT_PRICE","ot":"TRAILING_STOP_MARKET","ps":"LONG","cp":false,"rp":"0","V":"NONE","pm":"NONE","gtd":0,"er":"0"}}
        """;

    private const string TradeAsNumbers = """
        {"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{"s":"BTCUSDT","c":"TEST","S":"SELL","o":"TRAILING_STOP_MARKET","f":"GTC","q":0.001,"p":0,"ap":9.91,"sp":7103.04,"x":"TRADE","X":"PARTIALLY_FILLED","i":8886774,"l":0.0005,"z":0.0005,"L":9.91,"N":"USDT","n":0.002,"T":1568879465650,"t":12345,"m":true,"ps":"LONG"}}
        """;

    [Theory]
    [InlineData(TradeAsStrings)]
    [InlineData(TradeAsNumbers)]
    public void OrderTradeUpdate_ParsesNumbersWhetherStringsOrNumbers(string json)
    {
        var report = Assert.IsType<ExecutionReport>(Assert.Single(Parse(json)));
        Assert.Equal(ExecutionKind.Trade, report.Kind);
        Assert.Equal(OrderStatus.PartiallyFilled, report.Status);
        Assert.Equal(new ClientOrderId("TEST"), report.ClientOrderId);
        Assert.Equal(0.001m, report.OrderQuantity);
        Assert.Equal(0.0005m, report.CumulativeQuantity);
        Assert.Equal(0.0005m, report.Fill!.Quantity);
        Assert.Equal(9.91m, report.Fill.Price);
        Assert.Equal(0.002m, report.Fill.Fee);
        Assert.Equal(LiquiditySide.Maker, report.Fill.Liquidity);
        Assert.Equal(PositionSide.Long, report.Fill.PositionSide);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1568879465651), report.Timestamp);
        Assert.False(report.IsExternal);
    }

    [Fact]
    public void SameTrade_FromTwoSources_IsReportedOnce()
    {
        var registry = new OrderRegistry();
        Assert.Single(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(TradeAsStrings), registry).Events);
        Assert.Empty(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(TradeAsNumbers), registry).Events);
    }

    [Theory]
    [InlineData("NEW", "NEW", ExecutionKind.Accepted, OrderStatus.Acknowledged)]
    [InlineData("CANCELED", "CANCELED", ExecutionKind.Cancelled, OrderStatus.Cancelled)]
    [InlineData("EXPIRED", "EXPIRED", ExecutionKind.Expired, OrderStatus.Expired)]
    [InlineData("EXPIRED", "EXPIRED_IN_MATCH", ExecutionKind.Expired, OrderStatus.Expired)]
    [InlineData("AMENDMENT", "NEW", ExecutionKind.Updated, OrderStatus.Acknowledged)]
    public void ExecutionTypes_MapToKindsAndStatuses(string x, string status, ExecutionKind kind, OrderStatus expected)
    {
        var json = $$"""{"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"BTCUSDT","c":"abc","S":"BUY","o":"LIMIT","q":"1","x":"{{x}}","X":"{{status}}","i":5,"l":"0","z":"0","t":0} }""";
        var report = Assert.IsType<ExecutionReport>(Assert.Single(Parse(json)));
        Assert.Equal(kind, report.Kind);
        Assert.Equal(expected, report.Status);
    }

    [Theory]
    [InlineData("autoclose-1", true)]
    [InlineData("adl_autoclose", true)]
    [InlineData("settlement_autoclose-BTC", true)]
    [InlineData("my-autoclose-1", false)]
    [InlineData("web_abc", false)]
    public void VenueMadeClientIds_AreExternal(string id, bool external)
        => Assert.Equal(external, BinanceUserEventParser.IsExternal(id));

    [Fact]
    public void ClientIdsBreakingTheRules_GetAStableStandIn()
    {
        Assert.Equal("binance-77", BinanceUserEventParser.ToClientOrderId("has space", 77).Value);
        Assert.Equal("binance-77", BinanceUserEventParser.ToClientOrderId(new string('a', 40), 77).Value);
    }

    [Fact]
    public void ListenKeyExpired_IsSignalled()
        => Assert.True(BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes("""{"e":"listenKeyExpired","E":1576653824250,"listenKey":"x"}"""), new OrderRegistry()).ListenKeyExpired);

    [Fact]
    public void CombinedStreamEnvelope_IsUnwrapped()
    {
        var wrapped = "{\"stream\":\"x\",\"data\":" + TradeAsStrings + "}";
        Assert.Single(Parse(wrapped));
    }

    [Theory]
    [InlineData("""{"e":"kline","E":1638747660000,"s":"BTCUSDT","k":{"t":1638747660000,"T":1638747719999,"s":"BTCUSDT","i":"1m","o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","x":true}}""")]
    [InlineData("""{"e":"kline","E":1638747660000,"s":"BTCUSDT","k":{"t":1638747660000,"T":1638747719999,"s":"BTCUSDT","i":"1m","o":0.0010,"c":0.0020,"h":0.0025,"l":0.0015,"v":1000,"x":true}}""")]
    public void ClosedKline_IsABar(string json)
    {
        var bar = Assert.IsType<Bar>(BinanceMarketDataFeed.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(0.0010m, bar.Open);
        Assert.Equal(0.0025m, bar.High);
        Assert.Equal(0.0015m, bar.Low);
        Assert.Equal(0.0020m, bar.Close);
        Assert.Equal(1000m, bar.Volume);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1638747719999), bar.Timestamp);
    }

    [Fact]
    public void OpenKline_IsNotABarYet()
        => Assert.Null(BinanceMarketDataFeed.Parse(Encoding.UTF8.GetBytes("""{"e":"kline","s":"BTCUSDT","k":{"t":1,"T":2,"o":"1","c":"1","h":"1","l":"1","v":"1","x":false}}""")));

    [Fact]
    public void AggTrade_IsATradeTick_WithTheAggressorSide()
    {
        var tick = Assert.IsType<TradeTick>(BinanceMarketDataFeed.Parse(Encoding.UTF8.GetBytes(
            """{"e":"aggTrade","E":123456789,"s":"BTCUSDT","a":5933014,"p":"0.001","q":100,"f":100,"l":105,"T":123456785,"m":true}""")));
        Assert.Equal(0.001m, tick.Price);
        Assert.Equal(100m, tick.Quantity);
        Assert.False(tick.AggressorIsBuyer);
    }

    [Fact]
    public void BookTicker_IsAQuote()
    {
        var quote = Assert.IsType<QuoteTick>(BinanceMarketDataFeed.Parse(Encoding.UTF8.GetBytes(
            """{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":25.36520000,"A":"40.66000000"}""")));
        Assert.Equal(25.3519m, quote.BidPrice);
        Assert.Equal(25.3652m, quote.AskPrice);
        Assert.Equal(40.66m, quote.AskSize);
    }

    private static List<VenueEvent> Parse(string json) => BinanceUserEventParser.Parse(Encoding.UTF8.GetBytes(json), new OrderRegistry()).Events;
}
