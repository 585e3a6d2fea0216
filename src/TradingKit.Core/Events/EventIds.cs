using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace TradingKit.Events;

/// <summary>
/// Random (version 4) GUIDs for event and correlation ids, drawn from the same cryptographic source as
/// <see cref="Guid.NewGuid"/> but 64 at a time: on Linux every <see cref="Guid.NewGuid"/> is a system call, and the engine
/// needs several ids per order.
/// </summary>
internal static class EventIds
{
    [ThreadStatic]
    private static EventIdSource? t_source;

    /// <summary>A new random id, as unique as <see cref="Guid.NewGuid"/>.</summary>
    /// <returns>The id.</returns>
    public static Guid New() => (t_source ??= new EventIdSource()).Next();

    /// <summary>A new random correlation id.</summary>
    /// <returns>The id.</returns>
    public static Domain.CorrelationId NewCorrelation() => new(New());
}

/// <summary>
/// One thread's supply of random (version 4) GUIDs, refilled 64 at a time from the cryptographic source. Not thread-safe:
/// an engine loop owns one, and <see cref="EventIds"/> keeps one per thread.
/// </summary>
internal sealed class EventIdSource
{
    private const int Batch = 64;
    private const int GuidSize = 16;

    private readonly byte[] _buffer = new byte[Batch * GuidSize];
    private int _next = Batch;

    /// <summary>A new random id, as unique as <see cref="Guid.NewGuid"/>.</summary>
    /// <returns>The id.</returns>
    public Guid Next()
    {
        if (_next == Batch)
        {
            RandomNumberGenerator.Fill(_buffer);
            _next = 0;
        }

        ref var bytes = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _next++ * GuidSize);

        // RFC 9562 version 4 and variant bits, where Guid's in-memory (little-endian) layout keeps them, as NewGuid sets them.
        ref var version = ref Unsafe.Add(ref bytes, 7);
        version = (byte)((version & 0x0F) | 0x40);
        ref var variant = ref Unsafe.Add(ref bytes, 8);
        variant = (byte)((variant & 0x3F) | 0x80);
        return BitConverter.IsLittleEndian ? Unsafe.ReadUnaligned<Guid>(ref bytes) : new Guid(_buffer.AsSpan((_next - 1) * GuidSize, GuidSize));
    }
}
