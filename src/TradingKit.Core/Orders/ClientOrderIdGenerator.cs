using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TradingKit.Domain;

namespace TradingKit.Orders;

/// <summary>
/// Derives the deterministic client order id of an order intent (PIPE-260 §4.1):
/// <c>client_order_id = hash(session, strategy, symbol, side, decision_time, intent)</c>. The same intent always
/// gets the same id, in every process on every machine, so a retry or a restart re-sends the same id and the
/// venue refuses a duplicate instead of opening a second order.
/// </summary>
/// <remarks>
/// The id is <c>tk-</c> followed by 26 lower-case base32 characters (RFC 4648 alphabet) carrying 130 bits of the
/// SHA-256 of a canonical, length-prefixed UTF-8 encoding of the inputs: 29 characters from <c>[a-z2-7-]</c>,
/// inside every venue's 36-character, <c>[.A-Z:/a-z0-9_-]</c> limit. The decision time enters as UTC ticks, so
/// the same instant written with different offsets gives the same id. The algorithm is pinned by a golden-value
/// test: changing it would change every id and break idempotency across an upgrade.
/// </remarks>
public static class ClientOrderIdGenerator
{
    /// <summary>The prefix of every generated id; it tells TradingKit's ids apart from manual ones at the venue.</summary>
    public const string Prefix = "tk-";

    /// <summary>The length of every generated id.</summary>
    public const int Length = 29;

    private const int HashChars = Length - 3;

    // Bumped only together with a deliberate, documented change of the encoding; it keeps old and new ids apart.
    private const byte EncodingVersion = 1;

    private const int StackBufferSize = 512;

    private static ReadOnlySpan<byte> Base32Alphabet => "abcdefghijklmnopqrstuvwxyz234567"u8;

    /// <summary>Derives the client order id of an order intent.</summary>
    /// <param name="sessionId">The session (run) that decided it.</param>
    /// <param name="strategyId">The deciding strategy.</param>
    /// <param name="symbol">The instrument.</param>
    /// <param name="side">Buy or sell.</param>
    /// <param name="decisionTime">The bar or tick time of the decision.</param>
    /// <param name="intentKey">What tells this intent apart from others of the same decision (for example <c>entry</c>, <c>stop_loss</c>, <c>scale_in_2</c>).</param>
    /// <returns>The id; equal inputs give an equal id.</returns>
    /// <exception cref="ArgumentException">An id is default (empty), the side is undefined, or the intent key is empty.</exception>
    public static ClientOrderId Create(SessionId sessionId, StrategyId strategyId, Symbol symbol, OrderSide side, DateTimeOffset decisionTime, string intentKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId.Value, nameof(sessionId));
        ArgumentException.ThrowIfNullOrEmpty(strategyId.Value, nameof(strategyId));
        ArgumentException.ThrowIfNullOrEmpty(symbol.Value, nameof(symbol));
        ArgumentException.ThrowIfNullOrEmpty(intentKey);
        if (side is not (OrderSide.Buy or OrderSide.Sell))
        {
            throw new ArgumentOutOfRangeException(nameof(side), side, "The side must be Buy or Sell.");
        }

        var maxSize = 1 + (4 * 4) + 1 + 8 + Encoding.UTF8.GetMaxByteCount(
            sessionId.Value.Length + strategyId.Value.Length + symbol.Value.Length + intentKey.Length);
        byte[]? rented = null;
        var buffer = maxSize <= StackBufferSize
            ? stackalloc byte[StackBufferSize]
            : (rented = ArrayPool<byte>.Shared.Rent(maxSize));
        try
        {
            var length = Encode(buffer, sessionId.Value, strategyId.Value, symbol.Value, side, decisionTime, intentKey);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..length], hash);
            return new ClientOrderId(Format(hash));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Every string is length-prefixed, so ("ab", "c") and ("a", "bc") can never encode to the same bytes.
    private static int Encode(Span<byte> buffer, string session, string strategy, string symbol, OrderSide side, DateTimeOffset decisionTime, string intent)
    {
        buffer[0] = EncodingVersion;
        var position = 1;
        position = WriteString(buffer, position, session);
        position = WriteString(buffer, position, strategy);
        position = WriteString(buffer, position, symbol);
        buffer[position++] = (byte)side;
        BinaryPrimitives.WriteInt64LittleEndian(buffer[position..], decisionTime.UtcTicks);
        position += 8;
        return WriteString(buffer, position, intent);
    }

    private static int WriteString(Span<byte> buffer, int position, string value)
    {
        var written = Encoding.UTF8.GetBytes(value, buffer[(position + 4)..]);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[position..], written);
        return position + 4 + written;
    }

    private static string Format(ReadOnlySpan<byte> hash)
    {
        Span<char> chars = stackalloc char[Length];
        Prefix.AsSpan().CopyTo(chars);
        var alphabet = Base32Alphabet;
        int accumulator = 0, bits = 0, next = 0;
        for (var i = 0; i < HashChars; i++)
        {
            if (bits < 5)
            {
                accumulator = ((accumulator << 8) | hash[next++]) & 0xFFFF;
                bits += 8;
            }

            bits -= 5;
            chars[Prefix.Length + i] = (char)alphabet[(accumulator >> bits) & 31];
        }

        return new string(chars);
    }
}
