using TradingKit.Replay;

namespace TradingKit.Engine;

/// <content>
/// Session replay: the hook that records the session's inputs, venue calls and outputs (<see cref="ReplayInputRecorder"/>)
/// or checks a replay against them (<see cref="SessionReplayer"/>). Without one every hook point is a single null check.
/// </content>
public sealed partial class TradingEngine
{
    private readonly EngineReplayHook? _replay;

    /// <summary>The replay hook this engine was built with, if any.</summary>
    internal EngineReplayHook? ReplayHook => _replay;

    /// <summary>True when the engine moves a simulation clock to each market data item's time.</summary>
    internal bool DrivesSimulationClock => _simulationClock is not null;
}
