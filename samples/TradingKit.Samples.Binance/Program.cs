using TradingKit.Samples.Binance;

// The Binance sample: the paper sample's moving-average-cross strategy on live Binance USDⓈ-M klines.
// Dry run by default (decisions and order intents are journaled, no order leaves); Execution:Mode=live sends orders
// to the configured environment (Testnet unless Binance:Environment says Production), and only with API keys and an
// enabled, configured risk guard. Any option can be given as --Section:Key value; --help lists the shortcuts.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await SampleProgram.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, stop.Token).ConfigureAwait(false);
