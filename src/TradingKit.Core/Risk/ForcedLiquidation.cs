using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Instruments;
using TradingKit.Orders;

namespace TradingKit.Risk;

/// <summary>One position to close, as the engine sees it when forced liquidation starts.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Quantity">The signed position.</param>
/// <param name="LastPrice">The last trade price, if known (needed for limit close orders).</param>
/// <param name="Liquidity">A liquidity measure, higher is more liquid (for example average daily volume).</param>
public readonly record struct LiquidationPosition(Symbol Symbol, decimal Quantity, decimal? LastPrice, decimal Liquidity);

/// <summary>One close order the planner asks the engine to send (reduce-only). The engine assigns the client order id.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Side">Opposite to the position.</param>
/// <param name="Quantity">The quantity still to close, rounded to the step when the instrument is known.</param>
/// <param name="Type">Market, or a marketable limit.</param>
/// <param name="LimitPrice">The limit for a marketable limit order.</param>
/// <param name="Attempt">1 for the first order of the symbol, 2.. for retries.</param>
public sealed record LiquidationOrder(Symbol Symbol, OrderSide Side, decimal Quantity, OrderType Type, decimal? LimitPrice, int Attempt)
{
    /// <summary>The order request for the OMS: reduce-only; limit orders are IOC so the unfilled rest is retried, not left working.</summary>
    /// <param name="clientOrderId">The id the OMS generated.</param>
    /// <returns>The request.</returns>
    public OrderRequest ToRequest(ClientOrderId clientOrderId) => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = Symbol,
        Side = Side,
        Type = Type,
        Quantity = Quantity,
        LimitPrice = LimitPrice,
        TimeInForce = Type == OrderType.Limit ? TimeInForce.Ioc : TimeInForce.Gtc,
        ReduceOnly = true,
    };
}

/// <summary>How one symbol's forced liquidation ended (or stands).</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="InitialPosition">The signed position when liquidation started.</param>
/// <param name="ClosedQuantity">How much was closed.</param>
/// <param name="RemainingQuantity">How much is still open (absolute).</param>
/// <param name="Attempts">Orders sent.</param>
/// <param name="Illiquid">Whether it was treated as illiquid.</param>
/// <param name="Note">Why it is not closed, when it is not.</param>
public sealed record LiquidationOutcome(Symbol Symbol, decimal InitialPosition, decimal ClosedQuantity, decimal RemainingQuantity, int Attempts, bool Illiquid, string? Note);

/// <summary><c>MandatoryLiquidation</c>: forced liquidation started (SC-008).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Cutoff">The forced-liquidation cutoff of the session.</param>
/// <param name="Positions">The positions to close, in closing order.</param>
public sealed record MandatoryLiquidation(DateTimeOffset OccurredAt, DateTimeOffset Cutoff, IReadOnlyList<LiquidationPosition> Positions);

/// <summary>Forced liquidation finished; what could not be closed goes to the daily summary (EC-003).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Outcomes">Every symbol's outcome.</param>
public sealed record MandatoryLiquidationCompleted(DateTimeOffset OccurredAt, IReadOnlyList<LiquidationOutcome> Outcomes)
{
    /// <summary>The symbols left open.</summary>
    public IReadOnlyList<LiquidationOutcome> Unclosed => [.. Outcomes.Where(o => o.RemainingQuantity > 0m)];
}

/// <summary>
/// Plans forced liquidation (SC-008, EC-003): from the session's forced-liquidation cutoff (close − Δ; earlier for
/// illiquid symbols) every position is closed with marketable reduce-only orders, least liquid first; an order that
/// fills partly or not at all is retried for the rest up to <see cref="ForcedLiquidationOptions.MaxRetries"/> times;
/// what cannot be closed is reported. A pure planner: the engine sends the orders and reports their fills.
/// </summary>
public sealed class ForcedLiquidationPlanner
{
    private readonly TradingSession _session;
    private readonly ForcedLiquidationOptions _options;
    private readonly IReadOnlyDictionary<Symbol, Instrument>? _instruments;

