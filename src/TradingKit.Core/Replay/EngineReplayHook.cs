using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Strategies;

namespace TradingKit.Replay;

/// <summary>
/// What the engine tells session replay, on its loop: inputs, venue events, decisions, intents, start and stop. Given to
/// the engine's constructor as a <see cref="ReplayInputRecorder"/> (to record a session) or as the hook of a
/// <see cref="SessionReplayContext"/> (to replay one). An engine without one pays a single null check per hook.
/// </summary>
/// <remarks>Only this library derives from it: the engine's internals it sees are not a public contract.</remarks>
public abstract class EngineReplayHook : IAsyncDisposable
{
    private protected EngineReplayHook()
    {
    }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Wraps the engine's venue before the OMS sees it (recording) or checks it is the replay venue (replay).</summary>
    internal abstract IBrokerAdapter Attach(IBrokerAdapter broker, TimeProvider timeProvider);

    internal abstract void OnStart(DateTimeOffset now, SessionId sessionId, string venueName, bool simulatedVenue, bool drivesClock);

    internal abstract void OnInput(in EngineInput input, DateTimeOffset now);

    internal abstract void OnVenueEvent(VenueEvent venueEvent, DateTimeOffset now);

    internal abstract void OnDecision(DateTimeOffset now, StrategyId strategy, in Decision decision, decimal? price);

    internal abstract void OnOrderChanged(OrderChange change);

    internal abstract void OnStopping(DateTimeOffset now);

    internal abstract void OnStopped(DateTimeOffset now, SessionSummaryRecord summary);

    /// <summary>Feeds the intents (orders the OMS took in) to the hook.</summary>
    internal sealed class IntentObserver(EngineReplayHook hook) : IOrderObserver
    {
        public void OnOrderChanged(OrderChange change)
        {
            if (change.Kind is OrderChangeKind.Submitted or OrderChangeKind.Denied)
            {
                hook.OnOrderChanged(change);
            }
        }
    }
}
