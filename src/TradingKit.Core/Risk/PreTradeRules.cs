using TradingKit.Domain;
using TradingKit.Instruments;
using TradingKit.Orders;

namespace TradingKit.Risk;

// The built-in pre-trade rules. Each allows without allocating; only a denial formats a message.

/// <summary>Denies everything while the kill switch is on.</summary>
internal sealed class KillSwitchRule(KillSwitch killSwitch) : IPreTradeRule
{
    public string Id => RiskRuleIds.KillSwitch;

    public decimal Threshold => 0m;

    public RiskDecision Check(in PreTradeContext context)
        => killSwitch.IsOn
            ? RiskDecision.Deny(Id, RiskCodes.KillSwitchActive, 0m, 1m, "The kill switch is on: " + killSwitch.Current.Reason)
            : RiskDecision.Allow;
}

/// <summary>HALTED denies everything; REDUCING allows only orders that reduce a position.</summary>
internal sealed class TradingStateRule(IRiskGuard guard) : IPreTradeRule
{
    public string Id => RiskRuleIds.TradingState;

    public decimal Threshold => 0m;

    public RiskDecision Check(in PreTradeContext context) => guard.State switch
    {
        TradingState.Halted => RiskDecision.Deny(Id, RiskCodes.GuardTripped, 0m, (decimal)TradingState.Halted,
            "The risk guard is HALTED after a trip; an operator must reset it."),
        TradingState.Reducing when !context.IsReducing => RiskDecision.Deny(Id, RiskCodes.ReduceOnly, 0m, (decimal)TradingState.Reducing,
            "The risk guard is REDUCING after a trip; only orders that reduce a position are allowed."),
        _ => RiskDecision.Allow,
    };
}

/// <summary>Outside the session nothing is allowed; from the no-new-entry cutoff only reducing orders.</summary>
internal sealed class TradingHoursRule(TradingSession session) : IPreTradeRule
{
    public string Id => RiskRuleIds.TradingHours;

    public decimal Threshold => 0m;

    public RiskDecision Check(in PreTradeContext context)
    {
        var phase = session.GetPhase(context.Now);
        if (phase == SessionPhase.Closed)
        {
            return RiskDecision.Deny(Id, RiskCodes.OutsideTradingHours, 0m, 0m,
                RiskOptions.Invariant($"{context.Now:O} is outside the trading session ({session.TimeZone.Id})."));
        }

        if (phase >= SessionPhase.NoNewEntries && !context.IsReducing)
        {
            return RiskDecision.Deny(Id, RiskCodes.NoNewEntryCutoff, 0m, 0m,
                RiskOptions.Invariant($"{context.Now:O} is past the no-new-entry cutoff; only orders that reduce a position are allowed."));
        }

        return RiskDecision.Allow;
    }
}

/// <summary>Tick, step, quantity bounds and minimum notional (<see cref="Instrument.Check"/>).</summary>
internal sealed class InstrumentRule(IReadOnlyDictionary<Symbol, Instrument> instruments) : IPreTradeRule
{
    public string Id => RiskRuleIds.Instrument;

    public decimal Threshold => 0m;

    public RiskDecision Check(in PreTradeContext context)
    {
        if (!instruments.TryGetValue(context.Order.Symbol, out var instrument))
        {
            return RiskDecision.Deny(Id, RiskCodes.UnknownInstrument, 0m, 0m, $"No instrument definition for {context.Order.Symbol}.");
        }

        // Own prices (limit, stop) must sit on the tick; a market order is valued at the reference price for the notional minimum only.
        var order = context.Order;
        var violation = instrument.Check(order.Quantity, order.LimitPrice);
        if (violation is not null)
        {
            return RiskDecision.Deny(Id, violation.Code, violation.Threshold, violation.Observed, $"{order.Symbol}: {violation.Message}");
        }

        if (order.StopPrice is { } stop && stop % instrument.TickSize != 0m)
        {
            return RiskDecision.Deny(Id, Errors.ErrorCodes.PriceTickViolation, instrument.TickSize, stop,
                RiskOptions.Invariant($"{order.Symbol}: stop price {stop} is not a multiple of the tick {instrument.TickSize}"));
        }

        if (order.LimitPrice is null && context.ReferencePrice is { } reference && reference * order.Quantity < instrument.MinNotional)
        {
            return RiskDecision.Deny(Id, Errors.ErrorCodes.NotionalBelowMinimum, instrument.MinNotional, reference * order.Quantity,
                RiskOptions.Invariant($"{order.Symbol}: notional {reference * order.Quantity} is below the minimum {instrument.MinNotional}"));
        }

        return RiskDecision.Allow;
    }
}