    /// <summary>Creates the planner.</summary>
    /// <param name="session">The session; it must have a forced-liquidation cutoff.</param>
    /// <param name="options">How to close.</param>
    /// <param name="instruments">Instruments for step and tick rounding, if known.</param>
    /// <exception cref="ArgumentException">The session has no forced-liquidation cutoff.</exception>
    public ForcedLiquidationPlanner(TradingSession session, ForcedLiquidationOptions options, IReadOnlyDictionary<Symbol, Instrument>? instruments = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        if (!session.HasForcedLiquidation)
        {
            throw new ArgumentException("The session has no forced-liquidation cutoff (Risk:Session:ForcedLiquidationBeforeClose).", nameof(session));
        }

        _session = session;
        _options = options;
        _instruments = instruments;
    }

    /// <summary>True from the earliest forced-liquidation cutoff of the day (the illiquid one) until the close.</summary>
    /// <param name="now">The engine time.</param>
    /// <returns>Whether forced liquidation should run.</returns>
    public bool IsDue(DateTimeOffset now)
        => _session.GetTimes(now) is { } t && t.IlliquidLiquidationFrom is { } from && now >= from && now < t.Close;

    /// <summary>Starts a liquidation run over the given positions (flat ones are ignored).</summary>
    /// <param name="positions">The open positions.</param>
    /// <param name="now">The engine time.</param>
    /// <returns>The run; its <see cref="LiquidationRun.Started"/> event is the <c>MandatoryLiquidation</c> record.</returns>
    public LiquidationRun Start(IEnumerable<LiquidationPosition> positions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var times = _session.GetTimes(now);
        var cutoff = times?.ForcedLiquidationFrom ?? now;
        var illiquidFrom = times?.IlliquidLiquidationFrom ?? now;
        return new LiquidationRun(this, [.. positions.Where(p => p.Quantity != 0m).OrderBy(p => p.Liquidity).ThenBy(p => p.Symbol.Value, StringComparer.Ordinal)],
            now, cutoff, illiquidFrom);
    }

    internal bool IsIlliquid(LiquidationPosition position) => _options.IlliquidBelow is { } below && position.Liquidity < below;

    internal int MaxAttempts => 1 + _options.MaxRetries;

    internal LiquidationOrder? BuildOrder(LiquidationPosition position, decimal remaining, int attempt)
    {
        var instrument = _instruments?.GetValueOrDefault(position.Symbol);
        var quantity = instrument?.RoundQuantity(remaining) ?? remaining;
        if (quantity <= 0m)
        {
            return null;
        }

        var side = position.Quantity > 0m ? OrderSide.Sell : OrderSide.Buy;
        if (_options.UseMarketOrders || position.LastPrice is not { } last)
        {
            return new LiquidationOrder(position.Symbol, side, quantity, OrderType.Market, null, attempt);
        }

        var offset = _options.MarketableLimitOffsetBps / 10_000m;
        var limit = side == OrderSide.Sell ? last * (1m - offset) : last * (1m + offset);
        if (instrument is not null)
        {
            limit = instrument.RoundPrice(limit, side == OrderSide.Sell ? MidpointRounding.ToZero : MidpointRounding.ToPositiveInfinity);
        }

        return new LiquidationOrder(position.Symbol, side, quantity, OrderType.Limit, limit, attempt);
    }
}

/// <summary>
/// One forced-liquidation run. Call <see cref="NextOrders"/> on every timer tick and send what it returns; call
/// <see cref="OnOrderCompleted"/> when a close order is done (filled, cancelled, expired or rejected) with the
/// quantity it filled. Not thread-safe: use it on the engine loop.
/// </summary>
public sealed class LiquidationRun
{
    private readonly ForcedLiquidationPlanner _planner;
    private readonly Entry[] _entries;
    private readonly DateTimeOffset _cutoff;
    private readonly DateTimeOffset _illiquidFrom;

