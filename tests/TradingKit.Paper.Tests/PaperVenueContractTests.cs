using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Testing;
using TradingKit.Domain;
using TradingKit.MarketData;

namespace TradingKit.Paper.Tests;

/// <summary>The paper venue passes the broker adapter conformance suite.</summary>
public sealed class PaperVenueContractTests : BrokerAdapterContractTests
{
    private readonly FakeTimeProvider _clock = new(VenueHarness.Start);
    private readonly PaperVenue _venue;

    public PaperVenueContractTests()
    {
        _venue = new PaperVenue(new PaperVenueOptions { TakerFeeBps = 4m, MakerFeeBps = 2m, SlippageBps = 1m }, _clock);
    }

    protected override IBrokerAdapter Adapter => _venue;

    protected override Symbol Symbol { get; } = new("BTCUSDT");

    protected override decimal MarketPrice => 50_000m;

    protected override ValueTask DriveMarketAsync(decimal price, decimal liquidity)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        _venue.OnMarketData(new TradeTick(Symbol, _clock.GetUtcNow(), price, liquidity, AggressorIsBuyer: true));
        return ValueTask.CompletedTask;
    }
}
