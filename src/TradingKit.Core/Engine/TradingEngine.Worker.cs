using System.Globalization;
using Microsoft.Extensions.Logging;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Journal;
using TradingKit.Orders;
using TradingKit.Stores;
using TradingKit.Workers;

namespace TradingKit.Engine;

/// <content>
/// Worker mode (seed 002, <see cref="EngineOptions.Worker"/>): symbol locks shared with the other workers of a venue, taken
/// before an order that may open or add to a position and released when the symbol is flat with no open order; lock and
/// registry heartbeats on the engine's timer; the worker's IDLE → SCAN ⇄ HOLD → EXIT state in the registry.
/// </content>
public sealed partial class TradingEngine
{
    /// <summary>The stable code of an order refused because another worker holds its symbol.</summary>
    public const string WorkerLockRejectedCode = "WORKER_LOCK_REJECTED";

    /// <summary>The stable code of a lock this worker held and lost (it expired, or a reaper took it).</summary>
    public const string WorkerLockLostCode = "WORKER_LOCK_LOST";

    private readonly ISymbolLockService? _symbolLocks;
    private readonly IWorkerRegistry? _workerRegistry;
    private readonly Dictionary<Symbol, HeldSymbol> _heldSymbols = [];
    private WorkerState _workerState = WorkerState.Idle;
    private Symbol? _workerSymbol;
    private DateTimeOffset _nextWorkerHeartbeatAt;
    private bool _workerStarted;

    /// <summary>The worker's state in worker mode (<see cref="WorkerState.Idle"/> before start and when worker mode is off). Any thread may read it.</summary>
    public WorkerState WorkerState => _workerState;

    /// <summary>The symbols this worker holds the lock of, in worker mode. The loop changes it: read it between inputs (a test, a command) or after the session stopped.</summary>
    public IReadOnlyCollection<Symbol> LockedSymbols => _heldSymbols.Keys;

    private bool WorkerMode => _symbolLocks is not null;

    /// <summary>The worker id in worker mode; null when worker mode is off.</summary>
    public string? WorkerId => WorkerMode ? _options.Worker.WorkerId : null;

    private string WorkerName => _options.Worker.WorkerId!;

