using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Replay;

/// <summary>
/// The venue of a replay: answers each call from the recording (a call the recording does not have next is the mismatch)
/// and releases recorded venue events exactly where the recorded engine drained them.
/// </summary>
internal class ReplayBroker : IBrokerAdapter
{
    private readonly ReplayTape _tape;

    public ReplayBroker(ReplayTape tape)
    {
        _tape = tape;
        Events = new TapeEventReader(tape);
    }

    public string VenueName => _tape.Artifact.VenueName;

    public ChannelReader<VenueEvent> Events { get; }

    /// <summary>The last recorded failure thrown to the engine: if it escapes the engine, the recorded engine saw it escape too.</summary>
    public Exception? LastReplayedFailure { get; private set; }

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        Answer(ReplayOperations.Connect, null, null);
        return ValueTask.CompletedTask;
    }

    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult((SubmitResult)Answer(ReplayOperations.Submit, request, null)!);

    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult((SubmitResult)Answer(ReplayOperations.Cancel, symbol, clientOrderId)!);

    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult((SubmitResult)Answer(ReplayOperations.Modify, request, null)!);

    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult((VenueOrderState?)Answer(ReplayOperations.Query, symbol, clientOrderId));

    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        => ValueTask.FromResult((IReadOnlyList<VenueOrderState>)Answer(ReplayOperations.OpenOrders, symbol, null)!);

    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult((IReadOnlyList<VenuePosition>)Answer(ReplayOperations.Positions, null, null)!);

    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult((IReadOnlyList<Balance>)Answer(ReplayOperations.Balances, null, null)!);

    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => ValueTask.FromResult((IReadOnlyList<Fill>)Answer(ReplayOperations.RecentFills, symbol, since)!);

    private object? Answer(string operation, object? a, object? b)
    {
        using var writer = new ReplayRecordWriter();
        var w = writer.Begin(-1, ReplayRecordKinds.Call, _tape.Clock.GetUtcNow());
        ReplayRecordWriter.WriteCallArgs(w, operation, a, b);
        var actual = writer.EndAsElement();
        var record = _tape.TakeCall(actual, operation)
            ?? throw new SessionReplayException(ReplayErrorCodes.Diverged, "The replay diverged from the recording: " + (_tape.Mismatch?.Message ?? operation));
        var outcome = (RecordedCallOutcome)record.Payload!;
        _tape.Clock.AdvanceTo(outcome.EndedAt);
        if (outcome.Failure is { } failure)
        {
            LastReplayedFailure = failure.ToException();
            throw LastReplayedFailure;
        }

        return outcome.Result;
    }

    /// <summary>The engine reads venue events only with TryRead on its loop (drain points and stop); nothing waits on it in a replay.</summary>
    private sealed class TapeEventReader(ReplayTape tape) : ChannelReader<VenueEvent>
    {
        public override bool TryRead([MaybeNullWhen(false)] out VenueEvent item) => tape.TryTakeVenueEvent(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
    }
}

/// <summary>The replay venue of a session recorded on a simulated venue: the engine drives it, so it drains at the same points.</summary>
internal sealed class ReplaySimulatedBroker(ReplayTape tape) : ReplayBroker(tape), IMarketDataListener
{
    public void OnMarketData(MarketDataEvent marketData)
    {
        // The recorded venue's reaction to this item is on the tape, released at the drain that follows.
    }
}

/// <summary>The engine hook of a replay: compares each decision, intent and the summary with the next recorded record.</summary>
internal sealed class ReplayVerifier(ReplayTape tape, ReplayBroker broker) : EngineReplayHook
{
    private readonly ReplayRecordWriter _writer = new();

    public override ValueTask DisposeAsync()
    {
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    internal override IBrokerAdapter Attach(IBrokerAdapter engineBroker, TimeProvider timeProvider)
        => ReferenceEquals(engineBroker, broker)
            ? engineBroker
            : throw new SessionReplayException(ReplayErrorCodes.SetupInvalid, "Build the replayed engine over the context's Broker (SessionReplayContext.Broker), not another venue.");

    internal override void OnStart(DateTimeOffset now, SessionId sessionId, string venueName, bool simulatedVenue, bool drivesClock)
    {
    }

    internal override void OnInput(in Engine.EngineInput input, DateTimeOffset now)
    {
    }

    internal override void OnVenueEvent(VenueEvent venueEvent, DateTimeOffset now)
    {
    }

    internal override void OnDecision(DateTimeOffset now, StrategyId strategy, in Strategies.Decision decision, decimal? price)
    {
        if (tape.Failed)
        {
            return;
        }

        var w = _writer.Begin(-1, ReplayRecordKinds.Decision, now);
        ReplayRecordWriter.WriteDecision(w, strategy, decision, price);
        tape.MatchOutput(ReplayRecordKinds.Decision, _writer.EndAsElement());
    }

    internal override void OnOrderChanged(Oms.OrderChange change)
    {
        if (tape.Failed)
        {
            return;
        }

        var w = _writer.Begin(-1, ReplayRecordKinds.Intent, change.Timestamp);
        ReplayRecordWriter.WriteIntent(w, change);
        tape.MatchOutput(ReplayRecordKinds.Intent, _writer.EndAsElement());
    }

    internal override void OnStopping(DateTimeOffset now)
    {
    }

    internal override void OnStopped(DateTimeOffset now, Journal.SessionSummaryRecord summary)
    {
        if (tape.Failed)
        {
            return;
        }

        var w = _writer.Begin(-1, ReplayRecordKinds.Summary, now);
        ReplayRecordWriter.WriteSummary(w, summary);
        tape.MatchOutput(ReplayRecordKinds.Summary, _writer.EndAsElement());
    }
}
