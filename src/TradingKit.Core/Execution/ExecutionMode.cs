using System.ComponentModel;
using System.Globalization;
using TradingKit.Errors;

namespace TradingKit.Execution;

/// <summary>
/// How far orders go (<c>Execution:Mode</c>: <c>disabled</c>, <c>dry-run</c>, <c>paper</c>, <c>live</c>). The library's
/// default is <see cref="Disabled"/>: advisory only, nothing is sent until execution is configured.
/// </summary>
[TypeConverter(typeof(ExecutionModeConverter))]
public enum ExecutionMode
{
    /// <summary>Advisory only: decisions are journaled, every order intent is refused with <c>EXECUTION_DISABLED</c>.</summary>
    Disabled = 0,

    /// <summary>Decisions and order intents are journaled as if sent; no venue call is made.</summary>
    DryRun = 1,

    /// <summary>Orders go to a paper (simulated) venue.</summary>
    Paper = 2,

    /// <summary>Orders go to a live venue. Refused at start unless the risk guard is enabled and configured.</summary>
    Live = 3,
}

/// <summary>The configuration spellings of <see cref="ExecutionMode"/>.</summary>
public static class ExecutionModes
{
    /// <summary>The configuration value of a mode: <c>disabled</c>, <c>dry-run</c>, <c>paper</c> or <c>live</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>Its configuration value.</returns>
    public static string ToConfigValue(this ExecutionMode mode) => mode switch
    {
        ExecutionMode.Disabled => "disabled",
        ExecutionMode.DryRun => "dry-run",
        ExecutionMode.Paper => "paper",
        ExecutionMode.Live => "live",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown execution mode."),
    };

    /// <summary>Parses a configuration value, ignoring case; <c>dry-run</c>, <c>dryrun</c> and <c>dry_run</c> all mean dry run.</summary>
    /// <param name="value">The value.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>True when recognised.</returns>
    public static bool TryParse(string? value, out ExecutionMode mode)
    {
        switch (value?.Trim().Replace("_", "-", StringComparison.Ordinal).ToUpperInvariant())
        {
            case "DISABLED":
                mode = ExecutionMode.Disabled;
                return true;
            case "DRY-RUN" or "DRYRUN":
                mode = ExecutionMode.DryRun;
                return true;
            case "PAPER":
                mode = ExecutionMode.Paper;
                return true;
            case "LIVE":
                mode = ExecutionMode.Live;
                return true;
            default:
                mode = ExecutionMode.Disabled;
                return false;
        }
    }
}

/// <summary>Lets configuration binding read <c>dry-run</c> (and the other spellings) into <see cref="ExecutionMode"/>.</summary>
public sealed class ExecutionModeConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType)
        => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType)
        => destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is string text)
        {
            return ExecutionModes.TryParse(text, out var mode) ? mode
                : throw new TradingKitException(ErrorCodes.InvalidOptions, $"Execution:Mode '{text}' is not one of disabled, dry-run, paper, live.");
        }

        return base.ConvertFrom(context, culture, value);
    }

    /// <inheritdoc />
    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType)
        => destinationType == typeof(string) && value is ExecutionMode mode ? mode.ToConfigValue() : base.ConvertTo(context, culture, value, destinationType);
}
