using TradingKit.Binance.Configuration;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.MarketData;

namespace TradingKit.Binance.Tests.Streams;

public sealed class MarketDataFeedTests
{
    [Fact]
    public async Task Feed_SubscribesKlineAndAggTradeOnTheMarketRoute_AndBookTickerOnThePublicRoute()
    {
        var time = new SignalingTimeProvider();
        await using var venue = await FakeBinance.StartAsync(time.GetUtcNow);
        var options = new BinanceUsdmOptions { RestBaseUrl = venue.RestBaseUrl, StreamBaseUrl = venue.StreamBaseUrl };
        await using var feed = new BinanceMarketDataFeed(options,
        [
            new BinanceMarketStream("BTCUSDT", BinanceMarketStreamKind.Kline, "1m"),
            new BinanceMarketStream("BTCUSDT", BinanceMarketStreamKind.AggTrade),
            new BinanceMarketStream("BTCUSDT", BinanceMarketStreamKind.BookTicker),
        ], time);

        using var cts = new CancellationTokenSource(Harness.Wait);
        await using var reader = feed.ReadAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var first = reader.MoveNextAsync().AsTask();
        await venue.WaitForMarketConnectionsAsync(2).Bounded();
        Assert.Contains("/market/stream?streams=btcusdt@kline_1m/btcusdt@aggTrade", venue.MarketPaths);
        Assert.Contains("/public/stream?streams=btcusdt@bookTicker", venue.MarketPaths);

        await venue.SendMarketAsync("""{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"50000.1","q":"0.5","T":2,"m":false}}""");
        Assert.True(await first.Bounded());
        var tick = Assert.IsType<TradeTick>(reader.Current);
        Assert.Equal(50000.1m, tick.Price);
        Assert.True(tick.AggressorIsBuyer);
    }
}
