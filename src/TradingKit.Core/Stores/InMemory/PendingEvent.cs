using TradingKit.Domain;
using TradingKit.Events;

namespace TradingKit.Stores.InMemory;

/// <summary>An event on its way into the in-memory log: the fields of <see cref="EventData"/>, without an object per event.</summary>
/// <param name="EventId">A unique id for this event.</param>
/// <param name="Payload">The immutable event payload.</param>
/// <param name="OccurredAt">When it happened, on the engine clock.</param>
/// <param name="CorrelationId">Ties together everything caused by one decision or command.</param>
/// <param name="CausationId">The id of the event or command that directly caused this one.</param>
/// <param name="DedupKey">A key that makes the append idempotent.</param>
internal readonly record struct PendingEvent(
    Guid EventId,
    ITradingEvent Payload,
    DateTimeOffset OccurredAt,
    CorrelationId CorrelationId,
    Guid? CausationId,
    string? DedupKey);
