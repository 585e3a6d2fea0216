using System.Net.Http.Headers;
using System.Globalization;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Events;

namespace TradingKit.Binance.Rest;

/// <summary>How close the adapter is to Binance's request-weight limit.</summary>
public enum BinanceWeightLevel
{
    /// <summary>Below the warn threshold.</summary>
    Normal = 0,

    /// <summary>At or above the warn threshold: logged.</summary>
    Warn = 1,

    /// <summary>At or above the slow threshold: every request is delayed.</summary>
    Slow = 2,

    /// <summary>At or above the stop threshold: nothing is sent until the minute window rolls over.</summary>
    Stop = 3,
}

/// <summary>
/// Tracks what Binance reports about its limits (<c>X-MBX-USED-WEIGHT-1M</c>, <c>X-MBX-ORDER-COUNT-10S</c>,
/// <c>X-MBX-ORDER-COUNT-1M</c>, 429 <c>Retry-After</c>, 418 bans) and decides, before each request, whether it
/// may go now, must wait, or must not go at all. Counters belong to the venue's window in which they were
/// observed (minute or ten seconds of server time), so they lapse by themselves when the window rolls.
/// </summary>
public sealed class BinanceRateLimitTracker
{
    private const long MinuteMs = 60_000;
    private const long TenSecondsMs = 10_000;

    private readonly BinanceUsdmOptions _options;
    private readonly Lock _gate = new();
    private int _usedWeight;
    private long _weightWindow = -1;
    private int _orders10s;
    private long _orders10sWindow = -1;
    private int _orders1m;
    private long _orders1mWindow = -1;
    private DateTimeOffset _bannedUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _backoffUntil = DateTimeOffset.MinValue;
    private BinanceWeightLevel _lastAlertedLevel;

    internal BinanceRateLimitTracker(BinanceUsdmOptions options) => _options = options;

    /// <summary>Raised when weight crosses the warn threshold (warning) or the IP is banned (critical).</summary>
    public event Action<BinanceAlert>? AlertRaised;

    /// <summary>The last used weight reported for the current minute window (0 once the window rolled).</summary>
    public int UsedWeight1m => Current(_usedWeight, _weightWindow, MinuteMs);

    /// <summary>The last reported order count of the current 10-second window.</summary>
    public int OrderCount10s => Current(_orders10s, _orders10sWindow, TenSecondsMs);

    /// <summary>The last reported order count of the current minute window.</summary>
    public int OrderCount1m => Current(_orders1m, _orders1mWindow, MinuteMs);

    /// <summary>When the current IP ban ends, or null when not banned.</summary>
    public DateTimeOffset? BannedUntil
    {
        get
        {
            lock (_gate)
            {
                return _bannedUntil > _lastNow ? _bannedUntil : null;
            }
        }
    }

    /// <summary>The weight level as last evaluated.</summary>
    public BinanceWeightLevel Level => LevelOf(UsedWeight1m);

    private DateTimeOffset _lastNow;

    internal void Observe(HttpResponseHeaders headers, DateTimeOffset serverNow)
    {
        lock (_gate)
        {
            _lastNow = serverNow;
            var ms = serverNow.ToUnixTimeMilliseconds();
            if (TryHeader(headers, "X-MBX-USED-WEIGHT-1M", out var weight))
            {
                _usedWeight = weight;
                _weightWindow = ms / MinuteMs;
            }

            if (TryHeader(headers, "X-MBX-ORDER-COUNT-10S", out var o10))
            {
                _orders10s = o10;
                _orders10sWindow = ms / TenSecondsMs;
            }

            if (TryHeader(headers, "X-MBX-ORDER-COUNT-1M", out var o1m))
            {
                _orders1m = o1m;
                _orders1mWindow = ms / MinuteMs;
            }
        }

        var level = LevelOf(UsedWeight1m);
        BinanceAlert? alert = null;
        lock (_gate)
        {
            if (level >= BinanceWeightLevel.Warn && _lastAlertedLevel < BinanceWeightLevel.Warn)
            {
                alert = new BinanceAlert(serverNow, BinanceAlertSeverity.Warning, BinanceErrorCodes.WeightWarning,
                    string.Create(CultureInfo.InvariantCulture, $"Used request weight {_usedWeight} reached the warn threshold {_options.WeightWarnThreshold}."));
            }

            _lastAlertedLevel = level;
        }

        if (alert is not null)
        {
            AlertRaised?.Invoke(alert);
        }
    }

