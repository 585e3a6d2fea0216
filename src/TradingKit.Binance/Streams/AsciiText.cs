using System.Collections.Concurrent;
using System.Text;

namespace TradingKit.Binance.Streams;

/// <summary>
/// Turns the short, repeating texts of stream messages (symbols, assets) into shared strings, so a message does not
/// allocate a new string for a symbol every adapter already knows.
/// </summary>
internal static class AsciiText
{
    // Binance lists a few hundred symbols; the cap only guards against a stream of ever-new texts.
    private const int MaxCached = 4096;
    private const int MaxLength = 64;

    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Cache.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The text of <paramref name="utf8"/>, shared with earlier calls for the same text.</summary>
    public static string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxLength];
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (Lookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var made = new string(text);
        return Cache.Count < MaxCached ? Cache.GetOrAdd(made, made) : made;
    }
}
