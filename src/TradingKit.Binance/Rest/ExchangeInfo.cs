using System.Text.Json;
using TradingKit.Binance.Json;
using TradingKit.Domain;
using TradingKit.Instruments;

namespace TradingKit.Binance.Rest;

/// <summary>Reads <c>exchangeInfo</c> into <see cref="Instrument"/>s: tick from PRICE_FILTER, step and bounds from LOT_SIZE,
/// minimum notional from MIN_NOTIONAL. <c>pricePrecision</c>/<c>quantityPrecision</c> are display hints and ignored.</summary>
internal static class ExchangeInfo
{
    public static Dictionary<string, Instrument> Parse(JsonElement info)
    {
        var result = new Dictionary<string, Instrument>(StringComparer.Ordinal);
        if (!info.TryGetProperty("symbols", out var symbols) || symbols.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var s in symbols.EnumerateArray())
        {
            var name = s.String("symbol");
            if (string.IsNullOrEmpty(name) || !s.TryGetProperty("filters", out var filters))
            {
                continue;
            }

            decimal tick = 0m, step = 0m, minQty = 0m, maxQty = 0m, minNotional = 0m;
            foreach (var f in filters.EnumerateArray())
            {
                switch (f.String("filterType"))
                {
                    case "PRICE_FILTER":
                        tick = f.Decimal("tickSize");
                        break;
                    case "LOT_SIZE":
                        step = f.Decimal("stepSize");
                        minQty = f.Decimal("minQty");
                        maxQty = f.Decimal("maxQty");
                        break;
                    case "MIN_NOTIONAL":
                        minNotional = f.Decimal("notional");
                        break;
                    default:
                        break;
                }
            }

            if (tick > 0m && step > 0m && maxQty > 0m && maxQty >= minQty)
            {
                result[name] = new Instrument(new Symbol(name), tick, step, minQty, maxQty, minNotional, s.String("quoteAsset") ?? "USDT");
            }
        }

        return result;
    }
}
