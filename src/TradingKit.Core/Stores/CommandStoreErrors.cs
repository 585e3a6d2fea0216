using System.Globalization;
using TradingKit.Commands;
using TradingKit.Errors;

namespace TradingKit.Stores;

/// <summary>The typed errors every command store raises, so implementations word them alike.</summary>
public static class CommandStoreErrors
{
    /// <summary>The error for completing a command that is not claimed.</summary>
    /// <param name="commandId">The command.</param>
    /// <param name="status">Its current status.</param>
    /// <returns>An <c>INVALID_STATE_TRANSITION</c> error.</returns>
    public static TradingKitException NotClaimed(Guid commandId, CommandStatus status) =>
        new(ErrorCodes.InvalidStateTransition, string.Create(CultureInfo.InvariantCulture,
            $"Command {commandId} is {status.ToString().ToUpperInvariant()}; only a claimed (SENT) command can be completed."));
}
