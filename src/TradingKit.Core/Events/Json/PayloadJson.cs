using System.Buffers;
using System.Text;
using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Events.Json;

/// <summary>
/// Reading and writing of registered payloads and of envelope fields, shared by the event and command serializers.
/// Every failure to read becomes a <see cref="TradingKitException"/> with code <c>MALFORMED_PAYLOAD</c>.
/// </summary>
internal static class PayloadJson
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] ToBytes(object payload, PayloadRegistration registration)
    {
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(payload, registration.TypeInfo);
        }
        catch (JsonException ex)
        {
            throw Unwritable(registration, ex);
        }
    }

    public static void Write(object payload, PayloadRegistration registration, Utf8JsonWriter writer)
    {
        try
        {
            JsonSerializer.Serialize(writer, payload, registration.TypeInfo);
        }
        catch (JsonException ex)
        {
            throw Unwritable(registration, ex);
        }
    }

    /// <summary>Writes through a per-thread cached <see cref="Utf8JsonWriter"/> so a hot path does not allocate one per call.</summary>
    public static void Write<TState>(IBufferWriter<byte> destination, TState state, Action<Utf8JsonWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = t_writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(destination);
            t_writer = writer;
        }
        else
        {
            writer.Reset(destination);
        }

        // The cached writer must not keep the caller's buffer alive, nor be left half-used by a failed write.
        t_writer = null;
        try
        {
            write(writer, state);
            writer.Flush();
            t_writer = writer;
        }
        finally
        {
            writer.Reset(NullBufferWriter.Instance);
        }
    }

    public static object Read(ReadOnlySpan<byte> utf8Json, PayloadRegistration registration)
    {
        object? value;
        try
        {
            value = JsonSerializer.Deserialize(utf8Json, registration.TypeInfo);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException or TradingKitException)
        {
            throw Malformed($"The '{registration.TypeName}' payload cannot be read: {ex.Message}", ex);
        }

        return value ?? throw Malformed($"The '{registration.TypeName}' payload is JSON null.");
    }

    public static TradingKitException Malformed(string message, Exception? inner = null)
        => new(ErrorCodes.MalformedPayload, message, inner);

    private static TradingKitException Unwritable(PayloadRegistration registration, JsonException ex)
        => Malformed($"The '{registration.TypeName}' payload cannot be written: {ex.Message}", ex);

    /// <summary>Moves to the value of the next envelope property and returns its name.</summary>
    public static string NextProperty(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.PropertyName)
        {
            throw Malformed($"Expected a property name at byte {reader.TokenStartIndex}, found {reader.TokenType}.");
        }

        var name = reader.GetString()!;
        reader.Read();
        return name;
    }

    public static string ReadString(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw WrongType(property, "a string", reader.TokenType);

    public static string? ReadNullableString(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.Null ? null : ReadString(ref reader, property);

    public static Guid ReadGuid(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var value)
            ? value
            : throw WrongType(property, "a uuid string", reader.TokenType);

    public static Guid? ReadNullableGuid(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.Null ? null : ReadGuid(ref reader, property);

    public static long ReadInt64(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? value
            : throw WrongType(property, "an integer", reader.TokenType);

    public static int ReadInt32(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)
            ? value
            : throw WrongType(property, "an integer", reader.TokenType);

    public static DateTimeOffset ReadTimestamp(ref Utf8JsonReader reader, string property)
        => reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value)
            ? value
            : throw WrongType(property, "an ISO 8601 timestamp", reader.TokenType);

    public static CorrelationId ReadCorrelationId(ref Utf8JsonReader reader, string property)
        => new(ReadGuid(ref reader, property));

    /// <summary>Skips the object under the reader and returns where its raw bytes are, to be read once its type is known.</summary>
    public static Range CaptureObject(ref Utf8JsonReader reader, string property)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw WrongType(property, "an object", reader.TokenType);
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    public static void MarkSeen(ref int seen, int bit, string property)
    {
        if ((seen & bit) != 0)
        {
            throw Malformed($"The envelope property '{property}' appears twice.");
        }

        seen |= bit;
    }

    public static void RequireAll(int seen, int required, ReadOnlySpan<string> names)
    {
        var missing = required & ~seen;
        if (missing == 0)
        {
            return;
        }

        var list = new StringBuilder();
        for (var i = 0; i < names.Length; i++)
        {
            if ((missing & (1 << i)) != 0)
            {
                list.Append(list.Length == 0 ? string.Empty : ", ").Append(names[i]);
            }
        }

        throw Malformed($"The envelope is missing the required properties: {list}.");
    }

    /// <summary>Starts reading an envelope; any reader failure later surfaces as <c>MALFORMED_PAYLOAD</c> through <see cref="Guard"/>.</summary>
    public static Utf8JsonReader StartEnvelope(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Malformed("An envelope must be a JSON object.");
        }

        reader.Read();
        return reader;
    }

    public static TradingKitException Guard(JsonException ex)
        => Malformed($"The envelope is not valid JSON: {ex.Message}", ex);

    private static TradingKitException WrongType(string property, string expected, JsonTokenType found)
        => Malformed($"The envelope property '{property}' must be {expected}, found {found}.");

    private sealed class NullBufferWriter : IBufferWriter<byte>
    {
        public static readonly NullBufferWriter Instance = new();

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => Array.Empty<byte>();

        public Span<byte> GetSpan(int sizeHint = 0) => [];
    }
}
