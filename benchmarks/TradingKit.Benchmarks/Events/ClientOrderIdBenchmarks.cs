using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using TradingKit.Domain;
using TradingKit.Orders;

namespace TradingKit.Benchmarks.Events;

/// <summary>
/// Deterministic client order id generation (target ≤ 300 ns per id). The baseline is the platform SHA-256 of an
/// input of the same size, the obvious alternative, which costs about a microsecond on Linux (an OpenSSL call).
/// </summary>
[MemoryDiagnoser]
public class ClientOrderIdBenchmarks
{
    private readonly SessionId _session = new("2025-06-02-live-01");
    private readonly StrategyId _strategy = new("breakout-20d");
    private readonly Symbol _symbol = new("BTCUSDT");
    private readonly DateTimeOffset _decisionTime = new(2025, 6, 2, 13, 30, 0, TimeSpan.Zero);
    private readonly byte[] _input = Encoding.UTF8.GetBytes("2025-06-02-live-01|breakout-20d|BTCUSDT|1|638844318000000000|entry");
    private readonly byte[] _hash = new byte[32];

    [Benchmark(Baseline = true, Description = "SHA256.HashData of the same-sized input")]
    public int PlatformSha256() => SHA256.HashData(_input, _hash);

    [Benchmark(Description = "ClientOrderIdGenerator.Create")]
    public ClientOrderId Create() => ClientOrderIdGenerator.Create(_session, _strategy, _symbol, OrderSide.Buy, _decisionTime, "entry");
}
