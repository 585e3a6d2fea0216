using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
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
/// The id is <c>tk-</c> followed by 25 lower-case base32 characters (RFC 4648 alphabet) carrying the top 125 bits
/// of the 128-bit MurmurHash3 (x64, seed 0) of a canonical, length-prefixed UTF-8 encoding of the inputs:
/// 28 characters from <c>[a-z2-7-]</c>, inside every venue's 36-character, <c>[.A-Z:/a-z0-9_-]</c> limit. The
/// decision time enters as UTC ticks, so the same instant written with different offsets gives the same id.
/// MurmurHash3 rather than SHA-256 because the platform SHA-256 costs about a microsecond per call on Linux (an
/// OpenSSL call) and the ids need uniqueness, not secrecy: 125 bits make an accidental collision among billions
/// of ids negligible. The hash is written out below, so no platform or package update can change its output; a
/// golden-value test pins the whole algorithm, because changing it would change every id and break idempotency
/// across an upgrade.
/// </remarks>
public static class ClientOrderIdGenerator
{
    /// <summary>The prefix of every generated id; it tells TradingKit's ids apart from manual ones at the venue.</summary>
    public const string Prefix = "tk-";

    /// <summary>The length of every generated id.</summary>
    public const int Length = 28;

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
            ? stackalloc byte[maxSize]
            : (rented = ArrayPool<byte>.Shared.Rent(maxSize));
        try
        {
            var length = Encode(buffer, sessionId.Value, strategyId.Value, symbol.Value, side, decisionTime, intentKey);
            return new ClientOrderId(Format(Murmur3.Hash128(buffer[..length])), generated: true);
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

    private static string Format(UInt128 hash)
    {
        Span<char> chars = stackalloc char[Length];
        Prefix.AsSpan().CopyTo(chars);
        var alphabet = Base32Alphabet;
        for (var i = 0; i < HashChars; i++)
        {
            chars[Prefix.Length + i] = (char)alphabet[(int)(hash >> (123 - (5 * i))) & 31];
        }

        return new string(chars);
    }
}

/// <summary>
/// MurmurHash3 x64 128-bit (Austin Appleby's public-domain reference, seed 0). Verified against the reference
/// implementation's published values in the tests.
/// </summary>
internal static class Murmur3
{
    private const ulong C1 = 0x87c37b91114253d5;
    private const ulong C2 = 0x4cf5ad432745937f;

    /// <summary>The hash as <c>h1</c> in the high and <c>h2</c> in the low 64 bits.</summary>
    public static UInt128 Hash128(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ulong h1 = seed, h2 = seed;
        var blocks = data.Length / 16;
        for (var i = 0; i < blocks; i++)
        {
            var k1 = BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 16)..]);
            var k2 = BinaryPrimitives.ReadUInt64LittleEndian(data[((i * 16) + 8)..]);
            h1 ^= MixK1(k1);
            h1 = (BitOperations.RotateLeft(h1, 27) + h2) * 5 + 0x52dce729;
            h2 ^= MixK2(k2);
            h2 = (BitOperations.RotateLeft(h2, 31) + h1) * 5 + 0x38495ab5;
        }

        var tail = data[(blocks * 16)..];
        if (tail.Length > 8)
        {
            h2 ^= MixK2(ReadPartial(tail[8..]));
        }

        if (tail.Length > 0)
        {
            h1 ^= MixK1(ReadPartial(tail[..Math.Min(8, tail.Length)]));
        }

        h1 ^= (ulong)data.Length;
        h2 ^= (ulong)data.Length;
        h1 += h2;
        h2 += h1;
        h1 = FMix(h1);
        h2 = FMix(h2);
        h1 += h2;
        h2 += h1;
        return new UInt128(h1, h2);
    }

    private static ulong MixK1(ulong k) => BitOperations.RotateLeft(k * C1, 31) * C2;

    private static ulong MixK2(ulong k) => BitOperations.RotateLeft(k * C2, 33) * C1;

    private static ulong ReadPartial(ReadOnlySpan<byte> bytes)
    {
        ulong k = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            k = (k << 8) | bytes[i];
        }

        return k;
    }

    private static ulong FMix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccd;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53;
        k ^= k >> 33;
        return k;
    }
}
