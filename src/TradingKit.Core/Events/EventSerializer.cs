using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events.Json;

namespace TradingKit.Events;

/// <summary>
/// Turns event payloads and envelopes into UTF-8 JSON and back, with source-generated contracts (no reflection).
/// The payload's type travels beside the JSON (the store's type column, the envelope's <c>event_type</c>), never
/// inside it. See docs/events.md for the rules.
/// </summary>
public static class EventSerializer
{
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("event_id");
    private static readonly JsonEncodedText StreamIdName = JsonEncodedText.Encode("stream_id");
    private static readonly JsonEncodedText StreamVersionName = JsonEncodedText.Encode("stream_version");
    private static readonly JsonEncodedText GlobalPositionName = JsonEncodedText.Encode("global_position");
    private static readonly JsonEncodedText EventTypeName = JsonEncodedText.Encode("event_type");
    private static readonly JsonEncodedText SchemaVersionName = JsonEncodedText.Encode("schema_version");
    private static readonly JsonEncodedText OccurredAtName = JsonEncodedText.Encode("occurred_at");
    private static readonly JsonEncodedText RecordedAtName = JsonEncodedText.Encode("recorded_at");
    private static readonly JsonEncodedText CorrelationIdName = JsonEncodedText.Encode("correlation_id");
    private static readonly JsonEncodedText CausationIdName = JsonEncodedText.Encode("causation_id");
    private static readonly JsonEncodedText DedupKeyName = JsonEncodedText.Encode("dedup_key");
    private static readonly JsonEncodedText PayloadName = JsonEncodedText.Encode("payload");

    private static readonly string[] EnvelopeProperties =
    [
        "event_id", "stream_id", "stream_version", "global_position", "event_type", "schema_version",
        "occurred_at", "recorded_at", "correlation_id", "causation_id", "dedup_key", "payload",
    ];

    // causation_id and dedup_key may be absent; everything else must be present.
    private const int RequiredEnvelopeProperties = 0b1001_1111_1111;

    /// <summary>Serializes a payload to UTF-8 JSON.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The JSON bytes.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written (a default id).</exception>
    public static byte[] Serialize(ITradingEvent payload) => PayloadJson.ToBytes(payload, EventCatalog.Get(payload));

    /// <summary>Serializes a payload to UTF-8 JSON into a buffer.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="destination">Receives the JSON bytes.</param>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static void Serialize(ITradingEvent payload, IBufferWriter<byte> destination)
    {
        var registration = EventCatalog.Get(payload);
        PayloadJson.Write(destination, (payload, registration), static (writer, state) => PayloadJson.Write(state.payload, state.registration, writer));
    }

