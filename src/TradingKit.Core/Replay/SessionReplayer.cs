using System.Globalization;
using TradingKit.Brokers;
using TradingKit.Engine;
using TradingKit.Time;

namespace TradingKit.Replay;

/// <summary>
/// What a replay gives the caller to build the replayed engine with: the replay venue, the replay clock and the replay
/// hook. Build the engine exactly as the recorded one was built (same options, strategies, risk guard, kill switch), but over
/// these three: <c>new TradingEngine(options, context.Broker, store, strategies, context.Clock, ..., replayRecorder: context.Hook)</c>.
/// </summary>
public sealed class SessionReplayContext
{
    internal SessionReplayContext(ReplayArtifact artifact, IBrokerAdapter broker, SimulationTimeProvider clock, EngineReplayHook hook)
    {
        Artifact = artifact;
        Broker = broker;
        Clock = clock;
        Hook = hook;
    }

    /// <summary>The recording being replayed.</summary>
    public ReplayArtifact Artifact { get; }

    /// <summary>The venue to build the engine over: it answers from the recording (a simulated venue when the recorded one was).</summary>
    public IBrokerAdapter Broker { get; }

    /// <summary>The engine clock: set to the recorded time of each record as the replay reaches it. Give it to every component that reads time (risk guard, kill switch, event store).</summary>
    public SimulationTimeProvider Clock { get; }

    /// <summary>The hook to pass as the engine's <c>replayRecorder</c>: it compares what the engine produces with the recording.</summary>
    public EngineReplayHook Hook { get; }

    /// <summary>The recorded session id; the replayed engine must use it (client order ids derive from it).</summary>
    public string SessionId => Artifact.SessionId;
}

/// <summary>
/// Session replay (DESIGN principle 7, PIPE-260 §8): re-runs a recorded session's inputs through a fresh engine and checks
/// it makes the same decisions, intents and venue calls, in the same order, and ends with the same summary. Venue calls
/// are answered and venue events released from the recording at the exact points the recorded engine saw them, with the
/// clock set to the recorded times. The first difference is reported with its record; nothing about a mismatch throws.
/// </summary>
public static class SessionReplayer
{
    /// <summary>Replays an artifact.</summary>
    /// <param name="artifact">The recording (<see cref="ReplayArtifact.Load"/>).</param>
    /// <param name="createEngine">Builds the replayed engine over the context's broker, clock and hook. The replay starts and stops it; the caller disposes it.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>The result: matched, or the first mismatch.</returns>
    /// <exception cref="SessionReplayException"><c>REPLAY_SETUP_INVALID</c> when the engine is not built for the replay or differs from the recorded set-up.</exception>
    public static async Task<SessionReplayResult> ReplayAsync(ReplayArtifact artifact, Func<SessionReplayContext, TradingEngine> createEngine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(createEngine);
        var clock = new SimulationTimeProvider(artifact.StartedAt);
        var tape = new ReplayTape(artifact, clock);
        var broker = artifact.SimulatedVenue ? new ReplaySimulatedBroker(tape) : new ReplayBroker(tape);
        var hook = new ReplayVerifier(tape, broker);
        var engine = createEngine(new SessionReplayContext(artifact, broker, clock, hook))
            ?? throw new SessionReplayException(ReplayErrorCodes.SetupInvalid, "The engine factory returned null.");
        CheckSetup(engine, artifact, hook);

        tape.Take();
        await RunAsync(tape, broker, () => engine.StartAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        while (!tape.Failed && tape.Peek() is { } next)
        {
            switch (next.Kind)
            {
                case ReplayRecordKinds.Input:
                    tape.Take();
                    tape.Inputs++;
                    var input = (EngineInput)next.Payload!;
                    await RunAsync(tape, broker, () => engine.ProcessAsync(input, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
                    break;
                case ReplayRecordKinds.Stop:
                    tape.Take();
                    await RunAsync(tape, broker, () => engine.StopAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    tape.Fail(next, null, null, $"the recording has {ReplayTape.Describe(next)} here, but the replayed engine produced nothing more before its next input");
                    break;
            }
        }

        return new SessionReplayResult
        {
            InputsReplayed = tape.Inputs,
            VenueEventsReplayed = tape.VenueEvents,
            VenueCallsReplayed = tape.Calls,
            DecisionsCompared = tape.Decisions,
            IntentsCompared = tape.Intents,
            SummaryCompared = tape.SummaryCompared,
            FirstMismatch = tape.Mismatch,
        };
    }

    /// <summary>Runs one step; an exception the recorded engine did not see is a mismatch, never a crash of the replay.</summary>
    private static async Task RunAsync(ReplayTape tape, ReplayBroker broker, Func<Task> step, CancellationToken cancellationToken)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever the replayed engine throws is reported as the replay's outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (ReferenceEquals(ex, broker.LastReplayedFailure))
            {
                // The recorded venue call failed this way and the failure left the recorded engine the same way.
                return;
            }

            tape.Fail(tape.Peek(), null, null, $"the replayed engine threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static void CheckSetup(TradingEngine engine, ReplayArtifact artifact, ReplayVerifier hook)
    {
        var problems = new List<string>();
        if (!ReferenceEquals(engine.ReplayHook, hook))
        {
            problems.Add("the engine was not given the context's Hook as its replayRecorder");
        }

        if (engine.SessionId.Value != artifact.SessionId)
        {
            problems.Add($"the engine's session is '{engine.SessionId.Value}', the recording's '{artifact.SessionId}' (client order ids derive from it)");
        }

        if (engine.DrivesSimulationClock != artifact.DrivesClock)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the recorded engine {(artifact.DrivesClock ? "drove" : "did not drive")} its clock from market data; set EngineOptions.DriveClockFromMarketData = {(artifact.DrivesClock ? "true" : "false")} and build over the context's Clock"));
        }

        if (problems.Count > 0)
        {
            throw new SessionReplayException(ReplayErrorCodes.SetupInvalid, "The replayed engine does not match the recording: " + string.Join("; ", problems) + ".");
        }
    }
}
