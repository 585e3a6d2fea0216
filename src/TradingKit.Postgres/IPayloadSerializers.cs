using TradingKit.Commands;
using TradingKit.Events;

namespace TradingKit.Postgres;

/// <summary>Turns event payloads into the JSON stored in <c>event_store.payload</c> and back.</summary>
/// <remarks>The core event catalogue's JSON serializer is the intended implementation; the stores only need these members.</remarks>
public interface IEventPayloadSerializer
{
    /// <summary>The payload's stable type name.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The type name stored in <c>event_type</c>.</returns>
    string GetTypeName(ITradingEvent payload);

    /// <summary>The payload's schema version.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The version stored in <c>schema_version</c>.</returns>
    int GetSchemaVersion(ITradingEvent payload);

    /// <summary>Serialises a payload to JSON text.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>A JSON document.</returns>
    string Serialize(ITradingEvent payload);

    /// <summary>Reads a payload back.</summary>
    /// <param name="typeName">The stored type name.</param>
    /// <param name="schemaVersion">The stored schema version.</param>
    /// <param name="json">The stored JSON.</param>
    /// <returns>The payload.</returns>
    ITradingEvent Deserialize(string typeName, int schemaVersion, string json);

    /// <summary>
    /// Reads a payload back from its UTF-8 JSON, as the event store reads it from the database. Override it when the
    /// serializer can read UTF-8 directly: the default decodes to a string and calls <see cref="Deserialize(string, int, string)"/>.
    /// </summary>
    /// <param name="typeName">The stored type name.</param>
    /// <param name="schemaVersion">The stored schema version.</param>
    /// <param name="utf8Json">The stored JSON, UTF-8 encoded.</param>
    /// <returns>The payload.</returns>
    ITradingEvent Deserialize(string typeName, int schemaVersion, ReadOnlySpan<byte> utf8Json)
        => Deserialize(typeName, schemaVersion, System.Text.Encoding.UTF8.GetString(utf8Json));
}

/// <summary>Turns command payloads into the JSON stored in <c>command_store.payload</c> and back.</summary>
public interface ICommandPayloadSerializer
{
    /// <summary>The payload's stable type name.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The type name stored in <c>command_type</c>.</returns>
    string GetTypeName(ITradingCommand payload);

    /// <summary>Serialises a payload to JSON text.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>A JSON document.</returns>
    string Serialize(ITradingCommand payload);

    /// <summary>Reads a payload back.</summary>
    /// <param name="typeName">The stored type name.</param>
    /// <param name="json">The stored JSON.</param>
    /// <returns>The payload.</returns>
    ITradingCommand Deserialize(string typeName, string json);
}
