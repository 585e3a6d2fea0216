using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests.Durability;

/// <summary>
/// A reproducible stream of venue inputs (bars on a random walk, submits of every order type, cancels, modifies, advances)
/// drawn from a seed, independent of the venue's answers, so the same script can drive two venues and their answers compared.
/// </summary>
internal sealed class ScriptedSession(int seed)
{
    public static readonly Symbol Spx = new("SPX");
    public static readonly DateTimeOffset Start = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

#pragma warning disable CA5394 // A test script from a seed, not security.
    private readonly Random _random = new(seed);
    private readonly List<ClientOrderId> _submitted = [];
    private decimal _price = 100m;
    private int _ids;

    /// <summary>Runs <paramref name="steps"/> steps against the venue, moving <paramref name="clock"/> as the engine would; returns what the venue answered.</summary>
    public async Task<List<string>> RunAsync(IBrokerAdapter venue, IMarketDataListener listener, FakeTimeProvider clock, int steps)
    {
        var answers = new List<string>();
        for (var i = 0; i < steps; i++)
        {
            var openTime = clock.GetUtcNow();
            clock.Advance(TimeSpan.FromDays(1));
            var open = _price;
            var close = Math.Round(open * (1m + ((decimal)_random.NextDouble() - 0.5m) * 0.04m), 2);
            var high = Math.Max(open, close) + Math.Round((decimal)_random.NextDouble() * 2m, 2);
            var low = Math.Min(open, close) - Math.Round((decimal)_random.NextDouble() * 2m, 2);
            _price = close;
            listener.OnMarketData(new Bar(Spx, openTime, clock.GetUtcNow(), open, high, low, close, 500m + _random.Next(1_000)));

            var actions = _random.Next(3);
            for (var a = 0; a < actions; a++)
            {
                clock.Advance(TimeSpan.FromMinutes(_random.Next(1, 30)));
                answers.Add(await ActAsync(venue));
            }
        }

        return answers;
    }

    private async Task<string> ActAsync(IBrokerAdapter venue)
    {
        var roll = _random.Next(10);
        try
        {
            if (roll < 6 || _submitted.Count == 0)
            {
                var request = NextOrder();
                _submitted.Add(request.ClientOrderId);
                return "submit " + (await venue.SubmitAsync(request)).ToString();
            }

            var target = _submitted[_random.Next(_submitted.Count)];
            if (roll < 8)
            {
                return "cancel " + (await venue.CancelAsync(Spx, target)).ToString();
            }

            var modify = new ModifyRequest(target, Spx, null, Math.Round(_price * (0.97m + ((decimal)_random.NextDouble() * 0.06m)), 2));
            return "modify " + (await venue.ModifyAsync(modify)).ToString();
        }
        catch (BrokerException ex)
        {
            return $"error {ex.Kind} {ex.Code} {ex.Message}";
        }
    }

    private OrderRequest NextOrder()
    {
        var id = new ClientOrderId("s-" + (++_ids).ToString(CultureInfo.InvariantCulture));
        var side = _random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
        var quantity = 1m + _random.Next(20);
        var away = side == OrderSide.Buy ? -1m : 1m;
        var offset = Math.Round(_price * (decimal)_random.NextDouble() * 0.02m, 2);
        return _random.Next(6) switch
        {
            0 or 1 => new OrderRequest { ClientOrderId = id, Symbol = Spx, Side = side, Type = OrderType.Market, Quantity = quantity },
            2 => new OrderRequest { ClientOrderId = id, Symbol = Spx, Side = side, Type = OrderType.Limit, Quantity = quantity, LimitPrice = _price + (away * offset) },
            3 => new OrderRequest
            {
                ClientOrderId = id, Symbol = Spx, Side = side, Type = OrderType.Limit, Quantity = quantity, LimitPrice = _price + (away * offset),
                TimeInForce = TimeInForce.Day,
            },
            4 => new OrderRequest { ClientOrderId = id, Symbol = Spx, Side = side, Type = OrderType.StopMarket, Quantity = quantity, StopPrice = _price - (away * offset) },
            _ => new OrderRequest { ClientOrderId = id, Symbol = Spx, Side = side, Type = OrderType.TrailingStop, Quantity = quantity, TrailingOffset = Math.Max(0.5m, offset) },
        };
    }
#pragma warning restore CA5394
}
