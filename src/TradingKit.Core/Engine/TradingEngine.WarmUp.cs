using Microsoft.Extensions.Logging;
using TradingKit.MarketData;
using TradingKit.Strategies;

namespace TradingKit.Engine;

/// <content>
/// Strategy warm-up: a resumed session (after a crash or a restart) gets its strategies' state back by showing them the
/// market data they saw before, with every decision they make about it dropped.
/// </content>
public sealed partial class TradingEngine
{
    private bool _warmingUp;
    private bool _redelivering;

    /// <summary>True while <see cref="WarmUp"/> runs: decisions are dropped, nothing is journaled or sent.</summary>
    public bool IsWarmingUp => _warmingUp;

    /// <summary>
    /// Shows the strategies market data the session already processed before a restart, so their internal state (moving
    /// averages, signals) is what it was. Decisions made about these items are dropped (the log already holds what was
    /// done about them), nothing reaches the venue, the journal or the event log, and the clock is not moved. The last
    /// price of each symbol is updated and the portfolio is marked at each symbol's last price.
    /// Call it after <see cref="StartAsync"/> and before feeding new inputs, on the thread that drives the engine.
    /// </summary>
    /// <param name="history">The earlier market data, oldest first.</param>
    /// <returns>How many items were shown to the strategies.</returns>
    /// <exception cref="InvalidOperationException">The engine has not started.</exception>
    public int WarmUp(IEnumerable<MarketDataEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (!_started)
        {
            throw new InvalidOperationException("Start the engine (its recovery restores the portfolio) before warming strategies up.");
        }

        var count = 0;
        var lastBySymbol = new Dictionary<Domain.Symbol, MarketDataEvent>();
        _warmingUp = true;
        try
        {
            foreach (var item in history)
            {
                ArgumentNullException.ThrowIfNull(item);
                _lastPrices[item.Symbol] = item.LastPrice;
                _currentPrice = item.LastPrice;
                _sessionCurve?.Mark(item);
                foreach (var strategy in _strategies)
                {
                    _currentStrategy = strategy;
                    strategy.OnMarketData(item, _context);
                }

                lastBySymbol[item.Symbol] = item;
                count++;
            }
        }
        finally
        {
            _warmingUp = false;
            _currentStrategy = null;
            _currentPrice = null;
            _pendingDecisions.Clear();
        }

        foreach (var last in lastBySymbol.Values)
        {
            _lastPriceTimes[last.Symbol] = last.Timestamp;
            _risk.RecordMarketData(last.Symbol, last.Timestamp);
            if (last is Bar bar)
            {
                _lastVolumes[last.Symbol] = bar.Volume;
            }

            Portfolio.Mark(last.Symbol, last.LastPrice, last.Timestamp);
        }

        RestoreSessionDrawdown();
        return count;
    }

    /// <summary>
    /// Gives the portfolio back the session's peak equity and maximum drawdown, which the risk guard's drawdown limit and
    /// the summary read: recovery rebuilt them from fill prices only, as the log holds no marks. The changes of cash and
    /// positions the log holds since the session began are replayed among the marks of the market data just shown.
    /// </summary>
    private void RestoreSessionDrawdown()
    {
        if (_sessionCurve is not { } curve)
        {
            return;
        }

        _sessionCurve = null;
        if (curve.Finish(Portfolio, out var why) is { } drawdown)
        {
            Portfolio.RestoreSessionDrawdown(drawdown);
            return;
        }

        LogDrawdownNotRestored(SessionId, why!);
    }

    /// <summary>
    /// Resumes a session after a crash, given the market data the venue had already played: the strategies are warmed up
    /// on every item but the last (<see cref="WarmUp"/>), and the last one is delivered again as a live input, except to a
    /// simulated venue, which has already seen it. Deciding about it again is safe: client order ids are derived from the
    /// decision, so an order the crashed process already recorded is found (<c>Duplicate</c>, no venue call), and a decision
    /// the crash caught before it was recorded is acted on now, as the uninterrupted session did.
    /// Call it after <see cref="StartAsync"/>, with the engine clock at the last item's time, before new inputs.
    /// </summary>
    /// <param name="played">The market data the venue has played, oldest first.</param>
    /// <param name="cancellationToken">Cancels processing.</param>
    /// <returns>How many items were shown to the strategies.</returns>
    public async ValueTask<int> ResumeAfterAsync(IReadOnlyList<MarketDataEvent> played, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(played);
        if (played.Count == 0)
        {
            return 0;
        }

        var count = WarmUp(played.Take(played.Count - 1));
        _redelivering = true;
        try
        {
            await ProcessCoreAsync(EngineInput.ForMarketData(played[^1]), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _redelivering = false;
        }

        return count + 1;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} resumed without its drawdown before the restart ({Reason}): peak equity and maximum drawdown count from fill prices only")]
    private partial void LogDrawdownNotRestored(Domain.SessionId sessionId, string reason);
}