    internal void OnTooManyRequests(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _backoffUntil)
            {
                _backoffUntil = until;
            }
        }
    }

    internal BinanceAlert OnBanned(DateTimeOffset now, DateTimeOffset until)
    {
        lock (_gate)
        {
            _lastNow = now;
            if (until > _bannedUntil)
            {
                _bannedUntil = until;
            }
        }

        var alert = new BinanceAlert(now, BinanceAlertSeverity.Critical, BinanceErrorCodes.IpBanned,
            string.Create(CultureInfo.InvariantCulture, $"Binance banned this IP (HTTP 418) until {until:O}; every request is stopped until then."), until);
        AlertRaised?.Invoke(alert);
        return alert;
    }

    /// <summary>Decides whether a request may be sent now.</summary>
    internal GateDecision Evaluate(bool isOrder, DateTimeOffset now, bool alreadySlowed = false)
    {
        lock (_gate)
        {
            _lastNow = now;
            if (now < _bannedUntil)
            {
                return GateDecision.Refuse(BinanceErrorCodes.IpBanned, _bannedUntil - now, $"IP banned until {_bannedUntil:O}");
            }

            var ms = now.ToUnixTimeMilliseconds();
            var weight = _weightWindow == ms / MinuteMs ? _usedWeight : 0;
            if (weight >= _options.WeightStopThreshold)
            {
                var rollsAt = DateTimeOffset.FromUnixTimeMilliseconds(((ms / MinuteMs) + 1) * MinuteMs);
                return GateDecision.Refuse(BinanceErrorCodes.WeightLimit, rollsAt - now,
                    string.Create(CultureInfo.InvariantCulture, $"used weight {weight} is at or above the stop threshold {_options.WeightStopThreshold}"));
            }

            if (isOrder)
            {
                var o10 = _orders10sWindow == ms / TenSecondsMs ? _orders10s : 0;
                if (o10 >= _options.OrderCount10sStop)
                {
                    var rollsAt = DateTimeOffset.FromUnixTimeMilliseconds(((ms / TenSecondsMs) + 1) * TenSecondsMs);
                    return GateDecision.Refuse(BinanceErrorCodes.OrderRateLimit, rollsAt - now, $"order count {o10} in 10 s is at the stop threshold");
                }

                var o1m = _orders1mWindow == ms / MinuteMs ? _orders1m : 0;
                if (o1m >= _options.OrderCount1mStop)
                {
                    var rollsAt = DateTimeOffset.FromUnixTimeMilliseconds(((ms / MinuteMs) + 1) * MinuteMs);
                    return GateDecision.Refuse(BinanceErrorCodes.OrderRateLimit, rollsAt - now, $"order count {o1m} in 1 min is at the stop threshold");
                }
            }

            var wait = _backoffUntil > now ? _backoffUntil - now : TimeSpan.Zero;
            if (!alreadySlowed && weight >= _options.WeightSlowThreshold && _options.SlowDownDelay > wait)
            {
                wait = _options.SlowDownDelay;
            }

            return wait > TimeSpan.Zero ? GateDecision.Wait(wait) : GateDecision.Go;
        }
    }

    private BinanceWeightLevel LevelOf(int weight)
        => weight >= _options.WeightStopThreshold ? BinanceWeightLevel.Stop
            : weight >= _options.WeightSlowThreshold ? BinanceWeightLevel.Slow
            : weight >= _options.WeightWarnThreshold ? BinanceWeightLevel.Warn
            : BinanceWeightLevel.Normal;

    private int Current(int value, long window, long windowMs)
    {
        lock (_gate)
        {
            return window == _lastNow.ToUnixTimeMilliseconds() / windowMs ? value : 0;
        }
    }

    private static bool TryHeader(HttpResponseHeaders headers, string name, out int value)
    {
        value = 0;
        return headers.TryGetValues(name, out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>What the tracker says about the next request.</summary>
internal readonly record struct GateDecision(TimeSpan Delay, string? RefuseCode, string? Reason)
{
    public static GateDecision Go => default;

    public bool Refused => RefuseCode is not null;

    public static GateDecision Wait(TimeSpan delay) => new(delay, null, null);

    public static GateDecision Refuse(string code, TimeSpan retryAfter, string reason) => new(retryAfter, code, reason);
}
