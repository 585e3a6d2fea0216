using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Strategies;

/// <summary>Options of <see cref="BreakoutScannerStrategy"/>.</summary>
public sealed class BreakoutScannerOptions
{
    /// <summary>The strategy id.</summary>
    /// <value>Defaults to <c>breakout-scanner</c>.</value>
    public string StrategyId { get; set; } = "breakout-scanner";

    /// <summary>The symbols scanned; empty scans every symbol the feed brings.</summary>
    public IList<string> Universe { get; } = [];

    /// <summary>Bars whose highest high a close must exceed to break out.</summary>
    /// <value>Defaults to 20.</value>
    public int BreakoutPeriod { get; set; } = 20;

    /// <summary>Bars in the short moving average of closes: an entry needs a close above it; a close below it is a trend break.</summary>
    /// <value>Defaults to 10.</value>
    public int TrendPeriod { get; set; } = 10;

    /// <summary>Bars the liquidity filters average volume and turnover over.</summary>
    /// <value>Defaults to 20.</value>
    public int LiquidityPeriod { get; set; } = 20;

    /// <summary>The least average volume per bar a candidate needs; 0 turns the filter off.</summary>
    /// <value>Defaults to 0.</value>
    public decimal MinAverageVolume { get; set; }

    /// <summary>The least average turnover (close × volume) per bar a candidate needs; 0 turns the filter off.</summary>
    /// <value>Defaults to 0.</value>
    public decimal MinAverageTurnover { get; set; }

    /// <summary>The money one entry may use (seed 002's capital limit): the quantity is this over the close, rounded down.</summary>
    /// <value>Defaults to 10,000.</value>
    public decimal CapitalLimit { get; set; } = 10_000m;

    /// <summary>Quantity increment entries are rounded down to.</summary>
    /// <value>Defaults to 0.01.</value>
    public decimal QuantityStep { get; set; } = 0.01m;

    /// <summary>The most symbols held (or being entered) at once; seed 002's worker holds one.</summary>
    /// <value>Defaults to 1.</value>
    public int MaxPositions { get; set; } = 1;

    /// <summary>Exit when the close is this many percent below the entry price; null turns it off.</summary>
    /// <value>Defaults to 2.</value>
    public decimal? StopLossPercent { get; set; } = 2m;

    /// <summary>Exit when the close is this many percent above the entry price; null turns it off.</summary>
    /// <value>Defaults to 4.</value>
    public decimal? TakeProfitPercent { get; set; } = 4m;

    /// <summary>Exit when the close falls below the short moving average.</summary>
    /// <value>Defaults to true.</value>
    public bool ExitOnTrendBreak { get; set; } = true;

    /// <summary>
    /// Bars a symbol is passed over after an entry that did not become a position (refused by the risk guard, by another
    /// worker's lock, or by the venue), so the scan goes on with other symbols.
    /// </summary>
    /// <value>Defaults to 5.</value>
    public int RetryAfterBars { get; set; } = 5;

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">Every problem found, code <c>INVALID_OPTIONS</c>.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(StrategyId))
        {
            problems.Add("StrategyId must not be empty");
        }

        if (Universe.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Universe must not hold an empty symbol");
        }

        if (BreakoutPeriod < 1 || TrendPeriod < 1 || LiquidityPeriod < 1)
        {
            problems.Add($"BreakoutPeriod, TrendPeriod and LiquidityPeriod must be at least 1 (got {BreakoutPeriod}, {TrendPeriod}, {LiquidityPeriod})");
        }

        if (MinAverageVolume < 0m || MinAverageTurnover < 0m)
        {
            problems.Add($"MinAverageVolume and MinAverageTurnover must not be negative (got {MinAverageVolume}, {MinAverageTurnover})");
        }

        if (CapitalLimit <= 0m)
        {
            problems.Add($"CapitalLimit must be positive (got {CapitalLimit})");
        }

        if (QuantityStep <= 0m)
        {
            problems.Add($"QuantityStep must be positive (got {QuantityStep})");
        }