    /// <summary>Registers the worker (IDLE), records <c>worker_started</c>, re-takes the locks of what recovery found open, then SCAN or HOLD.</summary>
    private async ValueTask StartWorkerAsync(CancellationToken cancellationToken)
    {
        if (!WorkerMode || _workerStarted)
        {
            return;
        }

        _workerStarted = true;
        await _workerRegistry!.RegisterAsync(WorkerName, cancellationToken).ConfigureAwait(false);
        _workerState = WorkerState.Idle;
        await _recorder.AppendAsync(new WorkerStarted(WorkerName, Environment.ProcessId, Environment.MachineName), cancellationToken).ConfigureAwait(false);
        LogWorkerStarted(WorkerName, Environment.ProcessId);

        // A resumed session may hold positions or orders already: they are this worker's, so it takes their locks again.
        var open = new SortedSet<Symbol>(Comparer<Symbol>.Create((a, b) => string.CompareOrdinal(a.Value, b.Value)));
        foreach (var position in Portfolio.Positions)
        {
            if (position.Quantity != 0m)
            {
                open.Add(position.Symbol);
            }
        }

        foreach (var order in Orders.GetOpenOrders())
        {
            open.Add(order.Symbol);
        }

        foreach (var symbol in open)
        {
            if (!await TryLockAsync(symbol, cancellationToken).ConfigureAwait(false))
            {
                // Another worker took the symbol while this session was down: what it holds there is kept and only reduced.
                LostLock(symbol, _time.GetUtcNow());
            }
        }

        _nextWorkerHeartbeatAt = _time.GetUtcNow() + _options.Worker.HeartbeatInterval;
        await UpdateWorkerStateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Before an order is sent: a reduce-only order needs no lock (a worker may always get out); any other order needs this
    /// worker to hold its symbol's lock, taken now if it does not.
    /// </summary>
    /// <returns>True when the order may go on.</returns>
    private async ValueTask<bool> ClaimSymbolAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        if (!WorkerMode || request.ReduceOnly || _heldSymbols.ContainsKey(request.Symbol))
        {
            return true;
        }

        if (await TryLockAsync(request.Symbol, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        _journal.WriteRiskEvent(new RiskEventRecord
        {
            Type = "worker_lock_rejected",
            Timestamp = _time.GetUtcNow(),
            Code = WorkerLockRejectedCode,
            Rule = "symbol_lock",
            Message = $"{request.Symbol} is locked by another worker; order {request.ClientOrderId} was not sent.",
            ClientOrderId = request.ClientOrderId,
            Symbol = request.Symbol,
        });
        return false;
    }

    private async ValueTask<bool> TryLockAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        var result = await _symbolLocks!.AcquireAsync(symbol, WorkerName, _options.Worker.LockTtl, cancellationToken).ConfigureAwait(false);
        if (!result.Acquired)
        {
            await AppendLockEventAsync(symbol, new LockRejected(symbol, WorkerName, result.Holder.WorkerId), dedupKey: null, cancellationToken).ConfigureAwait(false);
            LogLockRejected(symbol, WorkerName, result.Holder.WorkerId);
            return false;
        }

        // A resumed session re-takes the lock of a position it already holds: that is not an entry.
        _heldSymbols[symbol] = new HeldSymbol(result.Holder) { Quantity = Portfolio.GetNetQuantity(symbol), EntryTradeCount = Portfolio.ClosedTrades.Count };
        await AppendLockEventAsync(symbol, new LockAcquired(symbol, WorkerName, _options.Worker.LockTtl),
            string.Create(CultureInfo.InvariantCulture, $"lock-acquired:{symbol.Value}:{WorkerName}:{result.Holder.LockedAt.UtcTicks}"), cancellationToken).ConfigureAwait(false);
        LogLockAcquired(symbol, WorkerName);
        return true;
    }

    /// <summary>After each input: a held symbol that became flat with no open order is released; positions entered and exited are recorded.</summary>
    private async ValueTask AfterWorkerInputAsync(CancellationToken cancellationToken)
    {
        if (_heldSymbols.Count == 0)
        {
            return;
        }

        List<Symbol>? flat = null;
        var changed = false;
        foreach (var (symbol, held) in _heldSymbols)
        {
            var quantity = Portfolio.GetNetQuantity(symbol);
            if (quantity != held.Quantity)
            {
                changed = true;
                await RecordPositionChangeAsync(symbol, held, quantity, cancellationToken).ConfigureAwait(false);
            }

            if (quantity == 0m && !Orders.HasOpenOrders(symbol))
            {
                (flat ??= []).Add(symbol);
            }
        }

        if (flat is not null)
        {
            foreach (var symbol in flat)
            {
                await ReleaseSymbolAsync(symbol, "flat", cancellationToken).ConfigureAwait(false);
            }
        }

        if (changed || flat is not null)
        {
            await UpdateWorkerStateAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask RecordPositionChangeAsync(Symbol symbol, HeldSymbol held, decimal quantity, CancellationToken cancellationToken)
    {
        if (held.Quantity == 0m)
        {
            held.EntryTradeCount = Portfolio.ClosedTrades.Count;
            var position = Portfolio.GetPosition(symbol);
            if (held.LastFillOrder is { } entryOrder)
            {
                await _recorder.AppendAsync(new PositionEntered(WorkerName, symbol, quantity, position.AveragePrice, entryOrder), cancellationToken).ConfigureAwait(false);
            }

            LogPositionEntered(WorkerName, symbol, quantity, position.AveragePrice);
        }
        else if (quantity == 0m)
        {
            var realized = 0m;
            var exitPrice = 0m;
            var trades = Portfolio.ClosedTrades;
            for (var i = held.EntryTradeCount; i < trades.Count; i++)
            {
                if (trades[i].Symbol == symbol)
                {
                    realized += trades[i].NetPnl;
                    exitPrice = trades[i].AverageExitPrice;
                }
            }

            var reason = held.LastFillStrategy?.Value ?? "unknown";
            await _recorder.AppendAsync(new PositionExited(WorkerName, symbol, Math.Abs(held.Quantity), exitPrice, realized, reason), cancellationToken)
                .ConfigureAwait(false);
            LogPositionExited(WorkerName, symbol, realized, reason);
        }

        held.Quantity = quantity;
    }

    /// <summary>Called for each fill: remembers which order and strategy last traded a held symbol.</summary>
    private void NoteWorkerFill(Fill fill, StrategyId? strategy)
    {
        if (_heldSymbols.TryGetValue(fill.Symbol, out var held))
        {
            held.LastFillOrder = fill.ClientOrderId;
            held.LastFillStrategy = strategy;
        }
    }

    private async ValueTask ReleaseSymbolAsync(Symbol symbol, string reason, CancellationToken cancellationToken)
    {
        var held = _heldSymbols[symbol];
        _heldSymbols.Remove(symbol);
        if (await _symbolLocks!.ReleaseAsync(symbol, WorkerName, cancellationToken).ConfigureAwait(false))
        {
            await AppendLockEventAsync(symbol, new LockReleased(symbol, WorkerName, reason),
                string.Create(CultureInfo.InvariantCulture, $"lock-released:{symbol.Value}:{WorkerName}:{held.Lock.LockedAt.UtcTicks}"), cancellationToken).ConfigureAwait(false);
            LogLockReleased(symbol, WorkerName, reason);
        }
    }

    /// <summary>On the engine's timer: renews the registry heartbeat and every held lock; a lock that cannot be renewed was lost.</summary>
    private async ValueTask WorkerHeartbeatAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!_workerStarted || now < _nextWorkerHeartbeatAt)
        {
            return;
        }

        _nextWorkerHeartbeatAt = now + _options.Worker.HeartbeatInterval;
        await _workerRegistry!.HeartbeatAsync(WorkerName, cancellationToken).ConfigureAwait(false);
        List<Symbol>? lost = null;
        foreach (var symbol in _heldSymbols.Keys.ToList())
        {
            if (await _symbolLocks!.HeartbeatAsync(symbol, WorkerName, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // Expired between two heartbeats (a clock that jumped, a stall): still this worker's if nobody took it meanwhile.
            var again = await _symbolLocks.AcquireAsync(symbol, WorkerName, _options.Worker.LockTtl, cancellationToken).ConfigureAwait(false);
            if (again.Acquired)
            {
                _heldSymbols[symbol].Lock = again.Holder;
                LogLockRenewedAfterExpiry(symbol, WorkerName);
            }
            else
            {
                (lost ??= []).Add(symbol);
            }
        }

        if (lost is null)
        {
            return;
        }

        foreach (var symbol in lost)
        {
            _heldSymbols.Remove(symbol);
            LostLock(symbol, now);
        }

        await UpdateWorkerStateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A symbol this worker trades (or traded before a restart) whose lock another worker holds now. Another worker may
    /// trade the symbol; this one keeps what it has (it may always reduce it) but sends nothing that could add to it until
    /// it holds the lock again.
    /// </summary>
    private void LostLock(Symbol symbol, DateTimeOffset now)
    {
        var position = Portfolio.GetNetQuantity(symbol);
        _journal.WriteRiskEvent(new RiskEventRecord
        {
            Type = "worker_lock_lost",
            Timestamp = now,
            Code = WorkerLockLostCode,
            Rule = "symbol_lock",
            Message = $"The lock on {symbol} expired or was taken over; position {position} is kept and only reduced until the lock is taken again.",
            Symbol = symbol,
            Details = new Dictionary<string, decimal> { ["position"] = position },
        });
        LogLockLost(symbol, WorkerName);
    }

    /// <summary>When the session stops: the locks of flat symbols are released, the worker is set to EXIT. Locks of open positions stay until their TTL.</summary>
    private async ValueTask StopWorkerAsync(CancellationToken cancellationToken)
    {
        if (!_workerStarted || _workerState == WorkerState.Exit)
        {
            return;
        }

        foreach (var symbol in _heldSymbols.Keys.ToList())
        {
            if (Portfolio.GetNetQuantity(symbol) == 0m && !Orders.HasOpenOrders(symbol))
            {
                await ReleaseSymbolAsync(symbol, "worker_stopped", cancellationToken).ConfigureAwait(false);
            }
        }

        _workerState = WorkerState.Exit;
        await _workerRegistry!.SetStateAsync(WorkerName, IWorkerRegistry.ExitState, null, cancellationToken).ConfigureAwait(false);
        LogWorkerStopped(WorkerName, _heldSymbols.Count);
    }

    /// <summary>
    /// HOLD while the worker has a position (the first symbol, by name, of those it holds the lock of, else of any), SCAN
    /// otherwise. A worker that starts with a position (a resumed session) passes through SCAN, as the state machine has it.
    /// </summary>
    private async ValueTask UpdateWorkerStateAsync(CancellationToken cancellationToken)
    {
        if (_workerState == WorkerState.Exit)
        {
            return;
        }

        Symbol? current = null;
        var currentLocked = false;
        foreach (var position in Portfolio.Positions)
        {
            if (position.Quantity == 0m)
            {
                continue;
            }

            var locked = _heldSymbols.ContainsKey(position.Symbol);
            if (current is null || (locked && !currentLocked) || (locked == currentLocked && string.CompareOrdinal(position.Symbol.Value, current.Value.Value) < 0))
            {
                current = position.Symbol;
                currentLocked = locked;
            }
        }

        var next = current is null ? WorkerState.Scan : WorkerState.Hold;
        if (next == _workerState && current == _workerSymbol)
        {
            return;
        }

        if (_workerState == WorkerState.Idle && next == WorkerState.Hold)
        {
            await MoveWorkerAsync(WorkerState.Scan, null, cancellationToken).ConfigureAwait(false);
        }

        await MoveWorkerAsync(next, current, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask MoveWorkerAsync(WorkerState next, Symbol? symbol, CancellationToken cancellationToken)
    {
        if (next != _workerState)
        {
            WorkerStateMachine.Transition(_workerState, next);
        }

        LogWorkerState(WorkerName, _workerState, next, symbol);
        _workerState = next;
        _workerSymbol = symbol;
        await _workerRegistry!.SetStateAsync(WorkerName, StateName(next), symbol, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AppendLockEventAsync(Symbol symbol, ITradingEvent payload, string? dedupKey, CancellationToken cancellationToken)
    {
        var data = new EventData(Guid.NewGuid(), payload, _time.GetUtcNow(), EventIds.NewCorrelation(), null, dedupKey);
        await _eventStore.AppendAsync(SymbolLockReaper.StreamOf(symbol), ExpectedVersion.Any, [data], cancellationToken).ConfigureAwait(false);
    }

    private static string StateName(WorkerState state) => state switch
    {
        WorkerState.Idle => IWorkerRegistry.IdleState,
        WorkerState.Scan => "SCAN",
        WorkerState.Hold => "HOLD",
        _ => IWorkerRegistry.ExitState,
    };

    private void CheckWorkerServices()
    {
        if (_options.Worker.Enabled && (_symbolLocks is null || _workerRegistry is null))
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions,
                "Worker:WorkerName is set but the engine was given no symbol lock service and worker registry (UseInMemoryStores() or UsePostgres(...)).");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started (pid {ProcessId})")]
    private partial void LogWorkerStarted(string workerId, int processId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped; {Held} lock(s) of open positions left to expire")]
    private partial void LogWorkerStopped(string workerId, int held);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId}: {From} -> {To} (symbol {Symbol})")]
    private partial void LogWorkerState(string workerId, WorkerState from, WorkerState to, Symbol? symbol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} locked {Symbol}")]
    private partial void LogLockAcquired(Symbol symbol, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} was refused {Symbol}: held by {HeldBy}")]
    private partial void LogLockRejected(Symbol symbol, string workerId, string heldBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} released {Symbol} ({Reason})")]
    private partial void LogLockReleased(Symbol symbol, string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} lost the lock on {Symbol}; it only reduces the position until it holds the lock again")]
    private partial void LogLockLost(Symbol symbol, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: the lock on {Symbol} had expired and was taken again")]
    private partial void LogLockRenewedAfterExpiry(Symbol symbol, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} entered {Symbol}: {Quantity} at {Price}")]
    private partial void LogPositionEntered(string workerId, Symbol symbol, decimal quantity, decimal price);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} exited {Symbol}: pnl {Pnl} ({Reason})")]
    private partial void LogPositionExited(string workerId, Symbol symbol, decimal pnl, string reason);

    /// <summary>A symbol whose lock this worker holds.</summary>
    private sealed class HeldSymbol(SymbolLock held)
    {
        public SymbolLock Lock { get; set; } = held;

        public decimal Quantity { get; set; }

        public int EntryTradeCount { get; set; }

        public ClientOrderId? LastFillOrder { get; set; }

        public StrategyId? LastFillStrategy { get; set; }
    }
}
