using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TradingKit.Engine;
using TradingKit.Errors;
using TradingKit.Samples.Paper;

// The paper sample: the example strategy over real S&P 500 daily bars, through the paper venue, on in-memory stores.
// Any option can be given as --Section:Key value (see appsettings.json); the shortcuts are listed by --help.
try
{
    var settings = SampleSettings.Load(args);
    if (settings is null)
    {
        Console.WriteLine(SampleSettings.Usage);
        return 0;
    }

    return await PaperSession.RunAsync(settings).ConfigureAwait(false);
}
catch (SampleInputException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}
catch (TradingKitException ex)
{
    Console.Error.WriteLine($"error [{ex.Code}]: {ex.Message}");
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    // Options bound through the DI container (for example --Oms:MaxRetries) are validated when first resolved.
    Console.Error.WriteLine($"error [{ErrorCodes.InvalidOptions}]: {string.Join(" ", ex.Failures)}");
    return 2;
}
catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
