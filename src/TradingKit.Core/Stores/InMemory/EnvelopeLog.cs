using TradingKit.Events;

namespace TradingKit.Stores.InMemory;

/// <summary>
/// The in-memory store's global log: envelopes in fixed-size blocks that never move once allocated, so the log grows
/// without copying what it holds and without arrays large enough for the large-object heap (a block is 8 KiB).
/// Only the small block directory is replaced as it grows.
/// </summary>
/// <remarks>
/// One writer at a time (the store's gate) and any number of lock-free readers. The writer stores an envelope in its slot
/// before it publishes the new count; a reader loads the count first and then the directory, so every index below the
/// count it read is valid in the directory it loaded.
/// </remarks>
internal sealed class EnvelopeLog
{
    private const int Shift = 10;
    private const int BlockSize = 1 << Shift;
    private const int Mask = BlockSize - 1;

    private EventEnvelope[][] _blocks = new EventEnvelope[16][];
    private int _count;

    /// <summary>The number of published envelopes: a reader may read every index below it.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The count as the writer sees it (under the store's gate).</summary>
    public int WriterCount => _count;

    /// <summary>Stores an envelope at the next unpublished index (<paramref name="index"/>, zero-based). Writer only.</summary>
    /// <param name="index">The zero-based index: the current count plus the envelopes already stored in this batch.</param>
    /// <param name="envelope">The envelope.</param>
    public void Store(int index, EventEnvelope envelope)
    {
        var block = index >> Shift;
        var blocks = _blocks;
        if (block >= blocks.Length)
        {
            var grown = new EventEnvelope[blocks.Length * 2][];
            Array.Copy(blocks, grown, blocks.Length);

            // A reader that loaded the old directory reads only indexes it covers; those blocks are in both.
            Volatile.Write(ref _blocks, grown);
            blocks = grown;
        }

        (blocks[block] ??= new EventEnvelope[BlockSize])[index & Mask] = envelope;
    }

    /// <summary>Publishes every envelope stored below <paramref name="count"/>. Writer only.</summary>
    /// <param name="count">The new count.</param>
    public void Publish(int count) => Volatile.Write(ref _count, count);

    /// <summary>A reader's view: the directory to read published indexes from, loaded after <see cref="Count"/>.</summary>
    public Reader Read() => new(Volatile.Read(ref _blocks));

    /// <summary>Reads envelopes by zero-based index from one loaded directory.</summary>
    /// <param name="blocks">The directory.</param>
    public readonly struct Reader(EventEnvelope[][] blocks)
    {
        /// <summary>The envelope at a zero-based index below the count read before this view.</summary>
        /// <param name="index">The index.</param>
        public EventEnvelope this[long index] => blocks[(int)(index >> Shift)][(int)(index & Mask)];
    }
}
