using System.Buffers;
using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events.Json;

namespace TradingKit.Commands;

/// <summary>
/// Turns command payloads and envelopes into UTF-8 JSON and back, with the same rules as
/// <see cref="Events.EventSerializer"/> (docs/events.md).
/// </summary>
public static class CommandSerializer
{
    private static readonly JsonEncodedText CommandIdName = JsonEncodedText.Encode("command_id");
    private static readonly JsonEncodedText IdempotencyKeyName = JsonEncodedText.Encode("idempotency_key");
    private static readonly JsonEncodedText CommandTypeName = JsonEncodedText.Encode("command_type");
    private static readonly JsonEncodedText SchemaVersionName = JsonEncodedText.Encode("schema_version");
    private static readonly JsonEncodedText ActorName = JsonEncodedText.Encode("actor");
    private static readonly JsonEncodedText IssuedAtName = JsonEncodedText.Encode("issued_at");
    private static readonly JsonEncodedText CorrelationIdName = JsonEncodedText.Encode("correlation_id");
    private static readonly JsonEncodedText PayloadName = JsonEncodedText.Encode("payload");

    private static readonly string[] EnvelopeProperties =
    [
        "command_id", "idempotency_key", "command_type", "schema_version", "actor", "issued_at", "correlation_id", "payload",
    ];

    private const int RequiredEnvelopeProperties = 0b1111_1111;

    /// <summary>Serializes a command payload to UTF-8 JSON.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The JSON bytes.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static byte[] Serialize(ITradingCommand payload) => PayloadJson.ToBytes(payload, CommandCatalog.Get(payload));

    /// <summary>Serializes a command payload to UTF-8 JSON into a buffer.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="destination">Receives the JSON bytes.</param>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static void Serialize(ITradingCommand payload, IBufferWriter<byte> destination)
    {
        var registration = CommandCatalog.Get(payload);
        PayloadJson.Write(destination, (payload, registration), static (writer, state) => PayloadJson.Write(state.payload, state.registration, writer));
    }

    /// <summary>Writes a command payload as one JSON value to a writer.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="writer">The writer.</param>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static void Serialize(ITradingCommand payload, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        PayloadJson.Write(payload, CommandCatalog.Get(payload), writer);
    }

    /// <summary>Reads a command payload of a registered type.</summary>
    /// <param name="typeName">The stable type name stored with the payload.</param>
    /// <param name="utf8Json">The payload's JSON.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered name; <c>MALFORMED_PAYLOAD</c> for invalid JSON, a missing required field, a wrong type or an unknown field.</exception>
    public static ITradingCommand Deserialize(string typeName, ReadOnlySpan<byte> utf8Json)
        => (ITradingCommand)PayloadJson.Read(utf8Json, CommandCatalog.Get(typeName));

    /// <summary>Serializes a whole command (identity, metadata and payload) as one JSON object.</summary>
    /// <param name="envelope">The command.</param>
    /// <returns>The JSON bytes.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered payload type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static byte[] SerializeEnvelope(CommandEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        SerializeEnvelope(envelope, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes a whole command as one JSON object into a buffer.</summary>
    /// <param name="envelope">The command.</param>
    /// <param name="destination">Receives the JSON bytes.</param>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered payload type; <c>MALFORMED_PAYLOAD</c> when a field cannot be written.</exception>
    public static void SerializeEnvelope(CommandEnvelope envelope, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var registration = CommandCatalog.Get(envelope.Payload);
        PayloadJson.Write(destination, (envelope, registration), static (writer, state) => WriteEnvelope(writer, state.envelope, state.registration));
    }

    /// <summary>Reads a command written by <see cref="SerializeEnvelope(CommandEnvelope)"/>.</summary>
    /// <param name="utf8Json">One JSON object.</param>
    /// <returns>The command.</returns>
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c> for an unregistered <c>command_type</c>; <c>MALFORMED_PAYLOAD</c> for anything else that is wrong.</exception>
    public static CommandEnvelope DeserializeEnvelope(ReadOnlySpan<byte> utf8Json)
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

    private static void WriteEnvelope(Utf8JsonWriter writer, CommandEnvelope envelope, PayloadRegistration registration)
    {
        writer.WriteStartObject();
        writer.WriteString(CommandIdName, envelope.CommandId);
        writer.WriteString(IdempotencyKeyName, envelope.IdempotencyKey);
        writer.WriteString(CommandTypeName, registration.TypeName);
        writer.WriteNumber(SchemaVersionName, registration.SchemaVersion);
        writer.WriteString(ActorName, envelope.Actor);
        writer.WriteString(IssuedAtName, envelope.IssuedAt);
        writer.WriteString(CorrelationIdName, envelope.CorrelationId.Value);
        writer.WritePropertyName(PayloadName);
        PayloadJson.Write(envelope.Payload, registration, writer);
        writer.WriteEndObject();
    }

    private static CommandEnvelope ReadEnvelope(ReadOnlySpan<byte> utf8Json)
    {
        var reader = PayloadJson.StartEnvelope(utf8Json);
        Guid commandId = default;
        string idempotencyKey = string.Empty, commandType = string.Empty, actor = string.Empty;
        int seen = 0;
        DateTimeOffset issuedAt = default;
        CorrelationId correlationId = default;
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
                case 0: commandId = PayloadJson.ReadGuid(ref reader, name); break;
                case 1: idempotencyKey = PayloadJson.ReadString(ref reader, name); break;
                case 2: commandType = PayloadJson.ReadString(ref reader, name); break;
                case 3: PayloadJson.ReadInt32(ref reader, name); break;
                case 4: actor = PayloadJson.ReadString(ref reader, name); break;
                case 5: issuedAt = PayloadJson.ReadTimestamp(ref reader, name); break;
                case 6: correlationId = PayloadJson.ReadCorrelationId(ref reader, name); break;
                default: payload = PayloadJson.CaptureObject(ref reader, name); break;
            }

            reader.Read();
        }

        PayloadJson.RequireAll(seen, RequiredEnvelopeProperties, EnvelopeProperties);
        if (reader.Read())
        {
            throw PayloadJson.Malformed("The envelope has data after its closing brace.");
        }

        var command = (ITradingCommand)PayloadJson.Read(utf8Json[payload], CommandCatalog.Get(commandType));
        return new CommandEnvelope(commandId, idempotencyKey, command, actor, issuedAt, correlationId);
    }
}
