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
/// <remarks>
/// The item is kept in one reference field whatever its kind: the struct stays two words wide, so the loop's input queue
/// (which may hold thousands of items a fast feed has queued ahead) stays small.
/// </remarks>
public readonly record struct EngineInput
{
    private readonly object? _item;

    private EngineInput(EngineInputKind kind, object? item)
    {
        Kind = kind;
        _item = item;
    }

    /// <summary>What kind of input.</summary>
    public EngineInputKind Kind { get; }

    /// <summary>The market data item, for <see cref="EngineInputKind.MarketData"/>.</summary>
    public MarketDataEvent? MarketData => Kind == EngineInputKind.MarketData ? _item as MarketDataEvent : null;

    /// <summary>The venue event, for <see cref="EngineInputKind.Venue"/>.</summary>
    public VenueEvent? VenueEvent => Kind == EngineInputKind.Venue ? (VenueEvent?)_item : null;

    /// <summary>The command, for <see cref="EngineInputKind.Command"/>.</summary>
    public CommandEnvelope? Command => _item switch
    {
        CommandEnvelope command => command,
        PendingCommand pending => pending.Command,
        _ => null,
    };

    /// <summary>Completed with the command's result, for <see cref="EngineInputKind.Command"/> inputs queued by <see cref="TradingEngine.ExecuteAsync"/>.</summary>
    public TaskCompletionSource<CommandResult>? Completion => (_item as PendingCommand)?.Completion;

    /// <summary>A market data input.</summary>
    /// <param name="marketData">The item.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForMarketData(MarketDataEvent marketData) => new(EngineInputKind.MarketData, marketData);

    /// <summary>Market data items the feed already had, queued as one input (see <see cref="MarketDataBatch"/>); the loop unpacks it.</summary>
    internal static EngineInput ForMarketDataBatch(MarketDataBatch batch) => new(EngineInputKind.MarketData, batch);

    /// <summary>The batch this input carries, if it is one.</summary>
    internal MarketDataBatch? Batch => _item as MarketDataBatch;

    /// <summary>A venue event input.</summary>
    /// <param name="venueEvent">The event.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForVenue(VenueEvent venueEvent) => new(EngineInputKind.Venue, venueEvent);

    /// <summary>A command input.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForCommand(CommandEnvelope command) => new(EngineInputKind.Command, command);

    /// <summary>A command input whose result is reported through <paramref name="completion"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="completion">Completed with the result.</param>
    /// <returns>The input.</returns>
    public static EngineInput ForCommand(CommandEnvelope command, TaskCompletionSource<CommandResult> completion)
        => new(EngineInputKind.Command, completion is null ? command : new PendingCommand(command, completion));

    /// <summary>A timer tick.</summary>
    public static EngineInput Timer => new(EngineInputKind.Timer, null);

    /// <summary>The stop marker.</summary>
    public static EngineInput Stop => new(EngineInputKind.Stop, null);

    /// <summary>A command queued with a completion: the rare input that carries two references.</summary>
    private sealed record PendingCommand(CommandEnvelope Command, TaskCompletionSource<CommandResult> Completion);
}
