using BenchmarkDotNet.Running;
using TradingKit.Benchmarks.Engine;

// "sessions": the round-trip A/B measurement (see RoundTripSessions); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "sessions")
{
    return await RoundTripSessions.RunAsync(args).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
