using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TradingKit.Paper.Durability;

/// <summary>
/// What a venue's durable state belongs to: the venue name, a fingerprint of every option that changes how it matches
/// (seed, fees, slippage, latency, faults, cash, instruments) and labels the host adds (for example the data file and symbol
/// a paper session plays). Reopening a store under another identity would replay its inputs into a different venue, so it is refused.
/// </summary>
public sealed record PaperVenueIdentity
{
    /// <summary>The venue name (<see cref="PaperVenueOptions.VenueName"/>).</summary>
    public required string VenueName { get; init; }

    /// <summary>A hash of the options that shape matching; equal options give an equal fingerprint on every machine.</summary>
    public required string OptionsFingerprint { get; init; }

    /// <summary>Host labels, compared as given (ordinal).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The identity of a venue with <paramref name="options"/> and <paramref name="labels"/>.</summary>
    /// <param name="options">The venue options.</param>
    /// <param name="labels">Host labels; none when null.</param>
    /// <returns>The identity.</returns>
    public static PaperVenueIdentity Of(PaperVenueOptions options, IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PaperVenueIdentity
        {
            VenueName = options.VenueName,
            OptionsFingerprint = Fingerprint(options),
            Labels = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels, StringComparer.Ordinal),
        };
    }

    /// <summary>Lists how <paramref name="other"/> differs from this identity; empty when they match.</summary>
    /// <param name="other">The identity found in a store.</param>
    /// <returns>One line per difference.</returns>
    public IReadOnlyList<string> Differences(PaperVenueIdentity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var problems = new List<string>();
        if (!string.Equals(VenueName, other.VenueName, StringComparison.Ordinal))
        {
            problems.Add($"venue '{other.VenueName}' in the store, '{VenueName}' now");
        }

        if (!string.Equals(OptionsFingerprint, other.OptionsFingerprint, StringComparison.Ordinal))
        {
            problems.Add($"venue options (seed, fees, slippage, latency, faults, cash or instruments) differ: fingerprint {other.OptionsFingerprint} in the store, {OptionsFingerprint} now");
        }

        foreach (var key in Labels.Keys.Union(other.Labels.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var stored = other.Labels.TryGetValue(key, out var s) ? s : null;
            var now = Labels.TryGetValue(key, out var n) ? n : null;
            if (!string.Equals(stored, now, StringComparison.Ordinal))
            {
                problems.Add($"{key} is '{stored ?? "(none)"}' in the store, '{now ?? "(none)"}' now");
            }
        }

        return problems;
    }

    private static string Fingerprint(PaperVenueOptions o)
    {
        var text = new StringBuilder();
        void Add(string name, object? value) => text.Append(name).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        Add("format", 1);
        Add("venue", o.VenueName);
        Add("cash", o.InitialCash);
        Add("currency", o.Currency);
        Add("slippage", o.SlippageBps);
        Add("maker", o.MakerFeeBps);
        Add("taker", o.TakerFeeBps);
        Add("participation", o.ParticipationRate);
        Add("touch", o.LimitFillsOnTouch);
        Add("ack", o.AckLatency.Ticks);
        Add("fill", o.FillLatency.Ticks);
        Add("dayEnd", o.DayEndUtc.Ticks);
        var f = o.Faults;
        Add("seed", f.Seed);
        Add("reject", f.RejectRate.ToString("R", CultureInfo.InvariantCulture));
        Add("timeout", f.TransientTimeoutRate.ToString("R", CultureInfo.InvariantCulture));
        Add("unknown", f.UnknownOutcomeRate.ToString("R", CultureInfo.InvariantCulture));
        Add("dropAck", f.DropAckRate.ToString("R", CultureInfo.InvariantCulture));
        Add("dropFill", f.DropFillReportRate.ToString("R", CultureInfo.InvariantCulture));
        Add("disconnect", f.DisconnectRate.ToString("R", CultureInfo.InvariantCulture));
        Add("reconnect", f.ReconnectAfterEvents);
        foreach (var i in o.Instruments.OrderBy(i => i.Symbol.Value, StringComparer.Ordinal))
        {
            Add("instrument", string.Join('|', i.Symbol.Value, Invariant(i.TickSize), Invariant(i.StepSize), Invariant(i.MinQuantity),
                Invariant(i.MaxQuantity), Invariant(i.MinNotional), i.QuoteCurrency));
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