/// <summary>The order's price must be within ± band bps of the last trade (fat finger). Market orders have no own price and pass.</summary>
internal sealed class PriceBandRule(decimal bandBps) : IPreTradeRule
{
    public string Id => RiskRuleIds.PriceBand;

    public decimal Threshold => bandBps;

    public RiskDecision Check(in PreTradeContext context)
    {
        var own = context.Order.LimitPrice ?? context.Order.StopPrice;
        if (own is not { } price)
        {
            return RiskDecision.Allow;
        }

        if (context.LastPrice is not { } last || last <= 0m)
        {
            return RiskDecision.Deny(Id, RiskCodes.PriceUnknown, bandBps, 0m, $"No last trade price for {context.Order.Symbol} to check the price band against.");
        }

        // Compared without dividing: decimal division is the slowest step of the allowed path.
        var distance = Math.Abs(price - last) * 10_000m;
        if (distance <= bandBps * last)
        {
            return RiskDecision.Allow;
        }

        var deviationBps = distance / last;
        return RiskDecision.Deny(Id, RiskCodes.PriceBand, bandBps, deviationBps,
                RiskOptions.Invariant($"{context.Order.Symbol} price {price} is {deviationBps:0.##} bps from the last trade {last}; the band is {bandBps} bps."));
    }
}

/// <summary>Quantity × reference price ≤ the maximum order notional; applies to every order.</summary>
internal sealed class MaxOrderNotionalRule(decimal limit) : IPreTradeRule
{
    public string Id => RiskRuleIds.MaxOrderNotional;

    public decimal Threshold => limit;

    public RiskDecision Check(in PreTradeContext context)
    {
        if (context.ReferencePrice is not { } price)
        {
            return RiskDecision.Deny(Id, RiskCodes.PriceUnknown, limit, 0m, $"No price to value the {context.Order.Symbol} order at.");
        }

        var notional = price * context.Order.Quantity;
        return notional <= limit ? RiskDecision.Allow
            : RiskDecision.Deny(Id, RiskCodes.MaxOrderNotional, limit, notional,
                RiskOptions.Invariant($"{context.Order.Symbol} order notional {notional} is above the maximum {limit}."));
    }
}

/// <summary>Quantity × current price ≤ the capital limit (EC-004), for orders that open or add to a position.</summary>
internal sealed class CapitalLimitRule(decimal limit) : IPreTradeRule
{
    public string Id => RiskRuleIds.CapitalLimit;

    public decimal Threshold => limit;

    public RiskDecision Check(in PreTradeContext context)
    {
        if (context.IsReducing)
        {
            return RiskDecision.Allow;
        }

        if ((context.LastPrice ?? context.ReferencePrice) is not { } price)
        {
            return RiskDecision.Deny(Id, RiskCodes.PriceUnknown, limit, 0m, $"No current price for {context.Order.Symbol}.");
        }

        var notional = price * context.Order.Quantity;
        return notional <= limit ? RiskDecision.Allow
            : RiskDecision.Deny(Id, RiskCodes.CapitalLimit, limit, notional,
                RiskOptions.Invariant($"{context.Order.Symbol} quantity × current price = {notional} is above the capital limit {limit}."));
    }
}

/// <summary>
/// |position + same-direction open quantity + order| ≤ the maximum position, unless the order shrinks the absolute
/// position (an order that reduces exposure is never denied by this rule).
/// </summary>
internal sealed class MaxPositionRule(decimal? defaultLimit, IReadOnlyDictionary<string, decimal> bySymbol) : IPreTradeRule
{
    public string Id => RiskRuleIds.MaxPosition;

    public decimal Threshold => defaultLimit ?? 0m;