    /// <summary>Writes a payload as one JSON value to a writer (for embedding it in a larger document).</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="writer">The writer.</param>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static void Serialize(ITradingEvent payload, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        PayloadJson.Write(payload, EventCatalog.Get(payload), writer);
    }

    /// <summary>Reads a payload of a registered type.</summary>
    /// <param name="typeName">The stable type name stored with the payload.</param>
    /// <param name="utf8Json">The payload's JSON.</param>
    /// <returns>The payload, with every required field present.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered name; <c>MALFORMED_PAYLOAD</c> for invalid JSON, a missing required field, a wrong type or an unknown field.</exception>
    public static ITradingEvent Deserialize(string typeName, ReadOnlySpan<byte> utf8Json)
        => (ITradingEvent)PayloadJson.Read(utf8Json, EventCatalog.Get(typeName));

    /// <summary>
    /// Reads a payload stored at <paramref name="schemaVersion"/>: read as it is when that is the registered version,
    /// else brought up to it by the catalogue's upcasters (<see cref="EventCatalog.RegisterUpcaster"/>) first.
    /// </summary>
    /// <param name="typeName">The stable type name stored with the payload.</param>
    /// <param name="schemaVersion">The schema version stored with the payload.</param>
    /// <param name="utf8Json">The payload's JSON.</param>
    /// <returns>The payload, at the registered version.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered name; <c>MALFORMED_PAYLOAD</c> for a version this build cannot read (newer than its own, or older with no upcaster), a failing upcaster, or a payload the contract refuses.</exception>
    public static ITradingEvent Deserialize(string typeName, int schemaVersion, ReadOnlySpan<byte> utf8Json)
    {
        var registration = EventCatalog.Get(typeName);
        if (schemaVersion == registration.SchemaVersion)
        {
            return (ITradingEvent)PayloadJson.Read(utf8Json, registration);
        }

        if (schemaVersion < 1 || schemaVersion > registration.SchemaVersion)
        {
            throw PayloadJson.Malformed(
                $"Event type '{typeName}' is stored with schema version {schemaVersion}; this build reads versions 1 to {registration.SchemaVersion}.");
        }

        JsonObject payload;
        try
        {
            payload = JsonNode.Parse(utf8Json) as JsonObject
                ?? throw PayloadJson.Malformed($"The '{typeName}' payload at schema version {schemaVersion} is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw PayloadJson.Malformed($"The '{typeName}' payload at schema version {schemaVersion} is not valid JSON: {ex.Message}", ex);
        }

        for (var version = schemaVersion; version < registration.SchemaVersion; version++)
        {
            if (!EventCatalog.TryGetUpcaster(typeName, version, out var upcast))
            {
                throw PayloadJson.Malformed(
                    $"Event type '{typeName}' is stored with schema version {schemaVersion}; this build reads version {registration.SchemaVersion} and has no upcaster from version {version}.");
            }

            try
            {
                payload = upcast!(payload) ?? throw new InvalidOperationException("the upcaster returned null");
            }
            catch (Exception ex) when (ex is not TradingKitException)
            {
                throw PayloadJson.Malformed($"The upcaster of '{typeName}' from schema version {version} failed: {ex.Message}", ex);
            }
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            payload.WriteTo(writer);
        }

        return (ITradingEvent)PayloadJson.Read(buffer.WrittenSpan, registration);
    }

    /// <summary>Serializes a whole stored event (metadata and payload) as one JSON object, for JSONL export.</summary>
    /// <param name="envelope">The event.</param>
    /// <returns>The JSON bytes, without a trailing newline.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered payload type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static byte[] SerializeEnvelope(EventEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        SerializeEnvelope(envelope, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes a whole stored event (metadata and payload) as one JSON object into a buffer.</summary>
    /// <param name="envelope">The event.</param>
    /// <param name="destination">Receives the JSON bytes, without a trailing newline.</param>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered payload type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static void SerializeEnvelope(EventEnvelope envelope, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var registration = EventCatalog.Get(envelope.Payload);
        if (!string.Equals(registration.TypeName, envelope.EventType, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The envelope says '{envelope.EventType}' but its payload is registered as '{registration.TypeName}'.", nameof(envelope));
        }

        PayloadJson.Write(destination, (envelope, registration), static (writer, state) => WriteEnvelope(writer, state.envelope, state.registration));
    }

    /// <summary>Reads a stored event written by <see cref="SerializeEnvelope(EventEnvelope)"/>.</summary>
    /// <param name="utf8Json">One JSON object.</param>
    /// <returns>The event.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered <c>event_type</c>; <c>MALFORMED_PAYLOAD</c> for anything else that is wrong.</exception>
    public static EventEnvelope DeserializeEnvelope(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return ReadEnvelope(utf8Json);
        }
        catch (JsonException ex)
        {
            throw PayloadJson.Guard(ex);
        }
    }

    private static void WriteEnvelope(Utf8JsonWriter writer, EventEnvelope envelope, PayloadRegistration registration)
    {
        writer.WriteStartObject();
        writer.WriteString(EventIdName, envelope.EventId);
        writer.WriteString(StreamIdName, envelope.StreamId);
        writer.WriteNumber(StreamVersionName, envelope.StreamVersion);
        writer.WriteNumber(GlobalPositionName, envelope.GlobalPosition);
        writer.WriteString(EventTypeName, envelope.EventType);
        writer.WriteNumber(SchemaVersionName, envelope.SchemaVersion);
        writer.WriteString(OccurredAtName, envelope.OccurredAt);
        writer.WriteString(RecordedAtName, envelope.RecordedAt);
        writer.WriteString(CorrelationIdName, envelope.CorrelationId.Value);
        if (envelope.CausationId is { } causation)
        {
            writer.WriteString(CausationIdName, causation);
        }
        else
        {
            writer.WriteNull(CausationIdName);
        }

        writer.WriteString(DedupKeyName, envelope.DedupKey);
        writer.WritePropertyName(PayloadName);
        PayloadJson.Write(envelope.Payload, registration, writer);
        writer.WriteEndObject();
    }

    private static EventEnvelope ReadEnvelope(ReadOnlySpan<byte> utf8Json)
    {
        var reader = PayloadJson.StartEnvelope(utf8Json);
        Guid eventId = default;
        string streamId = string.Empty;
        long streamVersion = 0, globalPosition = 0;
        string eventType = string.Empty;
        int schemaVersion = 0, seen = 0;
        DateTimeOffset occurredAt = default, recordedAt = default;
        CorrelationId correlationId = default;
        Guid? causationId = null;
        string? dedupKey = null;
        Range payload = default;

        while (reader.TokenType != JsonTokenType.EndObject)
        {
            var name = PayloadJson.NextProperty(ref reader);
            var index = Array.IndexOf(EnvelopeProperties, name);
            if (index < 0)
            {
                throw PayloadJson.Malformed($"The envelope has an unknown property '{name}'.");
            }

            PayloadJson.MarkSeen(ref seen, 1 << index, name);
            switch (index)
            {
                case 0: eventId = PayloadJson.ReadGuid(ref reader, name); break;
                case 1: streamId = PayloadJson.ReadString(ref reader, name); break;
                case 2: streamVersion = PayloadJson.ReadInt64(ref reader, name); break;
                case 3: globalPosition = PayloadJson.ReadInt64(ref reader, name); break;
                case 4: eventType = PayloadJson.ReadString(ref reader, name); break;
                case 5: schemaVersion = PayloadJson.ReadInt32(ref reader, name); break;
                case 6: occurredAt = PayloadJson.ReadTimestamp(ref reader, name); break;
                case 7: recordedAt = PayloadJson.ReadTimestamp(ref reader, name); break;
                case 8: correlationId = PayloadJson.ReadCorrelationId(ref reader, name); break;
                case 9: causationId = PayloadJson.ReadNullableGuid(ref reader, name); break;
                case 10: dedupKey = PayloadJson.ReadNullableString(ref reader, name); break;
                default: payload = PayloadJson.CaptureObject(ref reader, name); break;
            }

            reader.Read();
        }

        PayloadJson.RequireAll(seen, RequiredEnvelopeProperties, EnvelopeProperties);
        if (reader.Read())
        {
            throw PayloadJson.Malformed("The envelope has data after its closing brace.");
        }

        // A payload stored at an older schema version is upcast; the envelope then says the version it now has.
        var data = Deserialize(eventType, schemaVersion, utf8Json[payload]);
        schemaVersion = EventCatalog.Get(eventType).SchemaVersion;
        return new EventEnvelope(eventId, streamId, streamVersion, globalPosition, eventType, schemaVersion,
            occurredAt, recordedAt, correlationId, causationId, dedupKey, data);
    }
}
