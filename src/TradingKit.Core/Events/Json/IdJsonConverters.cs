using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Events.Json;

/// <summary>Shared reading and writing for identifier converters: ids travel as JSON strings.</summary>
internal static class IdJson
{
    public static string ReadString(ref Utf8JsonReader reader, string kind)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A {kind} must be a JSON string, not {reader.TokenType}.");
        }

        return reader.GetString()!;
    }

    /// <summary>Runs an id constructor and turns its validation error into a <see cref="JsonException"/>, so the serializer adds the JSON path.</summary>
    public static T Create<T>(string value, Func<string, T> create)
    {
        try
        {
            return create(value);
        }
        catch (TradingKitException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    public static void Write(Utf8JsonWriter writer, string? value, string kind)
    {
        // A default (never constructed) id struct has no value; writing null would produce a payload that cannot be read back.
        if (value is null)
        {
            throw new JsonException($"Cannot serialize an empty (default) {kind}.");
        }

        writer.WriteStringValue(value);
    }
}

/// <summary>Reads and writes <see cref="ClientOrderId"/> as a JSON string.</summary>
internal sealed class ClientOrderIdJsonConverter : JsonConverter<ClientOrderId>
{
    public override ClientOrderId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "client order id"), static v => new ClientOrderId(v));

    public override void Write(Utf8JsonWriter writer, ClientOrderId value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "client order id");
}

/// <summary>Reads and writes <see cref="VenueOrderId"/> as a JSON string.</summary>
internal sealed class VenueOrderIdJsonConverter : JsonConverter<VenueOrderId>
{
    public override VenueOrderId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "venue order id"), static v => new VenueOrderId(v));

    public override void Write(Utf8JsonWriter writer, VenueOrderId value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "venue order id");
}

/// <summary>Reads and writes <see cref="TradeId"/> as a JSON string.</summary>
internal sealed class TradeIdJsonConverter : JsonConverter<TradeId>
{
    public override TradeId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "trade id"), static v => new TradeId(v));

    public override void Write(Utf8JsonWriter writer, TradeId value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "trade id");
}

/// <summary>Reads and writes <see cref="StrategyId"/> as a JSON string.</summary>
internal sealed class StrategyIdJsonConverter : JsonConverter<StrategyId>
{
    public override StrategyId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "strategy id"), static v => new StrategyId(v));

    public override void Write(Utf8JsonWriter writer, StrategyId value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "strategy id");
}

/// <summary>Reads and writes <see cref="AccountId"/> as a JSON string (the full value: masking is for logs, not for the log of record).</summary>
internal sealed class AccountIdJsonConverter : JsonConverter<AccountId>
{
    public override AccountId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "account id"), static v => new AccountId(v));

    public override void Write(Utf8JsonWriter writer, AccountId value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "account id");
}

/// <summary>Reads and writes <see cref="SessionId"/> as a JSON string.</summary>
internal sealed class SessionIdJsonConverter : JsonConverter<SessionId>
{
    public override SessionId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "session id"), static v => new SessionId(v));

    public override void Write(Utf8JsonWriter writer, SessionId value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "session id");
}

/// <summary>Reads and writes <see cref="Symbol"/> as a JSON string.</summary>
internal sealed class SymbolJsonConverter : JsonConverter<Symbol>
{
    public override Symbol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => IdJson.Create(IdJson.ReadString(ref reader, "symbol"), static v => new Symbol(v));

    public override void Write(Utf8JsonWriter writer, Symbol value, JsonSerializerOptions options)
        => IdJson.Write(writer, value.Value, "symbol");
}

/// <summary>Reads and writes <see cref="CorrelationId"/> as a JSON string in the standard 8-4-4-4-12 uuid form.</summary>
internal sealed class CorrelationIdJsonConverter : JsonConverter<CorrelationId>
{
    public override CorrelationId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = IdJson.ReadString(ref reader, "correlation id");
        return Guid.TryParse(text, CultureInfo.InvariantCulture, out var guid)
            ? new CorrelationId(guid)
            : throw new JsonException($"'{text}' is not a correlation id (a uuid).");
    }

    public override void Write(Utf8JsonWriter writer, CorrelationId value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.Value);
}

/// <summary>
/// Enums travel as UPPER_SNAKE_CASE names (<c>STOP_MARKET</c>, <c>PARTIALLY_FILLED</c>), never as numbers, so a
/// reordered enum cannot change the meaning of a stored event and an unknown name fails loudly.
/// </summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal sealed class UpperSnakeEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public UpperSnakeEnumConverter()
        : base(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false)
    {
    }
}
