using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Notifications;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Portfolio;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Telemetry;
using TradingKit.Time;

namespace TradingKit.Engine;

/// <summary>
/// One account's engine: a single-threaded loop fed by a channel. Market data, venue reports, commands and timers are
/// serialised into one ordered input and processed stage by stage (PIPE-260): L00 preflight → L10 market data → L20
/// decision → L30 intent → pre-trade risk → L40 OMS submit → L50 venue reports → L60 portfolio → L70 post-trade risk →
/// L80 summary. Time comes only from the injected <see cref="TimeProvider"/>; given the same inputs it produces the same
/// outputs.
/// </summary>
public sealed partial class TradingEngine : IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly IBrokerAdapter _broker;
    private readonly IMarketDataListener? _simulatedVenue;
    private readonly IEventStore _eventStore;
    private readonly IStrategy[] _strategies;
    private readonly IRiskGuard _risk;
    private readonly ISessionJournal _journal;

    // False for the null journal: records it would drop are not built at all.
    private readonly bool _journaling;
    private readonly TimeProvider _time;
    private readonly SimulationTimeProvider? _simulationClock;
    private readonly ILogger _logger;
    private readonly Channel<EngineInput> _inputs;
    private readonly MarketDataBatch.Pool _batches = new();
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _feedFailure;
    private readonly Dictionary<Symbol, Instrument> _instruments = [];
    private readonly Dictionary<Symbol, decimal> _lastPrices = [];
    private readonly Dictionary<Symbol, DateTimeOffset> _lastPriceTimes = [];
    private List<(IStrategy Strategy, Decision Decision, decimal? Price)> _pendingDecisions = [];
    private List<(IStrategy Strategy, Decision Decision, decimal? Price)> _actingDecisions = [];
    private readonly StrategyContext _context;
    private readonly EngineRecorder _recorder;
    private readonly KillSwitch? _killSwitch;
    private readonly IProjectionStore? _projections;
    private readonly ExecutionPolicy _policy;
    private readonly INotifier? _notifier;
    private RiskTrip? _pendingTrip;
    private bool _stopPlanRunning;
    private SessionSummaryBuilder? _summary;
    private DateTimeOffset _startedAt;

    // When the session first started: this process's start, or, for a session resumed from its log, the first start the
    // log records for this session id (the summary's started_at spans the whole session).
    private DateTimeOffset _sessionStartedAt;
    private DateTimeOffset _nextTimerAt;
    private IStrategy? _currentStrategy;
    private decimal? _currentPrice;
    private long _marketEvents;
    private bool _started;
    private bool _summaryWritten;

    /// <summary>Creates an engine. Nothing runs until <see cref="StartAsync"/> or <see cref="RunAsync"/>.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="broker">The venue. A simulated venue (<see cref="IMarketDataListener"/>) is driven synchronously by the loop.</param>
    /// <param name="eventStore">The event log.</param>
    /// <param name="strategies">The strategies; at least one.</param>
    /// <param name="timeProvider">The engine clock.</param>
    /// <param name="riskGuard">The risk guard; <see cref="PermissiveRiskGuard"/> when null.</param>
    /// <param name="journal">The session journal; none when null.</param>
    /// <param name="loggerFactory">Loggers; none when null.</param>
    /// <param name="metrics">Metrics; a private instance when null, which the engine disposes (its meter leaves the process's list of meters). Metrics given here stay the caller's.</param>
    /// <param name="killSwitch">The kill switch checked at the last gate; none when null.</param>
    /// <param name="notifier">Where critical alerts (trips, kill switch) go; none when null.</param>
    /// <param name="approvalGate">The approval gate, required when <see cref="ExecutionOptions.RequireApproval"/> is set.</param>
    /// <param name="projections">The projection store the <c>RebuildProjection</c> command rewrites; none when null.</param>
    /// <param name="replayRecorder">Records the session for replay (<see cref="Replay.ReplayInputRecorder"/>) or checks a replay (<see cref="Replay.SessionReplayContext.Hook"/>); none when null. The engine disposes it.</param>
    /// <param name="symbolLocks">The symbol locks shared with the other workers; required in worker mode (<see cref="EngineOptions.Worker"/>).</param>
    /// <param name="workers">The workers registry; required in worker mode.</param>
    /// <exception cref="TradingKitException">Invalid options (<c>INVALID_OPTIONS</c>).</exception>
    public TradingEngine(EngineOptions options, IBrokerAdapter broker, IEventStore eventStore, IEnumerable<IStrategy> strategies, TimeProvider timeProvider,
        IRiskGuard? riskGuard = null, ISessionJournal? journal = null, ILoggerFactory? loggerFactory = null, TradingKitMetrics? metrics = null,
        KillSwitch? killSwitch = null, INotifier? notifier = null, Execution.Approvals.ApprovalGate? approvalGate = null,
        IProjectionStore? projections = null, Replay.EngineReplayHook? replayRecorder = null,
        ISymbolLockService? symbolLocks = null, IWorkerRegistry? workers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(eventStore);
        ArgumentNullException.ThrowIfNull(strategies);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _strategies = [.. strategies];
        if (_strategies.Length == 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "The engine needs at least one strategy.");
        }

        _options = options;
        _replay = replayRecorder;
        broker = replayRecorder?.Attach(broker, timeProvider) ?? broker;
        _broker = broker;
        _simulatedVenue = broker as IMarketDataListener;
        _eventStore = eventStore;
        _time = timeProvider;
        _simulationClock = options.DriveClockFromMarketData ? timeProvider as SimulationTimeProvider : null;
        _risk = riskGuard ?? PermissiveRiskGuard.Instance;
        _killSwitch = killSwitch;
        _notifier = notifier;
        _approvals = approvalGate;
        _projections = projections;
        if (options.Worker.Enabled)
        {
            _symbolLocks = symbolLocks;
            _workerRegistry = workers;
            CheckWorkerServices();
        }
        if (options.Execution.RequireApproval && approvalGate is null)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Execution:RequireApproval is set but no approval gate was given to the engine.");
        }
        _policy = new ExecutionPolicy(options.Execution, (_risk as RiskGuard)?.Options ?? new RiskOptions { Enabled = false }, _risk);
        _journal = journal ?? NullSessionJournal.Instance;
        _journaling = _journal is not NullSessionJournal;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<TradingEngine>();
        Metrics = metrics ?? new TradingKitMetrics();
        _ownsMetrics = metrics is null;
        foreach (var instrument in options.Instruments)
        {
            _instruments[instrument.Symbol] = instrument;
        }

        SessionId = options.ResolveSessionId(timeProvider);
        AccountId = new AccountId(options.AccountId);
        Portfolio = new PortfolioLedger(new PortfolioOptions { InitialCash = options.InitialCash, Currency = options.Currency, DayRollTimeUtc = options.DayRollUtc });
        _recorder = new EngineRecorder(this, eventStore);
        Orders = new OrderManager(broker, _recorder, options.Oms, timeProvider, new Gate(this), loggerFactory.CreateLogger<OrderManager>());
        Orders.AddObserver(_recorder);
        if (replayRecorder is not null)
        {
            Orders.AddObserver(new Replay.EngineReplayHook.IntentObserver(replayRecorder));
        }

        Orders.AckLatencyObserved += OnAckLatency;
        _context = new StrategyContext(this);
        _inputs = Channel.CreateBounded<EngineInput>(new BoundedChannelOptions(options.InputCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>The session.</summary>
    public SessionId SessionId { get; }

    /// <summary>The account.</summary>
    public AccountId AccountId { get; }

    /// <summary>The engine's state (governed by <see cref="EngineStateMachine"/>).</summary>
    public EngineState State { get; private set; } = EngineState.Booting;

    /// <summary>The portfolio (cash, positions, PnL).</summary>
    public PortfolioLedger Portfolio { get; }

    /// <summary>The OMS.</summary>
    public OrderManager Orders { get; }

    /// <summary>Metrics and execution quality.</summary>
    public TradingKitMetrics Metrics { get; }

    /// <summary>The journal this session writes.</summary>
    internal ISessionJournal Journal => _journal;

    /// <summary>The execution mode.</summary>
    internal string Mode => _options.Execution.Mode.ToConfigValue();

    /// <summary>The execution policy in force (mode, phase 0, whether the guard is enabled).</summary>
    public ExecutionPolicy ExecutionPolicy => _policy;

    /// <summary>The kill switch, when one is configured.</summary>
    public KillSwitch? KillSwitch => _killSwitch;

    /// <summary>The venue's name.</summary>
    internal string VenueName => _broker.VenueName;

    /// <summary>The engine time.</summary>
    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Market data items processed.</summary>
    public long MarketEventsProcessed => _marketEvents;

    /// <summary>The last price seen per symbol.</summary>
    public IReadOnlyDictionary<Symbol, decimal> LastPrices => _lastPrices;

    /// <summary>
    /// L00 preflight: validates, writes the session metadata, connects the venue and moves BOOTING → RECOVERING → RUNNING.
    /// </summary>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>A task that completes when the engine is running.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            return;
        }

        // TEST-711: live mode refuses to start unless the risk guard is enabled and configured.
        _policy.Validate();
        _replay?.OnStart(_time.GetUtcNow(), SessionId, _broker.VenueName, _simulatedVenue is not null, _simulationClock is not null);
        _started = true;
        _startedAt = _time.GetUtcNow();
        _sessionStartedAt = _startedAt;
        _nextTimerAt = _startedAt + _options.TimerInterval;
        _summary = new SessionSummaryBuilder(Portfolio, _startedAt);
        var metadata = BuildMetadata();
        _journal.WriteMetadata(metadata);
        MoveTo(EngineState.Recovering, "preflight passed");
        await _broker.ConnectAsync(cancellationToken).ConfigureAwait(false);
        CreateMerger();
        await _recorder.EngineStartedAsync(metadata.CodeVersion, metadata.ConfigHash, cancellationToken).ConfigureAwait(false);
        var recovered = true;
        if (_options.RecoverOnStart)
        {
            // UC-05 / TEST-713: no new order until the log is replayed and the venue reconciled.
            var recovery = await RecoverAsync(cancellationToken).ConfigureAwait(false);
            recovered = recovery.Succeeded;
            if (recovery.OrdersRestored == 0)
            {
                await _recorder.InitialCashAsync(_options.InitialCash, _options.Currency, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            _journal.Backfill(JournalBackfill.None);
            await _recorder.InitialCashAsync(_options.InitialCash, _options.Currency, cancellationToken).ConfigureAwait(false);
        }

        foreach (var strategy in _strategies)
        {
            _currentStrategy = strategy;
            strategy.OnStart(_context);
        }

        _currentStrategy = null;
        if (recovered && _options.RecoverOnStart)
        {
            LeaveRecovery();
        }
        else if (recovered)
        {
            MoveTo(EngineState.Running, "started");
        }

        await _recorder.FlushStatesAsync(cancellationToken).ConfigureAwait(false);
        await StartWorkerAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(SessionId, Mode, _broker.VenueName);
    }

    /// <summary>
    /// Runs a whole session over a feed: starts, processes every item, drains in-flight work when the feed ends, writes the
    /// summary and stops. Venue reports of a live venue are merged into the same loop. A feed that throws part-way ends the
    /// session the same way after the items it gave, and its exception is then rethrown.
    /// </summary>
    /// <param name="feed">The market data.</param>
    /// <param name="progress">Receives the count of processed market data items now and then; may be null.</param>
    /// <param name="cancellationToken">Stops the session early (gracefully).</param>
    /// <returns>The session summary.</returns>
    public async Task<SessionSummaryRecord> RunAsync(IMarketDataFeed feed, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(feed, stop.Token);
        var venuePump = _simulatedVenue is null ? PumpVenueAsync(stop.Token) : Task.CompletedTask;
        var timerPump = _simulatedVenue is null && _simulationClock is null ? PumpTimerAsync(stop.Token) : Task.CompletedTask;
        try
        {
            await LoopAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelling the session is a graceful stop: the summary is still written below.
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(IgnoreCancellation(producer), IgnoreCancellation(venuePump), IgnoreCancellation(timerPump)).ConfigureAwait(false);
        }

        // A feed that failed part-way has stopped the loop after what it gave: the session still stops gracefully (summary,
        // journal), then the feed's error reaches the caller.
        var summary = await StopAsync(CancellationToken.None).ConfigureAwait(false);
        Interlocked.Exchange(ref _feedFailure, null)?.Throw();
        return summary;
    }

    /// <summary>Queues a command for the loop and waits for its result.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels waiting (the command may still run).</param>
    /// <returns>The command's result.</returns>
    public async Task<CommandResult> ExecuteAsync(CommandEnvelope command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var completion = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inputs.Writer.WriteAsync(EngineInput.ForCommand(command, completion), cancellationToken).ConfigureAwait(false);
        return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues one input for the loop (market data from a live feed, a venue event, a timer tick).</summary>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">Cancels waiting for room.</param>
    /// <returns>A task that completes when queued.</returns>
    public ValueTask EnqueueAsync(EngineInput input, CancellationToken cancellationToken = default) => _inputs.Writer.WriteAsync(input, cancellationToken);

    /// <summary>
    /// Processes one input directly on the caller, bypassing the channel. For hosts that already serialise inputs
    /// (replays, benchmarks, tests); never call it concurrently with <see cref="RunAsync"/>.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">Cancels processing.</param>
    /// <returns>A task that completes when the input and everything it caused are processed.</returns>
    public ValueTask ProcessAsync(EngineInput input, CancellationToken cancellationToken = default) => ProcessCoreAsync(input, cancellationToken);

    /// <summary>
    /// L80 and graceful stop: drains venue events still queued, writes the summary, records EngineStopped and flushes the
    /// journal. Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Cancels the final writes.</param>
    /// <returns>The session summary.</returns>
    public async Task<SessionSummaryRecord> StopAsync(CancellationToken cancellationToken = default)
    {
        _replay?.OnStopping(_time.GetUtcNow());
        if (State is not (EngineState.Stopping or EngineState.Stopped))
        {
            MoveTo(EngineState.Stopping, "stop requested");
        }

        await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        if (_simulatedVenue is null)
        {
            // A live venue's reports already queued (behind the end of the feed, or not yet pumped) still count.
            while (_inputs.Reader.TryRead(out var input))
            {
                if (input.Kind == EngineInputKind.Venue)
                {
                    await OnVenueEventAsync(input.VenueEvent!, cancellationToken).ConfigureAwait(false);
                }
            }

            while (_broker.Events.TryRead(out var venueEvent))
            {
                await OnVenueEventAsync(venueEvent, cancellationToken).ConfigureAwait(false);
            }
        }

        await _recorder.FlushDeferredAsync(cancellationToken).ConfigureAwait(false);
        if (WorkerMode)
        {
            await AfterWorkerInputAsync(cancellationToken).ConfigureAwait(false);
            await StopWorkerAsync(cancellationToken).ConfigureAwait(false);
        }

        var summary = BuildSummary();
        if (!_summaryWritten)
        {
            _summaryWritten = true;
            _journal.WriteSummary(summary);
            _replay?.OnStopped(_time.GetUtcNow(), summary);
            await _recorder.EngineStoppedAsync(cancellationToken).ConfigureAwait(false);
            await _journal.FlushAsync(cancellationToken).ConfigureAwait(false);
            MoveTo(EngineState.Stopped, "stopped");
            await _recorder.FlushStatesAsync(cancellationToken).ConfigureAwait(false);
            LogStopped(SessionId, summary.Trades, summary.FinalEquity);
        }

        return summary;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _inputs.Writer.TryComplete();
        await _journal.DisposeAsync().ConfigureAwait(false);
        if (_replay is not null)
        {
            await _replay.DisposeAsync().ConfigureAwait(false);
        }

        // A meter made with `new Meter(...)` stays on the runtime's static list of meters until disposed, and its observable
        // gauges keep the metrics and their sample windows alive: a host that runs engine after engine would keep them all.
        if (_ownsMetrics)
        {
            Metrics.Dispose();
        }
    }

    private readonly bool _ownsMetrics;

    /// <summary>Builds the session summary from the portfolio and the OMS as they stand.</summary>
    /// <returns>The summary.</returns>
    public SessionSummaryRecord BuildSummary()
    {
        var s = (_summary ??= new SessionSummaryBuilder(Portfolio, _startedAt)).Build(_time.GetUtcNow());
        return new SessionSummaryRecord
        {
            SessionId = SessionId,
            StartedAt = _sessionStartedAt,
            EndedAt = _time.GetUtcNow(),
            Trades = s.Trades,
            Wins = s.Wins,
            Losses = s.Losses,
            WinRate = s.WinRate,
            AveragePnl = s.AveragePnl,
            MaxLoss = s.MaxLoss,
            RealizedPnl = s.RealizedPnl,
            UnrealizedPnl = s.UnrealizedPnl,
            Fees = s.TotalFees,
            Slippage = s.TotalSlippage,
            MaxDrawdown = s.MaxDrawdown,
            FinalCash = s.FinalCash,
            FinalPositions = s.FinalPositions,
            LastPrices = s.LastPrices,
            FinalEquity = s.FinalEquity,
            OrdersSubmitted = Orders.SubmittedCount - _earlier.Submitted,
            OrdersRejected = Orders.RejectedCount - _earlier.Rejected,
            OrdersDenied = Orders.DeniedCount,
            Fills = Orders.FillCount - _earlier.Fills,
            Unclosed = _unclosed,
        };
    }

    private async Task LoopAsync(IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var reader = _inputs.Reader;
        var lastReported = 0L;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var input))
            {
                if (input.Kind == EngineInputKind.Stop)
                {
                    return;
                }

                if (input.Batch is { } batch)
                {
                    // Each item of a batch is an input of its own: the same stages, duties and replay record as if it had
                    // come alone.
                    for (var i = 0; i < batch.Count; i++)
                    {
                        await ProcessCoreAsync(EngineInput.ForMarketData(batch[i]), cancellationToken).ConfigureAwait(false);
                    }

                    _batches.Return(batch);
                }
                else
                {
                    await ProcessCoreAsync(input, cancellationToken).ConfigureAwait(false);
                }

                if (progress is not null && _marketEvents - lastReported >= 256)
                {
                    lastReported = _marketEvents;
                    progress.Report(_marketEvents);
                }
            }
        }
    }

    private async Task ProduceAsync(IMarketDataFeed feed, CancellationToken cancellationToken)
    {
        var writer = _inputs.Writer;
        var limit = Math.Clamp(_options.InputCapacity / 64, 1, MarketDataBatch.MaxSize);
        var items = feed.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        MarketDataBatch? batch = null;
        try
        {
            while (true)
            {
                var next = items.MoveNextAsync();
                if (!next.IsCompleted && batch is not null)
                {
                    // The feed has to wait for its next item: what it already gave goes to the loop now.
                    await writer.WriteAsync(EngineInput.ForMarketDataBatch(batch), cancellationToken).ConfigureAwait(false);
                    batch = null;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                batch ??= _batches.Rent();
                batch.Add(items.Current);
                if (batch.IsFull(limit))
                {
                    await writer.WriteAsync(EngineInput.ForMarketDataBatch(batch), cancellationToken).ConfigureAwait(false);
                    batch = null;
                }
            }
        }
#pragma warning disable CA1031 // Whatever the feed threw is handed to the caller of RunAsync, after the graceful stop.
        catch (Exception ex) when (ex is not ChannelClosedException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
#pragma warning restore CA1031
        {
            // The loop processes what the feed gave before it failed, then stops; RunAsync rethrows the failure after
            // stopping. A cancellation the feed raised on its own (not the session's) counts as a failure too: without
            // the end of input the loop would wait for ever. A closed input (the engine disposed) is no feed failure.
            _feedFailure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            if (batch is not null)
            {
                await writer.WriteAsync(EngineInput.ForMarketDataBatch(batch), cancellationToken).ConfigureAwait(false);
            }

            await writer.WriteAsync(EngineInput.Stop, cancellationToken).ConfigureAwait(false);
            return;
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }

        if (batch is not null)
        {
            await writer.WriteAsync(EngineInput.ForMarketDataBatch(batch), cancellationToken).ConfigureAwait(false);
        }

        await writer.WriteAsync(EngineInput.Stop, cancellationToken).ConfigureAwait(false);
    }

    private async Task PumpVenueAsync(CancellationToken cancellationToken)
    {
        await foreach (var venueEvent in _broker.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await _inputs.Writer.WriteAsync(EngineInput.ForVenue(venueEvent), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A live session's timer: a tick every <see cref="EngineOptions.TimerInterval"/> of the engine clock, so in-flight
    /// checks, polling and reconciliation run when no market data arrives. A backtest clock moves with the data instead.
    /// </summary>
    private async Task PumpTimerAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_options.TimerInterval, _time, cancellationToken).ConfigureAwait(false);
            await _inputs.Writer.WriteAsync(EngineInput.Timer, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected when the session ends before the producer does.
        }
        catch (ChannelClosedException)
        {
            // The loop closed its input.
        }
    }

    private async ValueTask ProcessCoreAsync(EngineInput input, CancellationToken cancellationToken)
    {
        _replay?.OnInput(input, _time.GetUtcNow());
        switch (input.Kind)
        {
            case EngineInputKind.MarketData:
                await OnMarketDataAsync(input.MarketData!, cancellationToken).ConfigureAwait(false);
                break;
            case EngineInputKind.Venue:
                await OnVenueEventAsync(input.VenueEvent!, cancellationToken).ConfigureAwait(false);
                break;
            case EngineInputKind.Command:
                var result = await OnCommandAsync(input.Command!, cancellationToken).ConfigureAwait(false);
                input.Completion?.TrySetResult(result);
                break;
            case EngineInputKind.Timer:
                await OnTimerAsync(cancellationToken).ConfigureAwait(false);
                break;
        }

        // A fill recorded without its position change (a report that reached the OMS by another way) goes on its own now.
        await _recorder.FlushDeferredAsync(cancellationToken).ConfigureAwait(false);
        if (_time.GetUtcNow() >= _nextTimerAt && _started)
        {
            await OnTimerAsync(cancellationToken).ConfigureAwait(false);
        }

        await HandlePendingTripAsync(cancellationToken).ConfigureAwait(false);
        if (_started)
        {
            await DriveLiquidationAsync(cancellationToken).ConfigureAwait(false);
        }

        if (WorkerMode)
        {
            await AfterWorkerInputAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>L10 → L20 → L30 → L40 for one market data item.</summary>
    private async ValueTask OnMarketDataAsync(MarketDataEvent marketData, CancellationToken cancellationToken)
    {
        _simulationClock?.AdvanceTo(marketData.Timestamp);
        _marketEvents++;
        var symbol = marketData.Symbol;
        var price = marketData.LastPrice;
        _lastPrices[symbol] = price;
        _lastPriceTimes[symbol] = marketData.Timestamp;
        _risk.RecordMarketData(symbol, marketData.Timestamp);
        if (marketData is Bar bar)
        {
            _lastVolumes[symbol] = bar.Volume;
        }

        if (_simulatedVenue is not null && !_redelivering)
        {
            _simulatedVenue.OnMarketData(marketData);
            await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        }

        Portfolio.Mark(symbol, price, _time.GetUtcNow());
        if (State != EngineState.Running)
        {
            return;
        }

        _currentPrice = price;
        foreach (var strategy in _strategies)
        {
            _currentStrategy = strategy;
            try
            {
                strategy.OnMarketData(marketData, _context);
            }
#pragma warning disable CA1031 // A faulty strategy must not take the account's loop down; it is logged and journaled.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogStrategyFailed(strategy.Id, ex);
                _journal.WriteRiskEvent(new RiskEventRecord
                {
                    Type = "strategy_error",
                    Timestamp = _time.GetUtcNow(),
                    Code = "STRATEGY_FAILED",
                    Rule = strategy.Id.Value,
                    Message = ex.Message,
                    Symbol = symbol,
                });
            }
        }

        _currentStrategy = null;
        _currentPrice = null;
        if (_pendingDecisions.Count > 0)
        {
            await ActOnDecisionsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ActOnDecisionsAsync(CancellationToken cancellationToken)
    {
        // The pending list is swapped out first: acting may call back into strategies (OnFill) that decide again.
        var decisions = _pendingDecisions;
        _pendingDecisions = _actingDecisions.Count == 0 ? _actingDecisions : [];
        _actingDecisions = decisions;
        foreach (var (strategy, decision, price) in decisions)
        {
            if (BuildRequest(strategy, decision) is not { } request)
            {
                continue;
            }

            var context = new OrderContext(strategy.Id, EventIds.NewCorrelation(), price, _time.GetUtcNow());
            if (_options.Execution.RequireApproval)
            {
                await ProposeAsync(request, context, decision.ReasonCodes, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                if (WorkerMode && !await ClaimSymbolAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                var outcome = await Orders.SubmitAsync(request, context, cancellationToken).ConfigureAwait(false);
                await AfterSubmitAsync(outcome, cancellationToken).ConfigureAwait(false);
            }
            catch (TradingKitException ex)
            {
                LogIntentRefused(strategy.Id, decision.Symbol, ex.Code, ex.Message);
            }

            await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
        }

        decisions.Clear();
    }

    /// <summary>L30: a decision becomes an order request (sizing, rounding, deterministic client order id).</summary>
    private OrderRequest? BuildRequest(IStrategy strategy, in Decision decision)
    {
        var symbol = decision.Symbol;
        OrderSide side;
        decimal quantity;
        var reduceOnly = false;
        switch (decision.Action)
        {
            case DecisionAction.Buy:
                side = OrderSide.Buy;
                quantity = decision.Quantity;
                break;
            case DecisionAction.Sell:
                side = OrderSide.Sell;
                quantity = decision.Quantity;
                break;
            case DecisionAction.Close:
                var position = Portfolio.GetNetQuantity(symbol);
                if (position == 0m)
                {
                    return null;
                }

                side = position > 0m ? OrderSide.Sell : OrderSide.Buy;
                quantity = Math.Abs(position);
                reduceOnly = true;
                break;
            default:
                return null;
        }

        if (_instruments.TryGetValue(symbol, out var instrument))
        {
            quantity = instrument.RoundQuantity(quantity);
        }

        if (quantity <= 0m)
        {
            return null;
        }

        var type = decision.OrderType == 0 ? OrderType.Market : decision.OrderType;
        var now = _time.GetUtcNow();
        var clientOrderId = ClientOrderIdGenerator.Create(SessionId, strategy.Id, symbol, side, now,
            decision.IntentKey ?? (decision.Action == DecisionAction.Close ? "close" : "open"));
        return new OrderRequest
        {
            ClientOrderId = clientOrderId,
            Symbol = symbol,
            Side = side,
            Type = type,
            Quantity = quantity,
            LimitPrice = decision.LimitPrice is { } lp && instrument is not null ? instrument.RoundPrice(lp) : decision.LimitPrice,
            StopPrice = decision.StopPrice,
            TimeInForce = decision.TimeInForce == 0 ? TimeInForce.Gtc : decision.TimeInForce,
            ReduceOnly = reduceOnly,
        };
    }

    /// <summary>L50: applies every venue event already available (a simulated venue produces them synchronously).</summary>
    private ValueTask DrainVenueAsync(CancellationToken cancellationToken)
    {
        // Called several times per input: with nothing queued it completes without an asynchronous state machine.
        var events = _broker.Events;
        return _simulatedVenue is null || (events.CanPeek && !events.TryPeek(out _)) ? ValueTask.CompletedTask : DrainVenueCoreAsync(cancellationToken);
    }

    private async ValueTask DrainVenueCoreAsync(CancellationToken cancellationToken)
    {
        while (_broker.Events.TryRead(out var venueEvent))
        {
            await OnVenueEventAsync(venueEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask OnVenueEventAsync(VenueEvent venueEvent, CancellationToken cancellationToken)
    {
        _replay?.OnVenueEvent(venueEvent, _time.GetUtcNow());
        if (_merger is { } merger)
        {
            await OnMergedStreamAsync(merger, venueEvent, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (venueEvent)
        {
            case ExecutionReport report:
                var fill = await Orders.ApplyReportAsync(report, cancellationToken).ConfigureAwait(false);
                if (fill is not null)
                {
                    await OnFillAsync(fill, cancellationToken).ConfigureAwait(false);
                }

                break;
            case ConnectionStateChanged change:
                await _recorder.ConnectionChangedAsync(change, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>L60 portfolio, then L70 post-trade risk.</summary>
    private async ValueTask OnFillAsync(Fill fill, CancellationToken cancellationToken)
    {
        var result = Portfolio.ApplyFill(fill);
        var context = Orders.GetContext(fill.ClientOrderId);
        if (WorkerMode)
        {
            NoteWorkerFill(fill, context?.StrategyId);
        }

        if (context?.DecisionPrice is { } reference && reference != 0m)
        {
            _summary?.RecordSlippage(fill, reference);
            _pendingTrip ??= _risk.RecordSlippageBps(_recorder.SlippageBpsOf(fill, reference), fill.Timestamp);
        }

        if (result.ClosedTrade is { } closed && _journaling)
        {
            _journal.WriteTrade(ToRecord(closed));
        }

        await _recorder.PositionChangedAsync(fill, result, cancellationToken).ConfigureAwait(false);
        foreach (var strategy in _strategies)
        {
            if (context is null || strategy.Id == context.StrategyId)
            {
                _currentStrategy = strategy;
                strategy.OnFill(fill, _context);
            }
        }

        _currentStrategy = null;
        var trip = _risk.OnPostTrade(new PostTradeContext { Now = _time.GetUtcNow(), Fill = fill, Portfolio = RiskView() });
        if (trip is not null)
        {
            await TripAsync(trip, cancellationToken).ConfigureAwait(false);
        }

        await HandlePendingTripAsync(cancellationToken).ConfigureAwait(false);

        if (_pendingDecisions.Count > 0)
        {
            await ActOnDecisionsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask OnTimerAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_nextTimerAt <= now)
        {
            // Skip the ticks a jump of the clock went over (a daily bar moves it a day): one check covers them.
            var missed = ((now - _nextTimerAt).Ticks / _options.TimerInterval.Ticks) + 1;
            _nextTimerAt += TimeSpan.FromTicks(missed * _options.TimerInterval.Ticks);
        }

        await PollVenueIfDueAsync(cancellationToken).ConfigureAwait(false);
        if (WorkerMode)
        {
            await WorkerHeartbeatAsync(cancellationToken).ConfigureAwait(false);
        }

        if (State is EngineState.Recovering or EngineState.Running or EngineState.Paused or EngineState.Safe)
        {
            await OnRecoveryTimerAsync(cancellationToken).ConfigureAwait(false);
        }

        if (State is EngineState.Running or EngineState.Paused)
        {
            var trip = _risk.OnPostTrade(new PostTradeContext { Now = now, Portfolio = RiskView() });
            if (trip is not null)
            {
                await TripAsync(trip, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stop plan (PIPE-260 §7): block new orders at once, cancel open orders, record the trip.</summary>
    private async ValueTask TripAsync(RiskTrip trip, CancellationToken cancellationToken)
    {
        var view = RiskView();
        _journal.WriteRiskEvent(new RiskEventRecord
        {
            Type = "risk_guard_tripped",
            Timestamp = _time.GetUtcNow(),
            Code = ErrorCodes.RiskGuardTripped,
            Rule = trip.Cause,
            Threshold = trip.Threshold,
            Observed = trip.Observed,
            Message = trip.Message,
            Details = new Dictionary<string, decimal>
            {
                ["equity"] = view.Equity,
                ["cash"] = view.Cash,
                ["peak_equity"] = view.PeakEquity,
                ["daily_realized_pnl"] = view.DailyRealizedPnl,
                ["unrealized_pnl"] = view.UnrealizedPnl,
                ["reject_rate"] = Metrics.Quality.RejectRate,
                ["slippage_bps_p95"] = Metrics.Quality.SlippageP95,
            },
        });
        LogTripped(trip.Cause, trip.Threshold, trip.Observed);
        if (trip.NewState == TradingState.Halted && State is EngineState.Running or EngineState.Paused)
        {
            MoveTo(EngineState.Safe, $"{ErrorCodes.RiskGuardTripped}: {trip.Cause}");
        }

        await _recorder.RiskTrippedAsync(trip, view, cancellationToken).ConfigureAwait(false);
        if (_notifier is not null)
        {
            await _notifier.NotifyAsync(Alert.ForTrip(trip), cancellationToken).ConfigureAwait(false);
        }

        await RunStopPlanAsync(trip, cancellationToken).ConfigureAwait(false);
        await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
    }

    private RiskPortfolioView RiskView() => Portfolio.RiskView;

    private void MoveTo(EngineState next, string reason)
    {
        var from = State;
        if (EngineStateMachine.Transition(from, next) == TransitionOutcome.Applied)
        {
            State = next;
            _recorder.StateChanged(from, next, reason);
        }
    }

    private OpsMetadata BuildMetadata() => new()
    {
        SessionId = SessionId,
        Mode = Mode,
        Venue = _broker.VenueName,
        AccountMasked = AccountId.Masked,
        Strategies = [.. _strategies.Select(s => s.Id.Value)],
        ConfigHash = ConfigHash(),
        CodeVersion = typeof(TradingEngine).Assembly.GetName().Version?.ToString() ?? "0.0.0",
        StartedAt = _startedAt,
        Settings = DescribeSettings(),
    };

    private Dictionary<string, string?> DescribeSettings()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var d = _policy.Describe(_killSwitch);
        var settings = new Dictionary<string, string?>
        {
            ["engine.initial_cash"] = _options.InitialCash.ToString(inv),
            ["engine.currency"] = _options.Currency,
            ["oms.max_retries"] = _options.Oms.MaxRetries.ToString(inv),
            ["execution.mode"] = d.Mode,
            ["execution.phase_zero"] = d.PhaseZero ? "true" : "false",
            ["risk.guard"] = _risk.GetType().Name,
            ["risk.enabled"] = d.RiskGuardEnabled ? "true" : "false",
            ["risk.configured_for_live"] = d.RiskGuardConfiguredForLive ? "true" : "false",
            ["kill_switch.state"] = d.KillSwitch,
            ["kill_switch.reason"] = d.KillSwitchReason,
            ["kill_switch.actor"] = d.KillSwitchActor,
            ["risk.pre_trade_rules"] = string.Join(',', d.PreTradeRules),
            ["risk.trip_conditions"] = string.Join(',', d.TripConditions),
        };
        foreach (var property in typeof(RiskLimitsDescription).GetProperties())
        {
            var value = property.GetValue(d.Limits);
            settings["risk." + ToSnake(property.Name)] = value switch
            {
                null => null,
                IFormattable f => f.ToString(null, inv),
                _ => value.ToString(),
            };
        }

        return settings;
    }

    private static string ToSnake(string name)
    {
        var b = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                b.Append('_');
            }

            b.Append(char.ToLowerInvariant(name[i]));
        }

        return b.ToString();
    }

    private string ConfigHash()
    {
        var text = string.Join('|', Mode, _options.Execution.PhaseZero, _options.InitialCash, _options.Currency, _options.Oms.MaxRetries, _options.Oms.CallTimeout,
            string.Join(',', _strategies.Select(s => s.Id.Value)), _risk.GetType().FullName, _broker.VenueName);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    private static TradeRecord ToRecord(ClosedTrade trade) => new(trade.Symbol, trade.Direction == TradeDirection.Long ? "long" : "short",
        trade.MaxQuantity, trade.EntryTime, trade.AverageEntryPrice, trade.ExitTime, trade.AverageExitPrice, trade.Fees, trade.NetPnl, trade.GrossPnl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine started: session {SessionId}, mode {Mode}, venue {Venue}")]
    private partial void LogStarted(SessionId sessionId, string mode, string venue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine stopped: session {SessionId}, {Trades} round trips, equity {Equity}")]
    private partial void LogStopped(SessionId sessionId, int trades, decimal equity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Strategy {StrategyId} failed; the engine goes on")]
    private partial void LogStrategyFailed(StrategyId strategyId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Intent of {StrategyId} for {Symbol} refused ({Code}): {Message}")]
    private partial void LogIntentRefused(StrategyId strategyId, Symbol symbol, string code, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Risk guard tripped: {Cause} (threshold {Threshold}, observed {Observed}); new orders blocked")]
    private partial void LogTripped(string cause, decimal threshold, decimal observed);

    /// <summary>The last gate before the venue: engine state, then the risk guard.</summary>
    private sealed class Gate(TradingEngine engine) : IOrderGate
    {
        public GateDecision Check(Order order)
        {
            // The stop plan's own reducing orders are the guard's action, sent before the kill switch engages.
            var recovery = engine.CheckRecoveryGate(order.Symbol);
            if (!recovery.Allowed)
            {
                return recovery;
            }

            var stopPlanOrder = engine._stopPlanRunning && order.Request.ReduceOnly;
            if (!EngineStateMachine.AcceptsNewOrders(engine.State) && !stopPlanOrder)
            {
                return new GateDecision(false, ErrorCodes.EngineNotRunning, $"engine is {engine.State}");
            }

            if (engine._killSwitch is { IsOn: true } killSwitch)
            {
                return new GateDecision(false, ErrorCodes.KillSwitchActive, $"kill switch is on: {killSwitch.Current.Reason}");
            }

            switch (engine._policy.Disposition)
            {
                case SubmitDisposition.Refuse:
                    return new GateDecision(false, ErrorCodes.ExecutionDisabled, "execution is disabled (advisory only); set Execution:Mode to act");
                case SubmitDisposition.JournalOnly:
                    return new GateDecision(false, ErrorCodes.ExecutionDryRun, "dry run: journaled, not sent");
            }

            if (stopPlanOrder)
            {
                return GateDecision.Allow;
            }

            var symbol = order.Symbol;
            var working = engine.Orders.OpenQuantities(symbol);
            var context = new PreTradeContext
            {
                Order = order.Request,
                Now = engine._time.GetUtcNow(),
                LastPrice = engine._lastPrices.TryGetValue(symbol, out var last) ? last : null,
                LastPriceAt = engine._lastPriceTimes.TryGetValue(symbol, out var at) ? at : null,
                Position = engine.Portfolio.GetNetQuantity(symbol),
                OpenOrders = engine.Orders.OpenOrderCount,
                OpenBuyQuantity = working.Buy,
                OpenSellQuantity = working.Sell,
                Portfolio = engine.RiskView(),
            };
            var decision = engine._risk.CheckPreTrade(context);
            if (decision.Allowed)
            {
                return GateDecision.Allow;
            }

            engine._journal.WriteRiskEvent(new RiskEventRecord
            {
                Type = "risk_denied",
                Timestamp = context.Now,
                Code = decision.Code ?? "RISK_DENIED",
                Rule = decision.RuleId,
                Threshold = decision.Threshold,
                Observed = decision.Observed,
                Message = decision.Message,
                ClientOrderId = order.ClientOrderId,
                Symbol = symbol,
            });
            return new GateDecision(false, decision.Code ?? "RISK_DENIED", decision.Message ?? decision.RuleId);
        }
    }

    /// <summary>What strategies see: a view of the engine, on the loop.</summary>
    private sealed class StrategyContext(TradingEngine engine) : IStrategyContext
    {
        public DateTimeOffset Now => engine._time.GetUtcNow();

        public SessionId SessionId => engine.SessionId;

        public decimal Cash => engine.Portfolio.Cash;

        public decimal Equity => engine.Portfolio.Equity;

        public decimal GetPosition(Symbol symbol) => engine.Portfolio.GetNetQuantity(symbol);

        public decimal? GetLastPrice(Symbol symbol) => engine._lastPrices.TryGetValue(symbol, out var p) ? p : null;

        public bool HasOpenOrders(Symbol symbol) => engine.Orders.HasOpenOrders(symbol);

        public void Decide(in Decision decision)
        {
            var strategy = engine._currentStrategy ?? throw new InvalidOperationException("Decide may only be called from a strategy callback.");
            if (engine._warmingUp)
            {
                // Warm-up replays what the strategy already decided about before the restart.
                return;
            }

            if (decision.ReasonCodes is null || decision.ReasonCodes.Count == 0)
            {
                throw new TradingKitException(ErrorCodes.InvalidOrderRequest, $"Decision of {strategy.Id} for {decision.Symbol} has no reason code.");
            }

            var price = engine._currentPrice ?? (engine._lastPrices.TryGetValue(decision.Symbol, out var p) ? p : null);
            engine._replay?.OnDecision(engine._time.GetUtcNow(), strategy.Id, decision, price);
            if (engine._journaling && (decision.Action != DecisionAction.Hold || engine._options.JournalHoldDecisions))
            {
                engine._journal.WriteDecision(engine._time.GetUtcNow(), strategy.Id, decision, price);
            }

            if (decision.Action != DecisionAction.Hold)
            {
                engine._pendingDecisions.Add((strategy, decision, price));
            }
        }
    }
}
