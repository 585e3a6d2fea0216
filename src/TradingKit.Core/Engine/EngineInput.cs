using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.MarketData;

namespace TradingKit.Engine;

/// <summary>What kind of input the engine loop received.</summary>
public enum EngineInputKind : byte
{
    /// <summary>A market data item.</summary>
    MarketData = 1,

    /// <summary>A venue event (execution report, connection change).</summary>
    Venue = 2,

    /// <summary>An operator or system command.</summary>
    Command = 3,

    /// <summary>A timer tick.</summary>
    Timer = 4,

    /// <summary>End of input: drain and stop.</summary>
    Stop = 5,
}

/// <summary>One input of the engine loop. A struct, so queuing an input does not allocate.</summary>
public readonly record struct EngineInput
{
    /// <summary>What kind of input.</summary>
    public EngineInputKind Kind { get; private init; }

    /// <summary>The market data item, for <see cref="EngineInputKind.MarketData"/>.</summary>
    public MarketDataEvent? MarketData { get; private init; }

    /// <summary>The venue event, for <see cref="EngineInputKind.Venue"/>.</summary>
    public VenueEvent? VenueEvent { get; private init; }

    /// <summary>The command, for <see cref="EngineInputKind.Command"/>.</summary>
    public CommandEnvelope? Command { get; private init; }

    /// <summary>Completed with the command's result, for <see cref="EngineInputKind.Command"/> inputs queued by <see cref="TradingEngine.ExecuteAsync"/>.</summary>
    public TaskCompletionSource<CommandResult>? Completion { get; private init; }

    /// <summary>A market data input.</summary>
    /// <param name="marketData">The item.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForMarketData(MarketDataEvent marketData) => new() { Kind = EngineInputKind.MarketData, MarketData = marketData };

    /// <summary>A venue event input.</summary>
    /// <param name="venueEvent">The event.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForVenue(VenueEvent venueEvent) => new() { Kind = EngineInputKind.Venue, VenueEvent = venueEvent };

    /// <summary>A command input.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForCommand(CommandEnvelope command) => new() { Kind = EngineInputKind.Command, Command = command };

    /// <summary>A command input whose result is reported through <paramref name="completion"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="completion">Completed with the result.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForCommand(CommandEnvelope command, TaskCompletionSource<CommandResult> completion)
        => new() { Kind = EngineInputKind.Command, Command = command, Completion = completion };

    /// <summary>A timer tick.</summary>
    public static EngineInput Timer => new() { Kind = EngineInputKind.Timer };

    /// <summary>The stop marker.</summary>
    public static EngineInput Stop => new() { Kind = EngineInputKind.Stop };
}