    internal LiquidationRun(ForcedLiquidationPlanner planner, LiquidationPosition[] positions, DateTimeOffset now, DateTimeOffset cutoff, DateTimeOffset illiquidFrom)
    {
        _planner = planner;
        _cutoff = cutoff;
        _illiquidFrom = illiquidFrom;
        _entries = [.. positions.Select(p => new Entry(p, planner.IsIlliquid(p)))];
        Started = new MandatoryLiquidation(now, cutoff, positions);
    }

    /// <summary>The <c>MandatoryLiquidation</c> record of this run.</summary>
    public MandatoryLiquidation Started { get; }

    /// <summary>True when every position is closed or out of attempts and nothing is in flight.</summary>
    public bool IsComplete => _entries.All(e => !e.InFlight && (e.Remaining == 0m || e.Abandoned || e.Attempts >= _planner.MaxAttempts));

    /// <summary>The close orders to send now: for each due symbol (illiquid from the earlier cutoff) with nothing in flight, quantity left and attempts left; least liquid first.</summary>
    /// <param name="now">The engine time.</param>
    /// <returns>The orders; empty when nothing is to be sent now.</returns>
    public IReadOnlyList<LiquidationOrder> NextOrders(DateTimeOffset now)
    {
        var orders = new List<LiquidationOrder>();
        foreach (var entry in _entries)
        {
            if (entry.InFlight || entry.Abandoned || entry.Remaining == 0m || entry.Attempts >= _planner.MaxAttempts || now < (entry.Illiquid ? _illiquidFrom : _cutoff))
            {
                continue;
            }

            if (_planner.BuildOrder(entry.Position, entry.Remaining, entry.Attempts + 1) is not { } order)
            {
                entry.Abandoned = true;
                entry.Note = "the remaining quantity is below the instrument's step";
                continue;
            }

            entry.Attempts++;
            entry.InFlight = true;
            orders.Add(order);
        }

        return orders;
    }

    /// <summary>Records that a close order of <paramref name="symbol"/> is done.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="filledQuantity">The quantity the order filled (0 when rejected or nothing traded).</param>
    /// <exception cref="InvalidOperationException">No close order of that symbol is in flight.</exception>
    public void OnOrderCompleted(Symbol symbol, decimal filledQuantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(filledQuantity);
        var entry = _entries.FirstOrDefault(e => e.Position.Symbol == symbol && e.InFlight)
            ?? throw new InvalidOperationException($"No forced-liquidation order of {symbol} is in flight.");
        entry.InFlight = false;
        entry.Remaining = Math.Max(0m, entry.Remaining - filledQuantity);
        if (entry.Remaining > 0m && entry.Attempts >= _planner.MaxAttempts)
        {
            entry.Note = $"still open after {entry.Attempts} attempts (insufficient liquidity)";
        }
    }

    /// <summary>The outcome of every symbol so far.</summary>
    /// <param name="now">The engine time.</param>
    /// <returns>The completion record (<c>MandatoryLiquidationCompleted</c>).</returns>
    public MandatoryLiquidationCompleted Report(DateTimeOffset now)
        => new(now, [.. _entries.Select(e => new LiquidationOutcome(e.Position.Symbol, e.Position.Quantity, Math.Abs(e.Position.Quantity) - e.Remaining,
            e.Remaining, e.Attempts, e.Illiquid, e.Remaining > 0m ? e.Note ?? "not yet closed" : null))]);

    private sealed class Entry(LiquidationPosition position, bool illiquid)
    {
        public LiquidationPosition Position { get; } = position;

        public bool Illiquid { get; } = illiquid;

        public decimal Remaining { get; set; } = Math.Abs(position.Quantity);

        public int Attempts { get; set; }

        public bool InFlight { get; set; }

        public bool Abandoned { get; set; }

        public string? Note { get; set; }
    }
}
