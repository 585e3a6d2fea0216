using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Engine;

/// <content>
/// Forced liquidation (SC-008, EC-003): when the risk guard's trading session has a cutoff (close − Δ), the engine closes
/// every position with marketable reduce-only orders, illiquid symbols first and earlier, retrying partial fills, and
/// reports what could not be closed in the summary. New entries are refused by the guard's session rule meanwhile.
/// </content>
public sealed partial class TradingEngine
{
    /// <summary>The strategy id under which forced-liquidation orders are recorded.</summary>
    public static readonly StrategyId LiquidationStrategy = new("forced-liquidation");

    private ForcedLiquidationPlanner? _liquidationPlanner;
    private LiquidationRun? _liquidationRun;
    private DateOnly? _liquidatedDay;
    private readonly Dictionary<ClientOrderId, Symbol> _liquidationOrders = [];
    private Dictionary<string, decimal> _unclosed = [];

    /// <summary>The last forced liquidation's positions that could not be closed, by symbol (empty when none).</summary>
    public IReadOnlyDictionary<string, decimal> UnclosedPositions => _unclosed;

    private ForcedLiquidationPlanner? LiquidationPlanner
    {
        get
        {
            if (_liquidationPlanner is null && _risk is RiskGuard { Session: { HasForcedLiquidation: true } session } guard)
            {
                _liquidationPlanner = new ForcedLiquidationPlanner(session, guard.Options.ForcedLiquidation, _instruments);
                Orders.AddObserver(new LiquidationObserver(this));
            }

            return _liquidationPlanner;
        }
    }

    /// <summary>Starts a due liquidation and sends its next orders; called on every input once the engine runs.</summary>
    // Called after every input: without a planner it completes without an asynchronous state machine.
    private ValueTask DriveLiquidationAsync(CancellationToken cancellationToken)
        => LiquidationPlanner is null ? ValueTask.CompletedTask : DriveLiquidationCoreAsync(cancellationToken);

    private async ValueTask DriveLiquidationCoreAsync(CancellationToken cancellationToken)
    {
        if (LiquidationPlanner is not { } planner || State is not (EngineState.Running or EngineState.Paused or EngineState.Safe))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (_liquidationRun is null)
        {
            if (_liquidatedDay == today || !planner.IsDue(now))
            {
                return;
            }

            _liquidatedDay = today;
            var positions = Portfolio.Positions.Where(p => p.Quantity != 0m)
                .Select(p => new LiquidationPosition(p.Symbol, p.Quantity, _lastPrices.TryGetValue(p.Symbol, out var last) ? last : null, LiquidityOf(p.Symbol)))
                .ToList();
            if (positions.Count == 0)
            {
                return;
            }

            _liquidationRun = planner.Start(positions, now);
            _journal.WriteRiskEvent(new RiskEventRecord
            {
                Type = "mandatory_liquidation",
                Timestamp = now,
                Code = "MANDATORY_LIQUIDATION",
                Message = $"closing {positions.Count} position(s) before the session close",
                Details = positions.ToDictionary(p => p.Symbol.Value, p => p.Quantity),
            });
            await _recorder.AppendAsync(new MandatoryLiquidationTriggered(_liquidationRun.Started.Cutoff, [.. positions.Select(p => p.Symbol)]), cancellationToken).ConfigureAwait(false);
        }

        var run = _liquidationRun;
        foreach (var order in run.NextOrders(now))
        {
            var id = ClientOrderIdGenerator.Create(SessionId, LiquidationStrategy, order.Symbol, order.Side, now, "liquidation:" + order.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _liquidationOrders[id] = order.Symbol;
            var request = order.ToRequest(id) with { ReduceOnly = true };
            var price = _lastPrices.TryGetValue(order.Symbol, out var p) ? p : (decimal?)null;
            var outcome = await Orders.SubmitAsync(request, new OrderContext(LiquidationStrategy, CorrelationId.New(), price, now), cancellationToken).ConfigureAwait(false);
            if (outcome.Status is SubmitStatus.Denied or SubmitStatus.Rejected or SubmitStatus.Failed && _liquidationOrders.Remove(id))
            {
                run.OnOrderCompleted(order.Symbol, 0m);
            }

            await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        }

        if (run.IsComplete)
        {
            var report = run.Report(now);
            _unclosed = report.Unclosed.ToDictionary(o => o.Symbol.Value, o => o.RemainingQuantity);
            _liquidationRun = null;
            if (_unclosed.Count > 0)
            {
                _journal.WriteRiskEvent(new RiskEventRecord
                {
                    Type = "mandatory_liquidation_incomplete",
                    Timestamp = now,
                    Code = "MANDATORY_LIQUIDATION_INCOMPLETE",
                    Message = $"{_unclosed.Count} position(s) could not be closed",
                    Details = new Dictionary<string, decimal>(_unclosed),
                });
                if (_notifier is not null)
                {
                    await _notifier.NotifyAsync(new Notifications.Alert(Notifications.AlertEvents.LiquidationIncomplete, Notifications.AlertSeverity.Critical,
                        $"Forced liquidation left {_unclosed.Count} position(s) open", now), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    // Bars carry volume; a symbol seen without volume counts as illiquid (0).
    private decimal LiquidityOf(Symbol symbol) => _lastVolumes.TryGetValue(symbol, out var volume) ? volume : 0m;

    private readonly Dictionary<Symbol, decimal> _lastVolumes = [];

    /// <summary>Tells the liquidation run when one of its orders has finished.</summary>
    private sealed class LiquidationObserver(TradingEngine engine) : IOrderObserver
    {
        public void OnOrderChanged(OrderChange change)
        {
            var order = change.Order;
            if (engine._liquidationRun is { } run && OrderStateMachine.IsTerminal(order.Status)
                && engine._liquidationOrders.Remove(order.ClientOrderId, out var symbol))
            {
                run.OnOrderCompleted(symbol, order.FilledQuantity);
            }
        }
    }
}
