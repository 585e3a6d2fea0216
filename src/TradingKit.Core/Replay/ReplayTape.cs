using System.Globalization;
using System.Text.Json;
using TradingKit.Time;

namespace TradingKit.Replay;

/// <summary>
/// The replay's single cursor over the recorded records. Everything the replayed engine does (a venue call, a drain, a
/// decision, an intent, the summary) must be the next record; the first thing that is not is the mismatch, and from then
/// on the tape refuses everything.
/// </summary>
internal sealed class ReplayTape(ReplayArtifact artifact, SimulationTimeProvider clock)
{
    private readonly IReadOnlyList<ReplayRecord> _records = artifact.Records;
    private int _position;

    public ReplayArtifact Artifact { get; } = artifact;

    public SimulationTimeProvider Clock { get; } = clock;

    public SessionReplayMismatch? Mismatch { get; private set; }

    public bool Failed => Mismatch is not null;

    public int Inputs { get; set; }

    public int VenueEvents { get; private set; }

    public int Calls { get; private set; }

    public int Decisions { get; private set; }

    public int Intents { get; private set; }

    public bool SummaryCompared { get; private set; }

    public ReplayRecord? Peek() => _position < _records.Count ? _records[_position] : null;

    /// <summary>Consumes the next record and moves the clock to its time.</summary>
    public ReplayRecord Take()
    {
        var record = _records[_position++];
        Clock.AdvanceTo(record.Time);
        return record;
    }

    /// <summary>Releases the next record when it is a drained venue event (the recorded engine drained one here).</summary>
    public bool TryTakeVenueEvent(out Brokers.VenueEvent? venueEvent)
    {
        if (!Failed && Peek() is { Kind: ReplayRecordKinds.Venue })
        {
            venueEvent = (Brokers.VenueEvent)Take().Payload!;
            VenueEvents++;
            return true;
        }

        venueEvent = null;
        return false;
    }

    /// <summary>Matches a venue call against the next record; returns the recorded call or null (the tape has failed).</summary>
    public ReplayRecord? TakeCall(JsonElement actual, string operation)
    {
        if (Failed)
        {
            return null;
        }

        var expected = Peek();
        if (expected is not { Kind: ReplayRecordKinds.Call })
        {
            Fail(expected, actual, "k", $"the replay made venue call '{operation}' where the recording has " + Describe(expected));
            return null;
        }

        var field = expected.Operation != operation ? "op" : FirstDifference(expected.Root.GetProperty("args"), actual.GetProperty("args"), "args");
        if (field is not null)
        {
            Fail(expected, actual, field, $"venue call #{expected.KindIndex.ToString(CultureInfo.InvariantCulture)} differs at '{field}'");
            return null;
        }

        Calls++;
        return Take();
    }

    /// <summary>Matches an output (decision, intent, summary) against the next record.</summary>
    public void MatchOutput(string kind, JsonElement actual)
    {
        if (Failed)
        {
            return;
        }

        var expected = Peek();
        if (expected is null || expected.Kind != kind)
        {
            Fail(expected, actual, "k", $"the replay produced a {kind} where the recording has " + Describe(expected));
            return;
        }

        var field = FirstDifference(expected.Root, actual, string.Empty);
        if (field is not null)
        {
            Fail(expected, actual, field, $"{kind} #{expected.KindIndex.ToString(CultureInfo.InvariantCulture)} differs at '{field}'");
            return;
        }

        Take();
        switch (kind)
        {
            case ReplayRecordKinds.Decision:
                Decisions++;
                break;
            case ReplayRecordKinds.Intent:
                Intents++;
                break;
            default:
                SummaryCompared = true;
                break;
        }
    }

    /// <summary>Records the first mismatch; later ones are consequences and are dropped.</summary>
    public void Fail(ReplayRecord? expected, JsonElement? actual, string? field, string message)
    {
        if (Failed)
        {
            return;
        }

        Mismatch = new SessionReplayMismatch
        {
            Sequence = expected?.Sequence ?? _records.Count,
            Line = expected?.Line ?? (_records.Count == 0 ? 0 : _records[^1].Line + 1),
            ExpectedKind = expected?.Kind ?? "end",
            KindIndex = expected?.KindIndex ?? -1,
            Expected = expected?.Json,
            Actual = actual?.GetRawText(),
            Field = field,
            Message = expected is null ? message : $"record {expected.Sequence.ToString(CultureInfo.InvariantCulture)} (line {expected.Line.ToString(CultureInfo.InvariantCulture)}): {message}",
        };
    }

    public static string Describe(ReplayRecord? record) => record is null
        ? "nothing more (the recording ended)"
        : $"{record.Kind} #{record.KindIndex.ToString(CultureInfo.InvariantCulture)}" + (record.Operation is { } op ? $" ('{op}')" : string.Empty);

    /// <summary>The path of the first field that differs, or null when equal. <c>seq</c> is not compared: it only numbers the lines.</summary>
    public static string? FirstDifference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return path.Length == 0 ? "$" : path;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    if (path.Length == 0 && property.NameEquals("seq"))
                    {
                        continue;
                    }

                    var child = path.Length == 0 ? property.Name : path + "." + property.Name;
                    if (!actual.TryGetProperty(property.Name, out var other))
                    {
                        return child;
                    }

                    if (FirstDifference(property.Value, other, child) is { } difference)
                    {
                        return difference;
                    }
                }

                foreach (var property in actual.EnumerateObject())
                {
                    if (!expected.TryGetProperty(property.Name, out _))
                    {
                        return path.Length == 0 ? property.Name : path + "." + property.Name;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var count = Math.Max(expected.GetArrayLength(), actual.GetArrayLength());
                for (var i = 0; i < count; i++)
                {
                    var child = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                    if (i >= expected.GetArrayLength() || i >= actual.GetArrayLength())
                    {
                        return child;
                    }

                    if (FirstDifference(expected[i], actual[i], child) is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Number:
                // 1.50 and 1.5 are the same decimal.
                return expected.TryGetDecimal(out var a) && actual.TryGetDecimal(out var b) ? (a == b ? null : path)
                    : expected.GetRawText() == actual.GetRawText() ? null : path;
            case JsonValueKind.String:
                return expected.ValueEquals(actual.GetString()) ? null : path;
            default:
                return null;
        }
    }
}
