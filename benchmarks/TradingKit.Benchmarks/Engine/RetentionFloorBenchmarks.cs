using BenchmarkDotNet.Attributes;

namespace TradingKit.Benchmarks.Engine;

/// <summary>
/// The collector's floor under the order round trip: a loop that does nothing per order but allocate and keep a given
/// number of objects of a given size (and drop a little garbage), in sessions of the same length as
/// <see cref="EngineRoundTripBenchmarks"/>, under the same two collectors. The <c>Pipeline</c> shape keeps what one round
/// trip keeps today, as counted in a heap dump of a finished 20,000-order session (docs/benchmarks.md, 2026-12-07): what
/// this loop takes per order is about what keeping that much costs a pipeline, whatever its code does (the exact figure
/// moves with how dense in references the kept objects are). The other shapes show what fewer or smaller kept objects
/// would buy.
/// </summary>
/// <remarks>
/// Each kept object is a small record-like class: two references and value fields (decimals, a long), about as dense in
/// references as the pipeline's records, whose strings hold none and whose envelopes and orders hold one per 30-40 bytes.
/// An order's objects form one chain (each points at the previous one and at the order's first), as an order's envelope,
/// payload, request and strings do. One large root array per session holds each order's last object, as the store's log
/// holds its envelopes; it is dropped when the invocation ends, as a finished engine is.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(CollectorsConfig))]
public class RetentionFloorBenchmarks
{
    private const int Orders = 20_000;

    /// <summary>What each order keeps and drops.</summary>
    [ParamsSource(nameof(Shapes))]
    public RetentionShape Shape { get; set; } = RetentionShape.All[0];

    /// <summary>The shapes measured.</summary>
    public static IEnumerable<RetentionShape> Shapes => RetentionShape.All;

    /// <summary>One session: every order allocates its kept objects and its garbage.</summary>
    /// <returns>The number of kept objects, so that nothing is optimised away.</returns>
    [Benchmark(OperationsPerInvoke = Orders)]
    public long KeepPerOrder()
    {
        var shape = Shape;
        var root = new Node?[Orders];
        long kept = 0;
        for (var i = 0; i < Orders; i++)
        {
            Node? first = null;
            Node? previous = null;
            for (var k = 0; k < shape.KeptObjects; k++)
            {
                Node node = shape.ObjectBytes switch
                {
                    SmallNode.Bytes => new SmallNode(i),
                    MediumNode.Bytes => new MediumNode(i),
                    _ => new LargeNode(i),
                };
                node.Previous = previous;
                node.First = first;
                first ??= node;
                previous = node;
                kept++;
            }

            root[i] = previous;
            GC.KeepAlive(new byte[shape.GarbageBytes]);
        }

        GC.KeepAlive(root);
        return kept;
    }

    /// <summary>A kept object: two references, and value fields in the subclasses (written by the constructor, as a record's are, and never read).</summary>
    private abstract class Node
    {
        public Node? Previous;
        public Node? First;
    }

    /// <summary>56 bytes: header, two references, a decimal, a long.</summary>
    private sealed class SmallNode : Node
    {
        public const int Bytes = 56;
        public readonly decimal A;
        public readonly long B;

        public SmallNode(long value) => (A, B) = (value, value);
    }

    /// <summary>120 bytes: header, two references, five decimals, a long.</summary>
    private sealed class MediumNode : Node
    {
        public const int Bytes = 120;
        public readonly decimal A, B, C, D, E;
        public readonly long F;

        public MediumNode(long value) => (A, B, C, D, E, F) = (value, value, value, value, value, value);
    }

    /// <summary>232 bytes: header, two references, twelve decimals, a long.</summary>
    private sealed class LargeNode : Node
    {
        public const int Bytes = 232;
        public readonly decimal A, B, C, D, E, F, G, H, I, J, K, L;
        public readonly long M;

        public LargeNode(long value)
        {
            A = B = C = D = E = F = G = H = I = J = K = L = value;
            M = value;
        }
    }
}

/// <summary>The objects one order keeps and the garbage it drops, for <see cref="RetentionFloorBenchmarks"/>.</summary>
/// <param name="Name">A short name for the results table.</param>
/// <param name="KeptObjects">Objects kept per order.</param>
/// <param name="ObjectBytes">The size of each kept object: 56, 120 or 232 bytes.</param>
/// <param name="GarbageBytes">The length of the one byte array each order drops (24 bytes more on the heap).</param>
public sealed record RetentionShape(string Name, int KeptObjects, int ObjectBytes, int GarbageBytes)
{
    /// <summary>
    /// The pipeline's shape as of 2026-12-07 (28 objects of 120 B kept, 3,360 B; 630 B dropped: 3,990 B allocated, as the
    /// round trip's 3,999), then the same bytes in half as many objects, half the bytes in as many objects, and three smaller
    /// shapes down to nothing kept.
    /// </summary>
    public static IReadOnlyList<RetentionShape> All { get; } =
    [
        new("Pipeline", 28, 120, 606),
        new("HalfObjects", 14, 232, 606),
        new("HalfBytes", 28, 56, 606),
        new("TenObjects", 10, 120, 606),
        new("FiveObjects", 5, 120, 606),
        new("NothingKept", 0, 120, 3_975),
    ];

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({KeptObjects}x{ObjectBytes}B)";
}
