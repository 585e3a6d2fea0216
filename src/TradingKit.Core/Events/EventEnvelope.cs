using TradingKit.Domain;

namespace TradingKit.Events;

/// <summary>
/// Marker for every event payload. Payloads are immutable records registered in <see cref="EventCatalog"/>
/// under a stable type name.
/// </summary>
public interface ITradingEvent;

/// <summary>An event to append: the payload and its metadata. The store assigns version and global position.</summary>
/// <param name="EventId">A unique id for this event.</param>
/// <param name="Payload">The immutable event payload.</param>
/// <param name="OccurredAt">When it happened, on the engine clock.</param>
/// <param name="CorrelationId">Ties together everything caused by one decision or command.</param>
/// <param name="CausationId">The id of the event or command that directly caused this one.</param>
/// <param name="DedupKey">A key that makes the append idempotent: a second event with the same key is dropped.</param>
public sealed record EventData(
    Guid EventId,
    ITradingEvent Payload,
    DateTimeOffset OccurredAt,
    CorrelationId CorrelationId,
    Guid? CausationId = null,
    string? DedupKey = null);

/// <summary>A stored event with everything the store assigned.</summary>
/// <param name="EventId">The event's unique id.</param>
/// <param name="StreamId">The stream it belongs to (for example <c>order-…</c>, <c>account-…</c>).</param>
/// <param name="StreamVersion">Its version within the stream, starting at 1.</param>
/// <param name="GlobalPosition">Its position in the whole log, starting at 1, strictly increasing.</param>
/// <param name="EventType">The stable type name of the payload.</param>
/// <param name="SchemaVersion">The payload's schema version.</param>
/// <param name="OccurredAt">When it happened, on the engine clock.</param>
/// <param name="RecordedAt">When the store recorded it.</param>
/// <param name="CorrelationId">The correlation id.</param>
/// <param name="CausationId">The causing event or command id.</param>
/// <param name="DedupKey">The dedup key, if any.</param>
/// <param name="Payload">The payload.</param>
public sealed record EventEnvelope(
    Guid EventId,
    string StreamId,
    long StreamVersion,
    long GlobalPosition,
    string EventType,
    int SchemaVersion,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    CorrelationId CorrelationId,
    Guid? CausationId,
    string? DedupKey,
    ITradingEvent Payload);
