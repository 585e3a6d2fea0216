using System.Text;
using System.Text.Json;

namespace TradingKit.Stores.InMemory;

/// <summary>Checks JSON text the way the PostgreSQL <c>json</c> column does, so both stores refuse the same input.</summary>
internal static class JsonText
{
    public static void EnsureWellFormed(string json, string paramName)
    {
        ArgumentNullException.ThrowIfNull(json, paramName);
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The value is not well-formed JSON: {e.Message}", paramName, e);
        }

        if (string.IsNullOrWhiteSpace(json))
        {
            throw new ArgumentException("The value is not well-formed JSON: it is empty.", paramName);
        }
    }
}
