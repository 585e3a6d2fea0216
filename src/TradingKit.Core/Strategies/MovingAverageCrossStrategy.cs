using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Strategies;

/// <summary>Options of <see cref="MovingAverageCrossStrategy"/>.</summary>
public sealed class MovingAverageCrossOptions
{
    /// <summary>The strategy id.</summary>
    /// <value>Defaults to <c>ma-cross</c>.</value>
    public string StrategyId { get; set; } = "ma-cross";

    /// <summary>The symbol traded.</summary>
    /// <value>Defaults to <c>SPX</c>.</value>
    public string Symbol { get; set; } = "SPX";

    /// <summary>Bars in the fast average.</summary>
    /// <value>Defaults to 10.</value>
    public int FastPeriod { get; set; } = 10;

    /// <summary>Bars in the slow average.</summary>
    /// <value>Defaults to 30.</value>
    public int SlowPeriod { get; set; } = 30;

    /// <summary>Fraction of equity to put into a new long position (0-1].</summary>
    /// <value>Defaults to 0.95.</value>
    public decimal EquityFraction { get; set; } = 0.95m;

    /// <summary>Quantity increment orders are rounded down to.</summary>
    /// <value>Defaults to 0.01.</value>
    public decimal QuantityStep { get; set; } = 0.01m;

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">Every problem found, code <c>INVALID_OPTIONS</c>.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(StrategyId))
        {
            problems.Add("StrategyId must not be empty");
        }

        if (string.IsNullOrWhiteSpace(Symbol))
        {
            problems.Add("Symbol must not be empty");
        }

        if (FastPeriod < 1 || SlowPeriod <= FastPeriod)
        {
            problems.Add($"need 1 <= FastPeriod < SlowPeriod (got {FastPeriod}, {SlowPeriod})");
        }

        if (EquityFraction is <= 0m or > 1m)
        {
            problems.Add($"EquityFraction must be in (0, 1] (got {EquityFraction})");
        }

        if (QuantityStep <= 0m)
        {
            problems.Add($"QuantityStep must be positive (got {QuantityStep})");
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "MovingAverageCross options: " + string.Join("; ", problems) + ".");
        }
    }
}

/// <summary>
/// The example strategy: long when the fast simple moving average of closes crosses above the slow one, flat when it
/// crosses back below. Every bar yields a decision with reason codes, including "no trade".
/// </summary>
public sealed class MovingAverageCrossStrategy : IStrategy
{
    /// <summary>Reason: not enough bars yet for the slow average.</summary>
    public const string Warmup = "WARMUP";

    /// <summary>Reason: the fast average crossed above the slow one.</summary>
    public const string CrossUp = "MA_CROSS_UP";

    /// <summary>Reason: the fast average crossed below the slow one.</summary>
    public const string CrossDown = "MA_CROSS_DOWN";

    /// <summary>Reason: no cross on this bar.</summary>
    public const string NoCross = "NO_CROSS";

    /// <summary>Reason: a cross up while already long.</summary>
    public const string AlreadyLong = "ALREADY_LONG";

    /// <summary>Reason: a cross down while already flat.</summary>
    public const string AlreadyFlat = "ALREADY_FLAT";

    /// <summary>Reason: an order for the symbol is still working.</summary>
    public const string OrderWorking = "ORDER_WORKING";

    /// <summary>Reason: the computed size rounds to zero.</summary>
    public const string SizeTooSmall = "SIZE_TOO_SMALL";

    private static readonly string[] WarmupReasons = [Warmup];
    private static readonly string[] NoCrossReasons = [NoCross];
    private static readonly string[] EnterReasons = [CrossUp];
    private static readonly string[] ExitReasons = [CrossDown];
    private static readonly string[] AlreadyLongReasons = [CrossUp, AlreadyLong];
    private static readonly string[] AlreadyFlatReasons = [CrossDown, AlreadyFlat];
    private static readonly string[] WorkingReasons = [OrderWorking];
    private static readonly string[] TooSmallReasons = [CrossUp, SizeTooSmall];

    private readonly MovingAverageCrossOptions _options;
    private readonly Symbol _symbol;
    private readonly decimal[] _slowWindow;
    private int _count;
    private decimal _fastSum;
    private decimal _slowSum;
    private int? _lastSign;

    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options; validated.</param>
    public MovingAverageCrossStrategy(MovingAverageCrossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _symbol = new Symbol(options.Symbol);
        Id = new StrategyId(options.StrategyId);
        _slowWindow = new decimal[options.SlowPeriod];
    }

    /// <inheritdoc />
    public StrategyId Id { get; }

    /// <inheritdoc />
    public void OnStart(IStrategyContext context)
    {
    }

    /// <inheritdoc />
    public void OnFill(Fill fill, IStrategyContext context)
    {
    }

    /// <inheritdoc />
    public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(marketData);
        ArgumentNullException.ThrowIfNull(context);
        if (marketData is not Bar bar || bar.Symbol != _symbol)
        {
            return;
        }

        Add(bar.Close);
        if (_count < _options.SlowPeriod)
        {
            context.Decide(Decision.Hold(_symbol, WarmupReasons));
            return;
        }

        var fast = _fastSum / _options.FastPeriod;
        var slow = _slowSum / _options.SlowPeriod;
        var sign = fast > slow ? 1 : fast < slow ? -1 : 0;
        var previous = _lastSign;
        if (sign != 0)
        {
            _lastSign = sign;
        }

        if (previous is null || sign == 0 || sign == previous)
        {
            context.Decide(Decision.Hold(_symbol, NoCrossReasons));
            return;
        }

        if (context.HasOpenOrders(_symbol))
        {
            context.Decide(Decision.Hold(_symbol, WorkingReasons));
            return;
        }

        var position = context.GetPosition(_symbol);
        if (sign > 0)
        {
            if (position > 0m)
            {
                context.Decide(Decision.Hold(_symbol, AlreadyLongReasons));
                return;
            }

            var quantity = Math.Floor(context.Equity * _options.EquityFraction / bar.Close / _options.QuantityStep) * _options.QuantityStep;
            if (quantity <= 0m)
            {
                context.Decide(Decision.Hold(_symbol, TooSmallReasons));
                return;
            }

            context.Decide(new Decision { Symbol = _symbol, Action = DecisionAction.Buy, Quantity = quantity, ReasonCodes = EnterReasons });
            return;
        }

        context.Decide(position > 0m
            ? new Decision { Symbol = _symbol, Action = DecisionAction.Close, ReasonCodes = ExitReasons }
            : Decision.Hold(_symbol, AlreadyFlatReasons));
    }

    private void Add(decimal close)
    {
        var slowPeriod = _options.SlowPeriod;
        var index = _count % slowPeriod;
        if (_count >= slowPeriod)
        {
            _slowSum -= _slowWindow[index];
        }

        if (_count >= _options.FastPeriod)
        {
            _fastSum -= _slowWindow[(_count - _options.FastPeriod) % slowPeriod];
        }

        _slowWindow[index] = close;
        _slowSum += close;
        _fastSum += close;
        _count++;
    }
}
