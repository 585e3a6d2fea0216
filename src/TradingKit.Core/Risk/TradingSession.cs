using TradingKit.Errors;

namespace TradingKit.Risk;

/// <summary>Where an instant falls in the trading session.</summary>
public enum SessionPhase
{
    /// <summary>Outside the session (before the open, after the close, or not a trading day).</summary>
    Closed = 0,

    /// <summary>Inside the session, before any cutoff.</summary>
    Open = 1,

    /// <summary>From the no-new-entry cutoff (close − Δ): only orders that reduce a position.</summary>
    NoNewEntries = 2,

    /// <summary>From the forced-liquidation cutoff: no new entries and every position is being closed (SC-008).</summary>
    ForcedLiquidation = 3,
}

/// <summary>One trading day's session instants, in UTC offsets.</summary>
/// <param name="LocalDate">The session's local date.</param>
/// <param name="Open">The open.</param>
/// <param name="Close">The close.</param>
/// <param name="NoNewEntriesFrom">The no-new-entry cutoff.</param>
/// <param name="ForcedLiquidationFrom">The forced-liquidation cutoff, or null when disabled.</param>
/// <param name="IlliquidLiquidationFrom">The earlier forced-liquidation cutoff for illiquid symbols, or null when disabled.</param>
public readonly record struct SessionTimes(
    DateOnly LocalDate,
    DateTimeOffset Open,
    DateTimeOffset Close,
    DateTimeOffset NoNewEntriesFrom,
    DateTimeOffset? ForcedLiquidationFrom,
    DateTimeOffset? IlliquidLiquidationFrom);

/// <summary>
/// A daily trading session in its own time zone (for example 09:00-15:30 <c>Asia/Seoul</c>, Monday to Friday) with
/// its cutoffs. Daylight-saving changes are applied per day. Lookups for the same local day reuse a cached result,
/// so <see cref="GetPhase"/> does not allocate on the hot path.
/// </summary>
public sealed class TradingSession
{
    private readonly TimeSpan _open;
    private readonly TimeSpan _close;
    private readonly bool[] _days = new bool[7];
    private readonly TimeSpan _noNewEntriesBeforeClose;
    private readonly TimeSpan? _forcedLiquidationBeforeClose;
    private readonly TimeSpan _illiquidLeadTime;
    private DayCache? _cache;

