using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Benchmarks.Events;

/// <summary>Deterministic client order id generation (target ≤ 300 ns per id), beside the raw SHA-256 it is built on.</summary>
[MemoryDiagnoser]
public class ClientOrderIdBenchmarks
{
    private readonly SessionId _session = new("2025-06-02-live-01");
    private readonly StrategyId _strategy = new("breakout-20d");
    private readonly Symbol _symbol = new("BTCUSDT");
    private readonly DateTimeOffset _decisionTime = new(2025, 6, 2, 13, 30, 0, TimeSpan.Zero);
    private readonly byte[] _input = Encoding.UTF8.GetBytes("2025-06-02-live-01|breakout-20d|BTCUSDT|1|638844318000000000|entry");
    private readonly byte[] _hash = new byte[32];

    [Benchmark(Baseline = true, Description = "raw SHA256.HashData of the same-sized input")]
    public int RawSha256() => SHA256.HashData(_input, _hash);

    private readonly IncrementalHash _incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    [Benchmark(Description = "reused IncrementalHash SHA-256")]
    public bool Incremental()
    {
        _incremental.AppendData(_input);
        return _incremental.TryGetHashAndReset(_hash, out _);
    }

    [Benchmark(Description = "ClientOrderIdGenerator.Create")]
    public ClientOrderId Create() => ClientOrderIdGenerator.Create(_session, _strategy, _symbol, OrderSide.Buy, _decisionTime, "entry");
}