        if (MaxPositions < 1)
        {
            problems.Add($"MaxPositions must be at least 1 (got {MaxPositions})");
        }

        if (StopLossPercent is <= 0m or >= 100m || TakeProfitPercent is <= 0m)
        {
            problems.Add($"StopLossPercent must be in (0, 100) and TakeProfitPercent positive when set (got {StopLossPercent}, {TakeProfitPercent})");
        }

        if (RetryAfterBars < 0)
        {
            problems.Add($"RetryAfterBars must not be negative (got {RetryAfterBars})");
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "BreakoutScanner options: " + string.Join("; ", problems) + ".");
        }
    }
}

/// <summary>
/// Seed 002's scanner (SC-002, SC-005 to SC-007) as a strategy: it scans every symbol of its universe bar by bar, passes
/// over those below the liquidity filters, and enters a long position, sized by the capital limit, in the first symbol
/// whose close breaks above the highest high of the previous <see cref="BreakoutScannerOptions.BreakoutPeriod"/> bars
/// while above its short moving average; it holds at most <see cref="BreakoutScannerOptions.MaxPositions"/> symbols.
/// While holding it watches for a stop loss, a take profit or a trend break (a close below the short average), each
/// judged on closes against the average entry price. Every bar of every symbol gets a decision with reason codes.
/// </summary>
/// <remarks>
/// In worker mode (<see cref="Engine.EngineOptions.Worker"/>) the engine takes the symbol's lock before each entry, so
/// several scanners on one venue never enter the same symbol; an entry refused there (or by the risk guard) puts the
/// symbol aside for <see cref="BreakoutScannerOptions.RetryAfterBars"/> bars and the scan goes on. Forced liquidation
/// before the close is the engine's (<c>Risk:ForcedLiquidation</c>). Market data other than bars is ignored.
/// </remarks>
public sealed class BreakoutScannerStrategy : IStrategy
{
    /// <summary>Reason: not enough bars of this symbol yet.</summary>
    public const string Warmup = "WARMUP";

    /// <summary>Reason: the average volume is below the filter.</summary>
    public const string FilterVolume = "FILTER_VOLUME";

    /// <summary>Reason: the average turnover is below the filter.</summary>
    public const string FilterTurnover = "FILTER_TURNOVER";

    /// <summary>Reason: the close broke above the breakout high.</summary>
    public const string Breakout = "BREAKOUT";

    /// <summary>Reason: the close is above the short moving average.</summary>
    public const string AboveTrend = "ABOVE_TREND";

    /// <summary>Reason: no breakout above the trend on this bar.</summary>
    public const string NoSignal = "NO_SIGNAL";

    /// <summary>Reason: the most symbols are held already.</summary>
    public const string MaxPositionsHeld = "MAX_POSITIONS";

    /// <summary>Reason: the symbol's last entry did not become a position; it is passed over for a while.</summary>
    public const string RetryLater = "RETRY_LATER";

    /// <summary>Reason: an order for the symbol is still working.</summary>
    public const string OrderWorking = "ORDER_WORKING";

    /// <summary>Reason: the capital limit buys less than one quantity step.</summary>
    public const string SizeTooSmall = "SIZE_TOO_SMALL";

    /// <summary>Reason: holding, no exit condition met (SC-006).</summary>
    public const string HoldNoExit = "HOLD_NO_EXIT";

    /// <summary>Reason: the close fell to the stop loss.</summary>
    public const string ExitStopLoss = "EXIT_STOP_LOSS";

    /// <summary>Reason: the close rose to the take profit.</summary>
    public const string ExitTakeProfit = "EXIT_TAKE_PROFIT";

    /// <summary>Reason: the close fell below the short moving average.</summary>
    public const string ExitTrendBreak = "EXIT_TREND_BREAK";

