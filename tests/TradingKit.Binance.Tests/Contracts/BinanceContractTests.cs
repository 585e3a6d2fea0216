using TradingKit.Binance.Events;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.Brokers;
using TradingKit.Testing;
using TradingKit.Domain;

namespace TradingKit.Binance.Tests.Contracts;

/// <summary>
/// The Binance adapter passes the broker adapter conformance suite against the local fake venue, which pushes the
/// stream events Binance would (NEW, TRADE, CANCELED, AMENDMENT) and matches orders when the suite moves the market.
/// </summary>
public sealed class BinanceContractTests : BrokerAdapterContractTests, IAsyncLifetime
{
    private Harness? _harness;
    private int _markers;

    protected override IBrokerAdapter Adapter => Harness.Broker;

    protected override Symbol Symbol { get; } = new("BTCUSDT");

    protected override decimal MarketPrice => 50_000m;

    // The fake lists BTCUSDT with step 0.001 (also the minimum) and a minimum notional of 5 USDT.
    protected override decimal Quantity => 0.001m;

    private Harness Harness => _harness ?? throw new InvalidOperationException("not initialised");

    public async Task InitializeAsync()
    {
        _harness = await Harness.StartAsync();
        Harness.Venue.PushOrderUpdates = true;

        // Connected before the suite's own (idempotent) ConnectAsync, so no push can precede the stream's socket.
        await Harness.Broker.ConnectAsync().Bounded();
        await Harness.Venue.WaitForUserConnectionsAsync(1).Bounded();
    }

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    // Binance's BTCUSDT tick is 0.10.
    protected override decimal RoundPrice(decimal price) => Math.Round(price * 10m, MidpointRounding.ToZero) / 10m;

    protected override async ValueTask DriveMarketAsync(decimal price, decimal liquidity)
        => await Harness.Venue.TradeAsync(Symbol.Value, price, liquidity).Bounded();

    /// <summary>
    /// Reports arrive over the WebSocket: the fake sends a marker after everything it pushed, and the reports read before
    /// the marker comes back are all of them.
    /// </summary>
    protected override async ValueTask<IReadOnlyList<ExecutionReport>> DrainReportsAsync()
    {
        var marker = "TK_MARKER_" + (++_markers).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Harness.Venue.SendUserEventAsync(Harness.Venue.MarkerEvent(marker)).Bounded();
        var reports = new List<ExecutionReport>();
        using var cts = new CancellationTokenSource(Harness.Wait);
        while (true)
        {
            var e = await Adapter.Events.ReadAsync(cts.Token);
            if (e is ExecutionReport report)
            {
                reports.Add(report);
            }
            else if (e is BinanceBalanceChanged changed && changed.Reason == marker)
            {
                return reports;
            }
        }
    }
}
