using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using TradingKit.Binance.Rest;

namespace TradingKit.Benchmarks.Binance;

/// <summary>
/// Signing one Binance order request (target ≤ 2 µs): building the percent-encoded query of a limit order, appending
/// recvWindow and timestamp, and the HMAC-SHA256 signature in hex. The baseline is the platform's HMAC of the same payload,
/// one-shot: it sets the key up on every call, which the signer avoids by keeping one keyed instance.
/// </summary>
[MemoryDiagnoser]
public class RequestSigningBenchmarks
{
    private const string Secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
    private const string Payload = "symbol=BTCUSDT&side=BUY&positionSide=BOTH&type=LIMIT&timeInForce=GTC&quantity=0.010&price=50000.0&newClientOrderId=s1-ma-cross-7f3a9c2e41d0b8aa&newOrderRespType=ACK&recvWindow=5000&timestamp=1591702613943";

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(Secret);
    private readonly byte[] _payload = Encoding.UTF8.GetBytes(Payload);
    private readonly byte[] _hash = new byte[32];
    private BinanceSigner _signer = null!;

    [GlobalSetup]
    public void Setup() => _signer = new BinanceSigner(Secret);

    [GlobalCleanup]
    public void Cleanup() => _signer.Dispose();

    [Benchmark(Baseline = true, Description = "HMACSHA256.HashData of the payload")]
    public int Hmac() => HMACSHA256.HashData(_secret, _payload, _hash);

    [Benchmark(Description = "BinanceSigner.Sign (payload given)")]
    public string Sign() => _signer.Sign(Payload);

    [Benchmark(Description = "Build query + SignQuery (whole request)")]
    public string BuildAndSign()
    {
        var p = new BinanceParameters()
            .Add("symbol", "BTCUSDT").Add("side", "BUY").Add("positionSide", "BOTH").Add("type", "LIMIT").Add("timeInForce", "GTC")
            .Add("quantity", "0.010").Add("price", "50000.0").Add("newClientOrderId", "s1-ma-cross-7f3a9c2e41d0b8aa").Add("newOrderRespType", "ACK");
        return _signer.SignQuery(p, 5000, 1591702613943);
    }
}