    public RiskDecision Check(in PreTradeContext context)
    {
        decimal limit;
        if (bySymbol.Count > 0 && bySymbol.TryGetValue(context.Order.Symbol.Value, out var symbolLimit))
        {
            limit = symbolLimit;
        }
        else if (defaultLimit is { } d)
        {
            limit = d;
        }
        else
        {
            return RiskDecision.Allow;
        }

        var working = context.Order.Side == OrderSide.Buy ? context.OpenBuyQuantity : -context.OpenSellQuantity;
        var projected = Math.Abs(context.Position + working + context.SignedQuantity);
        if (projected <= limit || projected < Math.Abs(context.Position))
        {
            return RiskDecision.Allow;
        }

        return RiskDecision.Deny(Id, RiskCodes.MaxPosition, limit, projected,
            RiskOptions.Invariant($"{context.Order.Symbol} position would reach {projected} (with working orders); the maximum is {limit}."));
    }
}

/// <summary>Open orders + 1 ≤ the maximum.</summary>
internal sealed class MaxOpenOrdersRule(int limit) : IPreTradeRule
{
    public string Id => RiskRuleIds.MaxOpenOrders;

    public decimal Threshold => limit;

    public RiskDecision Check(in PreTradeContext context)
        => context.OpenOrders + 1 <= limit ? RiskDecision.Allow
            : RiskDecision.Deny(Id, RiskCodes.MaxOpenOrders, limit, context.OpenOrders + 1,
                RiskOptions.Invariant($"{context.OpenOrders} orders are open; the maximum is {limit}."));
}

/// <summary>
/// The day's loss + the order's worst-case loss ≤ the daily loss limit (EC-004). The worst case is
/// quantity × reference price × <see cref="RiskOptions.WorstCaseLossFraction"/>; orders that only reduce a position
/// add no risk and are always allowed, so holdings can still be closed.
/// </summary>
internal sealed class DailyLossRule(decimal limit, decimal worstCaseFraction) : IPreTradeRule
{
    public string Id => RiskRuleIds.DailyLoss;

    public decimal Threshold => limit;

    public RiskDecision Check(in PreTradeContext context)
    {
        if (context.IsReducing)
        {
            return RiskDecision.Allow;
        }

        if (context.ReferencePrice is not { } price)
        {
            return RiskDecision.Deny(Id, RiskCodes.PriceUnknown, limit, context.Portfolio.DailyLoss, $"No price to value the {context.Order.Symbol} order's worst-case loss.");
        }

        var worstCase = price * context.Order.Quantity;
        if (worstCaseFraction != 1m)
        {
            worstCase *= worstCaseFraction;
        }

        var projected = context.Portfolio.DailyLoss + worstCase;
        return projected <= limit ? RiskDecision.Allow
            : RiskDecision.Deny(Id, RiskCodes.DailyLossLimit, limit, projected,
                RiskOptions.Invariant($"Daily loss {context.Portfolio.DailyLoss} + the order's worst-case loss would be {projected}; the limit is {limit}."));
    }
}

/// <summary>
/// At most <c>limit</c> allowed orders in any 60-second window of the engine clock. Denies the excess, never queues.
/// A ring buffer of the allowed orders' times; no allocation after construction.
/// </summary>
internal sealed class OrderRateRule : IPreTradeRule
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly DateTimeOffset[] _times;
    private int _start;
    private int _count;

    public OrderRateRule(int limit) => _times = new DateTimeOffset[limit];

    public string Id => RiskRuleIds.OrderRate;

    public decimal Threshold => _times.Length;

    public RiskDecision Check(in PreTradeContext context)
    {
        Evict(context.Now);
        return _count < _times.Length ? RiskDecision.Allow
            : RiskDecision.Deny(Id, RiskCodes.OrderRateLimit, _times.Length, _count + 1,
                RiskOptions.Invariant($"{_count} orders in the last minute; the limit is {_times.Length} per minute."));
    }

    public void OnAllowed(in PreTradeContext context) => Add(context.Now);

    /// <summary>Puts back an order an earlier process of the session let through at <paramref name="at"/> (in time order).</summary>
    public void Restore(DateTimeOffset at) => Add(at);

    private void Add(DateTimeOffset at)
    {
        Evict(at);
        if (_count == _times.Length)
        {
            // Only reachable when a later rule was skipped (or on a restore of more than the limit); keep the newest times.
            _start = (_start + 1) % _times.Length;
            _count--;
        }

        _times[(_start + _count) % _times.Length] = at;
        _count++;
    }

    private void Evict(DateTimeOffset now)
    {
        var from = now - Window;
        while (_count > 0 && _times[_start] <= from)
        {
            _start = (_start + 1) % _times.Length;
            _count--;
        }
    }
}
