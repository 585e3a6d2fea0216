using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Instruments;

/// <summary>
/// An instrument and its trading rules: tick size, step size, quantity bounds and minimum notional.
/// Use <see cref="RoundPrice"/> and <see cref="RoundQuantity"/> to conform values, and
/// <see cref="Validate"/> (or <see cref="Check"/>) to refuse values a venue would reject.
/// </summary>
public sealed record Instrument
{
    /// <summary>Creates an instrument definition.</summary>
    /// <param name="symbol">The venue symbol.</param>
    /// <param name="tickSize">The price increment; positive.</param>
    /// <param name="stepSize">The quantity increment; positive.</param>
    /// <param name="minQuantity">The smallest order quantity; non-negative.</param>
    /// <param name="maxQuantity">The largest order quantity; at least <paramref name="minQuantity"/>.</param>
    /// <param name="minNotional">The smallest price × quantity; non-negative.</param>
    /// <param name="quoteCurrency">The currency prices and notionals are in.</param>
    /// <exception cref="TradingKitException">A rule is inconsistent (<c>INVALID_OPTIONS</c>).</exception>
    public Instrument(Symbol symbol, decimal tickSize, decimal stepSize, decimal minQuantity, decimal maxQuantity,
        decimal minNotional = 0m, string quoteCurrency = "USD")
    {
        if (tickSize <= 0m || stepSize <= 0m || minQuantity < 0m || maxQuantity < minQuantity || maxQuantity <= 0m || minNotional < 0m)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions,
                $"Instrument {symbol}: tick and step must be positive, 0 <= min quantity <= max quantity, min notional >= 0 " +
                $"(got tick {tickSize}, step {stepSize}, min {minQuantity}, max {maxQuantity}, min notional {minNotional}).");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(quoteCurrency);
        Symbol = symbol;
        TickSize = tickSize;
        StepSize = stepSize;
        MinQuantity = minQuantity;
        MaxQuantity = maxQuantity;
        MinNotional = minNotional;
        QuoteCurrency = quoteCurrency;
    }

    /// <summary>The venue symbol.</summary>
    public Symbol Symbol { get; }

    /// <summary>The price increment.</summary>
    public decimal TickSize { get; }

    /// <summary>The quantity increment.</summary>
    public decimal StepSize { get; }

    /// <summary>The smallest order quantity.</summary>
    public decimal MinQuantity { get; }

    /// <summary>The largest order quantity.</summary>
    public decimal MaxQuantity { get; }

    /// <summary>The smallest notional (price × quantity) an order may have.</summary>
    public decimal MinNotional { get; }

    /// <summary>The currency prices are quoted in.</summary>
    public string QuoteCurrency { get; }

    /// <summary>Number of decimal places a price carries (derived from <see cref="TickSize"/>).</summary>
    public int PricePrecision => DecimalPlaces(TickSize);

    /// <summary>Number of decimal places a quantity carries (derived from <see cref="StepSize"/>).</summary>
    public int QuantityPrecision => DecimalPlaces(StepSize);

    /// <summary>Rounds a price to the nearest multiple of the tick size.</summary>
    /// <param name="price">The price to round.</param>
    /// <param name="mode">How to round; <see cref="MidpointRounding.ToZero"/> rounds down, <see cref="MidpointRounding.ToPositiveInfinity"/> up.</param>
    /// <returns>The rounded price, carrying exactly <see cref="PricePrecision"/> decimals.</returns>
    public decimal RoundPrice(decimal price, MidpointRounding mode = MidpointRounding.ToEven)
        => Normalize(Math.Round(price / TickSize, 0, mode) * TickSize, PricePrecision);

    /// <summary>Rounds a quantity down (toward zero) to a multiple of the step size, so it never exceeds what was asked.</summary>
    /// <param name="quantity">The quantity to round.</param>
    /// <returns>The rounded quantity, carrying exactly <see cref="QuantityPrecision"/> decimals.</returns>
    public decimal RoundQuantity(decimal quantity)
        => Normalize(Math.Round(quantity / StepSize, 0, MidpointRounding.ToZero) * StepSize, QuantityPrecision);

    /// <summary>Checks a quantity and optional price against every rule.</summary>
    /// <param name="quantity">The order quantity.</param>
    /// <param name="price">The order's price (limit price, or a reference price for market orders); null skips price rules.</param>
    /// <returns>Null when valid; otherwise the first violated rule.</returns>
    public InstrumentRuleViolation? Check(decimal quantity, decimal? price)
    {
        if (quantity <= 0m || quantity < MinQuantity)
        {
            return new(ErrorCodes.QuantityBelowMinimum, $"quantity {quantity} is below the minimum {MinQuantity}", MinQuantity, quantity);
        }

        if (quantity > MaxQuantity)
        {
            return new(ErrorCodes.QuantityAboveMaximum, $"quantity {quantity} is above the maximum {MaxQuantity}", MaxQuantity, quantity);
        }

        if (quantity % StepSize != 0m)
        {
            return new(ErrorCodes.QuantityStepViolation, $"quantity {quantity} is not a multiple of the step {StepSize}", StepSize, quantity);
        }

        if (price is { } p)
        {
            if (p <= 0m)
            {
                return new(ErrorCodes.PriceOutOfRange, $"price {p} must be positive", 0m, p);
            }

            if (p % TickSize != 0m)
            {
                return new(ErrorCodes.PriceTickViolation, $"price {p} is not a multiple of the tick {TickSize}", TickSize, p);
            }

            var notional = p * quantity;
            if (notional < MinNotional)
            {
                return new(ErrorCodes.NotionalBelowMinimum, $"notional {notional} is below the minimum {MinNotional}", MinNotional, notional);
            }
        }

        return null;
    }

    /// <summary>Validates a quantity and optional price against every rule.</summary>
    /// <param name="quantity">The order quantity.</param>
    /// <param name="price">The order's price; null skips price rules.</param>
    /// <exception cref="InstrumentRuleException">A rule is violated; <see cref="TradingKitException.Code"/> names it.</exception>
    public void Validate(decimal quantity, decimal? price)
    {
        if (Check(quantity, price) is { } violation)
        {
            throw new InstrumentRuleException(Symbol, violation);
        }
    }

    // Dividing by 1.000… strips trailing zeros, so 0.010 counts as 2 places.
    private static int DecimalPlaces(decimal value) => (value / 1.000000000000000000000000000000000m).Scale;

    private static decimal Normalize(decimal value, int places) => Math.Round(value, places);
}

/// <summary>One violated instrument rule.</summary>
/// <param name="Code">The stable error code, for example <c>INSTRUMENT_QTY_STEP</c>.</param>
/// <param name="Message">A readable description.</param>
/// <param name="Threshold">The rule's limit.</param>
/// <param name="Observed">The value that broke it.</param>
public sealed record InstrumentRuleViolation(string Code, string Message, decimal Threshold, decimal Observed);

/// <summary>Thrown when a price or quantity breaks an instrument rule.</summary>
public sealed class InstrumentRuleException : TradingKitException
{
    /// <summary>Creates the error from the violated rule.</summary>
    /// <param name="symbol">The instrument.</param>
    /// <param name="violation">The violated rule.</param>
    public InstrumentRuleException(Symbol symbol, InstrumentRuleViolation violation)
        : base(violation?.Code ?? ErrorCodes.InvalidOrderRequest, $"{symbol}: {violation?.Message}")
    {
        ArgumentNullException.ThrowIfNull(violation);
        Violation = violation;
    }

    /// <summary>The violated rule with its threshold and observed value.</summary>
    public InstrumentRuleViolation Violation { get; }
}
