using BenchmarkDotNet.Running;
using TradingKit.Benchmarks.Engine;

// "sessions": the round-trip A/B measurement (see RoundTripSessions); "allocations": its bytes by type (see
// RoundTripAllocations); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "sessions")
{
    return await RoundTripSessions.RunAsync(args).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "allocations")
{
    return await RoundTripAllocations.RunAsync(args).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