    /// <summary>Creates a session.</summary>
    /// <param name="timeZone">The session's time zone.</param>
    /// <param name="open">The local opening time.</param>
    /// <param name="close">The local closing time, after <paramref name="open"/> on the same day (24:00 at most).</param>
    /// <param name="tradingDays">The trading days; null for Monday to Friday.</param>
    /// <param name="noNewEntriesBeforeClose">Δ of the no-new-entry cutoff; null for none.</param>
    /// <param name="forcedLiquidationBeforeClose">Δ of the forced-liquidation cutoff; null disables it.</param>
    /// <param name="illiquidLeadTime">How much earlier illiquid symbols are closed.</param>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c> when the times are inconsistent.</exception>
    public TradingSession(TimeZoneInfo timeZone, TimeSpan open, TimeSpan close, IEnumerable<DayOfWeek>? tradingDays = null,
        TimeSpan? noNewEntriesBeforeClose = null, TimeSpan? forcedLiquidationBeforeClose = null, TimeSpan? illiquidLeadTime = null)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        if (open < TimeSpan.Zero || close > TimeSpan.FromDays(1) || open >= close)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, RiskOptions.Invariant($"A session needs 00:00 <= open < close <= 24:00, got {open} - {close}."));
        }

        TimeZone = timeZone;
        _open = open;
        _close = close;
        foreach (var day in tradingDays ?? [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday])
        {
            _days[(int)day] = true;
        }

        _noNewEntriesBeforeClose = noNewEntriesBeforeClose ?? TimeSpan.Zero;
        _forcedLiquidationBeforeClose = forcedLiquidationBeforeClose;
        _illiquidLeadTime = illiquidLeadTime ?? TimeSpan.Zero;
    }

    /// <summary>The session's time zone.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>True when forced liquidation is configured.</summary>
    public bool HasForcedLiquidation => _forcedLiquidationBeforeClose is not null;

    /// <summary>Builds the session from options, or returns null when no time zone is configured.</summary>
    /// <param name="options">The session options (validated).</param>
    /// <returns>The session, or null.</returns>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c> when the time zone is unknown or the times are missing.</exception>
    public static TradingSession? FromOptions(TradingSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            return null;
        }

        var errors = new List<string>();
        options.Validate(errors);
        if (errors.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, string.Join(" ", errors));
        }

        return new TradingSession(TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone!), options.Open!.Value, options.Close!.Value,
            options.TradingDays, options.NoNewEntriesBeforeClose, options.ForcedLiquidationBeforeClose, options.IlliquidLeadTime);
    }

    /// <summary>Where <paramref name="now"/> falls in the session.</summary>
    /// <param name="now">The instant.</param>
    /// <returns>The phase.</returns>
    public SessionPhase GetPhase(DateTimeOffset now)
    {
        // Reads the cached day directly: this runs on every pre-trade check.
        var day = Day(now);
        if (!day.IsTradingDay || now < day.Open || now >= day.Close)
        {
            return SessionPhase.Closed;
        }

        if (now >= day.LiquidationFrom)
        {
            return SessionPhase.ForcedLiquidation;
        }

        return now >= day.NoNewEntriesFrom ? SessionPhase.NoNewEntries : SessionPhase.Open;
    }

    /// <summary>The session instants of the local day that contains <paramref name="now"/>.</summary>
    /// <param name="now">The instant.</param>
    /// <returns>The day's times, or null when that day is not a trading day.</returns>
    public SessionTimes? GetTimes(DateTimeOffset now)
    {
        var day = Day(now);
        return day.IsTradingDay
            ? new SessionTimes(day.LocalDate, day.Open, day.Close, day.NoNewEntriesFrom,
                HasForcedLiquidation ? day.LiquidationFrom : null, HasForcedLiquidation ? day.IlliquidLiquidationFrom : null)
            : null;
    }

    private DayCache Day(DateTimeOffset now)
    {
        var cache = _cache;
        if (cache is null || now < cache.StartUtc || now >= cache.EndUtc)
        {
            cache = BuildDay(now);
            _cache = cache;
        }

        return cache;
    }

    private DayCache BuildDay(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, TimeZone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var midnight = date.ToDateTime(TimeOnly.MinValue);
        var cache = new DayCache { LocalDate = date, StartUtc = ToUtc(midnight), EndUtc = ToUtc(midnight.AddDays(1)), IsTradingDay = _days[(int)date.DayOfWeek] };
        if (cache.IsTradingDay)
        {
            var close = ToUtc(midnight + _close);
            cache.Open = ToUtc(midnight + _open);
            cache.Close = close;
            cache.NoNewEntriesFrom = close - _noNewEntriesBeforeClose;
            cache.LiquidationFrom = _forcedLiquidationBeforeClose is { } liquidation ? close - liquidation : DateTimeOffset.MaxValue;
            cache.IlliquidLiquidationFrom = _forcedLiquidationBeforeClose is { } early ? close - (early + _illiquidLeadTime) : DateTimeOffset.MaxValue;
        }

        return cache;
    }

    private DateTimeOffset ToUtc(DateTime local)
    {
        // A local time inside a daylight-saving gap does not exist; the first instant after the gap is meant.
        while (TimeZone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, TimeZone), TimeSpan.Zero);
    }

    private sealed class DayCache
    {
        public DateOnly LocalDate { get; init; }

        public DateTimeOffset StartUtc { get; init; }

        public DateTimeOffset EndUtc { get; init; }

        public bool IsTradingDay { get; init; }

        public DateTimeOffset Open { get; set; }

        public DateTimeOffset Close { get; set; }

        public DateTimeOffset NoNewEntriesFrom { get; set; }

        public DateTimeOffset LiquidationFrom { get; set; }

        public DateTimeOffset IlliquidLiquidationFrom { get; set; }
    }
}
