using System.Text;
using TradingKit.Commands;
using TradingKit.Errors;
using TradingKit.Events;

namespace TradingKit.Postgres;

/// <summary>
/// Stores event payloads as the event catalogue's JSON (<see cref="EventSerializer"/>): stable type names, schema versions,
/// typed errors for unknown types and malformed payloads. The default serializer of <c>AddTradingKitPostgres</c>.
/// </summary>
public sealed class CatalogEventPayloadSerializer : IEventPayloadSerializer
{
    /// <inheritdoc />
    public string GetTypeName(ITradingEvent payload) => EventCatalog.GetTypeName(payload);

    /// <inheritdoc />
    public int GetSchemaVersion(ITradingEvent payload) => EventCatalog.GetSchemaVersion(payload);

    /// <inheritdoc />
    public string Serialize(ITradingEvent payload) => Encoding.UTF8.GetString(EventSerializer.Serialize(payload));

    /// <inheritdoc />
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c>, or <c>MALFORMED_PAYLOAD</c> for a payload or schema version this build cannot read.</exception>
    public ITradingEvent Deserialize(string typeName, int schemaVersion, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Deserialize(typeName, schemaVersion, Encoding.UTF8.GetBytes(json));
    }

    /// <inheritdoc />
    /// <exception cref="TradingKitException"><c>UNKNOWN_TYPE_NAME</c>, or <c>MALFORMED_PAYLOAD</c> for a payload or schema version this build cannot read.</exception>
    /// <remarks>A payload stored at an older version is brought up to the registered one by the catalogue's upcasters.</remarks>
    public ITradingEvent Deserialize(string typeName, int schemaVersion, ReadOnlySpan<byte> utf8Json)
        => EventSerializer.Deserialize(typeName, schemaVersion, utf8Json);
}

/// <summary>Stores command payloads as the command catalogue's JSON (<see cref="CommandSerializer"/>).</summary>
public sealed class CatalogCommandPayloadSerializer : ICommandPayloadSerializer
{
    /// <inheritdoc />
    public string GetTypeName(ITradingCommand payload) => CommandCatalog.GetTypeName(payload);

    /// <inheritdoc />
    public string Serialize(ITradingCommand payload) => Encoding.UTF8.GetString(CommandSerializer.Serialize(payload));

    /// <inheritdoc />
    public ITradingCommand Deserialize(string typeName, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return CommandSerializer.Deserialize(typeName, Encoding.UTF8.GetBytes(json));
    }
}