    private static readonly string[] WarmupReasons = [Warmup];
    private static readonly string[] VolumeReasons = [FilterVolume];
    private static readonly string[] TurnoverReasons = [FilterTurnover];
    private static readonly string[] EntryReasons = [Breakout, AboveTrend];
    private static readonly string[] NoSignalReasons = [NoSignal];
    private static readonly string[] MaxPositionsReasons = [Breakout, MaxPositionsHeld];
    private static readonly string[] RetryReasons = [RetryLater];
    private static readonly string[] WorkingReasons = [OrderWorking];
    private static readonly string[] TooSmallReasons = [Breakout, SizeTooSmall];
    private static readonly string[] HoldReasons = [HoldNoExit];
    private static readonly string[] StopLossReasons = [ExitStopLoss];
    private static readonly string[] TakeProfitReasons = [ExitTakeProfit];
    private static readonly string[] TrendBreakReasons = [ExitTrendBreak];

    private readonly BreakoutScannerOptions _options;
    private readonly HashSet<Symbol>? _universe;
    private readonly Dictionary<Symbol, SymbolState> _symbols = [];
    private readonly int _warmupBars;

    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options; validated.</param>
    public BreakoutScannerStrategy(BreakoutScannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Id = new StrategyId(options.StrategyId);
        _universe = options.Universe.Count == 0 ? null : [.. options.Universe.Select(s => new Symbol(s))];
        _warmupBars = Math.Max(options.BreakoutPeriod + 1, Math.Max(options.TrendPeriod, options.LiquidityPeriod));
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
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(context);
        if (!_symbols.TryGetValue(fill.Symbol, out var state))
        {
            return;
        }

        if (context.GetPosition(fill.Symbol) == 0m)
        {
            state.EntryQuantity = 0m;
            state.EntryCost = 0m;
        }
        else if (fill.Side == OrderSide.Buy)
        {
            state.EntryQuantity += fill.Quantity;
            state.EntryCost += fill.Quantity * fill.Price;
        }
    }

    /// <inheritdoc />
    public void OnMarketData(MarketDataEvent marketData, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(marketData);
        ArgumentNullException.ThrowIfNull(context);
        if (marketData is not Bar bar || (_universe is not null && !_universe.Contains(bar.Symbol)))
        {
            return;
        }

        var symbol = bar.Symbol;
        if (!_symbols.TryGetValue(symbol, out var state))
        {
            state = new SymbolState(_options);
            _symbols.Add(symbol, state);
        }

        // The breakout level is the previous bars' high: read before this bar joins the window.
        var breakoutHigh = state.HighestHigh();
        state.Add(bar);
        state.Bars++;
        var position = context.GetPosition(symbol);
        var working = context.HasOpenOrders(symbol);
        if (state.EntryPendingSince is not null && !working)
        {
            // The entry was decided on an earlier bar; no order is working now, so it filled or went nowhere.
            if (position == 0m && _options.RetryAfterBars > 0)
            {
                state.RetryAt = state.Bars + _options.RetryAfterBars;
            }

            state.EntryPendingSince = null;
        }

        if (state.Bars < _warmupBars)
        {
            context.Decide(Decision.Hold(symbol, WarmupReasons));
            return;
        }

        if (working)
        {
            context.Decide(Decision.Hold(symbol, WorkingReasons));
            return;
        }

        if (position > 0m)
        {
            context.Decide(WatchExit(symbol, state, bar.Close));
            return;
        }

        context.Decide(Scan(symbol, state, bar, breakoutHigh, context));
    }

    private Decision WatchExit(Symbol symbol, SymbolState state, decimal close)
    {
        if (state.EntryQuantity > 0m)
        {
            var entry = state.EntryCost / state.EntryQuantity;
            var change = (close - entry) / entry * 100m;
            if (_options.StopLossPercent is { } stop && change <= -stop)
            {
                return Close(symbol, StopLossReasons);
            }

            if (_options.TakeProfitPercent is { } take && change >= take)
            {
                return Close(symbol, TakeProfitReasons);
            }
        }

        return _options.ExitOnTrendBreak && close < state.TrendAverage()
            ? Close(symbol, TrendBreakReasons)
            : Decision.Hold(symbol, HoldReasons);
    }

