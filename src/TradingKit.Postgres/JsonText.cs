using System.Text;
using System.Text.Json;

namespace TradingKit.Postgres;

/// <summary>Refuses malformed JSON before it reaches the server, with the same error the in-memory stores raise.</summary>
internal static class JsonText
{
    public static void EnsureWellFormed(string json, string paramName)
    {
        ArgumentNullException.ThrowIfNull(json, paramName);
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new ArgumentException("The value is not well-formed JSON: it is empty.", paramName);
        }

        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The value is not well-formed JSON: {e.Message}", paramName, e);
        }
    }
}
