using TradingKit.Domain;

namespace TradingKit.Commands;

/// <summary>Marker for every command payload. Commands are how operators and UIs change state.</summary>
public interface ITradingCommand;

/// <summary>The states of a stored command. Transitions are governed by <see cref="CommandStateMachine"/>.</summary>
public enum CommandStatus : byte
{
    /// <summary>Inserted, not yet claimed.</summary>
    New = 0,

    /// <summary>Claimed by one executor.</summary>
    Sent = 1,

    /// <summary>Executed successfully. Terminal.</summary>
    Ack = 2,

    /// <summary>Executed and failed. Terminal.</summary>
    Failed = 3,
}

/// <summary>A command with its identity and metadata.</summary>
/// <param name="CommandId">A unique id.</param>
/// <param name="IdempotencyKey">Makes the insert idempotent: a second command with the same key is the same command.</param>
/// <param name="Payload">The command.</param>
/// <param name="Actor">Who issued it (operator name, service), for the audit trail.</param>
/// <param name="IssuedAt">When it was issued.</param>
/// <param name="CorrelationId">Ties the command to the events it causes.</param>
public sealed record CommandEnvelope(
    Guid CommandId,
    string IdempotencyKey,
    ITradingCommand Payload,
    string Actor,
    DateTimeOffset IssuedAt,
    CorrelationId CorrelationId);