    private Decision Scan(Symbol symbol, SymbolState state, Bar bar, decimal breakoutHigh, IStrategyContext context)
    {
        if (state.RetryAt is { } retryAt && state.Bars < retryAt)
        {
            return Decision.Hold(symbol, RetryReasons);
        }

        state.RetryAt = null;
        if (_options.MinAverageVolume > 0m && state.AverageVolume() < _options.MinAverageVolume)
        {
            return Decision.Hold(symbol, VolumeReasons);
        }

        if (_options.MinAverageTurnover > 0m && state.AverageTurnover() < _options.MinAverageTurnover)
        {
            return Decision.Hold(symbol, TurnoverReasons);
        }

        if (bar.Close <= breakoutHigh || bar.Close <= state.TrendAverage())
        {
            return Decision.Hold(symbol, NoSignalReasons);
        }

        if (Engaged(context) >= _options.MaxPositions)
        {
            return Decision.Hold(symbol, MaxPositionsReasons);
        }

        var quantity = Math.Floor(_options.CapitalLimit / bar.Close / _options.QuantityStep) * _options.QuantityStep;
        if (quantity <= 0m)
        {
            return Decision.Hold(symbol, TooSmallReasons);
        }

        state.EntryPendingSince = state.Bars;
        state.EntryQuantity = 0m;
        state.EntryCost = 0m;
        return new Decision { Symbol = symbol, Action = DecisionAction.Buy, Quantity = quantity, ReasonCodes = EntryReasons };
    }

    /// <summary>Symbols held, being entered, or with an order working.</summary>
    private int Engaged(IStrategyContext context)
    {
        var engaged = 0;
        foreach (var (symbol, state) in _symbols)
        {
            if (state.EntryPendingSince is not null || context.GetPosition(symbol) != 0m || context.HasOpenOrders(symbol))
            {
                engaged++;
            }
        }

        return engaged;
    }

    private static Decision Close(Symbol symbol, string[] reasons) => new() { Symbol = symbol, Action = DecisionAction.Close, ReasonCodes = reasons };

    /// <summary>Rolling windows and the entry of one symbol.</summary>
    private sealed class SymbolState(BreakoutScannerOptions options)
    {
        private readonly decimal[] _highs = new decimal[options.BreakoutPeriod];
        private readonly decimal[] _closes = new decimal[options.TrendPeriod];
        private readonly decimal[] _volumes = new decimal[options.LiquidityPeriod];
        private readonly decimal[] _turnovers = new decimal[options.LiquidityPeriod];
        private decimal _closeSum;
        private decimal _volumeSum;
        private decimal _turnoverSum;
        private long _added;

        public long Bars { get; set; }

        public long? EntryPendingSince { get; set; }

        public long? RetryAt { get; set; }

        public decimal EntryQuantity { get; set; }

        public decimal EntryCost { get; set; }

        public void Add(Bar bar)
        {
            _highs[_added % _highs.Length] = bar.High;
            _closeSum += bar.Close - Replace(_closes, bar.Close);
            _volumeSum += bar.Volume - Replace(_volumes, bar.Volume);
            var turnover = bar.Close * bar.Volume;
            _turnoverSum += turnover - Replace(_turnovers, turnover);
            _added++;
        }

        /// <summary>The highest high of the window (the previous bars when read before <see cref="Add"/>).</summary>
        public decimal HighestHigh()
        {
            var count = (int)Math.Min(_added, _highs.Length);
            var highest = decimal.MinValue;
            for (var i = 0; i < count; i++)
            {
                highest = Math.Max(highest, _highs[i]);
            }

            return highest;
        }

        public decimal TrendAverage() => _closeSum / Math.Min(_added, _closes.Length);

        public decimal AverageVolume() => _volumeSum / Math.Min(_added, _volumes.Length);

        public decimal AverageTurnover() => _turnoverSum / Math.Min(_added, _turnovers.Length);

        private decimal Replace(decimal[] window, decimal value)
        {
            var index = (int)(_added % window.Length);
            var old = _added >= window.Length ? window[index] : 0m;
            window[index] = value;
            return old;
        }
    }
}
