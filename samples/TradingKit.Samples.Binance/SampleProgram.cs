using System.Net.Http;
using TradingKit.Errors;

namespace TradingKit.Samples.Binance;

/// <summary>The command line: settings, the session, and every failure turned into one line and an exit code.</summary>
internal static class SampleProgram
{
    /// <summary>Runs the sample.</summary>
    /// <returns>0 on success, 2 on bad input or a refused configuration, 1 when the venue could not be reached or refused a call.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken,
        string? basePath = null)
    {
        try
        {
            var settings = SampleSettings.Load(args, basePath);
            if (settings is null)
            {
                await output.WriteLineAsync(SampleSettings.Usage).ConfigureAwait(false);
                return 0;
            }

            await BinanceSession.RunAsync(settings, time, output, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (SampleInputException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help for the options.").ConfigureAwait(false);
            return 2;
        }
        catch (TradingKit.Brokers.BrokerException ex)
        {
            await error.WriteLineAsync($"error [{ex.Code}]: Binance could not be reached or refused the call: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (TradingKitException ex)
        {
            await error.WriteLineAsync($"error [{ex.Code}]: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or UnauthorizedAccessException or System.Net.WebSockets.WebSocketException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped before the session started (while loading the instrument or connecting).
            await error.WriteLineAsync("stopped").ConfigureAwait(false);
            return 0;
        }
    }
}
