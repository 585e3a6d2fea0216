using System.Collections.Concurrent;
using TradingKit.MarketData;

namespace TradingKit.Engine;

/// <summary>
/// Market data items a feed already had when the engine's producer asked for them, queued for the loop as one input. A feed
/// that answers synchronously (a file, an array, a replay) then costs one channel hop per batch instead of one per item; a
/// live feed that has to wait for its next item sends what it holds first, so batching never delays an item.
/// </summary>
internal sealed class MarketDataBatch
{
    /// <summary>The most items one batch carries.</summary>
    public const int MaxSize = 64;

    private readonly MarketDataEvent?[] _items = new MarketDataEvent?[MaxSize];

    /// <summary>How many items the batch holds.</summary>
    public int Count { get; private set; }

    /// <summary>Whether no more items fit.</summary>
    public bool IsFull(int limit) => Count >= limit;

    /// <summary>The item at <paramref name="index"/>.</summary>
    public MarketDataEvent this[int index] => _items[index]!;

    /// <summary>Adds an item.</summary>
    public void Add(MarketDataEvent item) => _items[Count++] = item;

    /// <summary>Drops the items (so the batch keeps none of them alive) and makes it empty.</summary>
    public void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }

    /// <summary>A few batches that travel between the producer and the loop and back, so a long feed allocates none.</summary>
    internal sealed class Pool
    {
        private const int Kept = 64;
        private readonly ConcurrentQueue<MarketDataBatch> _free = new();

        /// <summary>An empty batch.</summary>
        public MarketDataBatch Rent() => _free.TryDequeue(out var batch) ? batch : new MarketDataBatch();

        /// <summary>Gives a processed batch back.</summary>
        public void Return(MarketDataBatch batch)
        {
            batch.Clear();
            if (_free.Count < Kept)
            {
                _free.Enqueue(batch);
            }
        }
    }
}
