using System.Security.Cryptography;

namespace TradingKit.Events;

/// <summary>
/// Random (version 4) GUIDs for event and correlation ids, drawn from the same cryptographic source as
/// <see cref="Guid.NewGuid"/> but 64 at a time: on Linux every <see cref="Guid.NewGuid"/> is a system call, and the engine
/// needs several ids per order.
/// </summary>
internal static class EventIds
{
    private const int Batch = 64;
    private const int GuidSize = 16;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A new random id, as unique as <see cref="Guid.NewGuid"/>.</summary>
    /// <returns>The id.</returns>
    public static Guid New()
    {
        var buffer = t_buffer;
        var next = t_next;
        if (buffer is null || next == Batch)
        {
            buffer ??= t_buffer = new byte[Batch * GuidSize];
            RandomNumberGenerator.Fill(buffer);
            next = 0;
        }

        t_next = next + 1;
        var bytes = buffer.AsSpan(next * GuidSize, GuidSize);

        // RFC 9562 version 4 and variant bits, laid out as Guid's little-endian constructor reads them (as NewGuid sets them).
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>A new random correlation id.</summary>
    /// <returns>The id.</returns>
    public static Domain.CorrelationId NewCorrelation() => new(New());
}
