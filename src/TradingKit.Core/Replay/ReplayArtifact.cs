using System.Globalization;
using System.Text;
using System.Text.Json;
using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Engine;
using TradingKit.Errors;

namespace TradingKit.Replay;

/// <summary>The kinds of record in a replay artifact (the <c>k</c> field of each line).</summary>
public static class ReplayRecordKinds
{
    /// <summary>The engine started (first record): session, venue, whether the venue was simulated.</summary>
    public const string Start = "start";

    /// <summary>An input the loop processed: market data, a venue event delivered as an input, a command or a timer tick.</summary>
    public const string Input = "input";

    /// <summary>A venue event the engine drained from the venue and applied outside an input of its own.</summary>
    public const string Venue = "venue";

    /// <summary>A venue call the engine or OMS made, with its arguments and its outcome (result or failure).</summary>
    public const string Call = "call";

    /// <summary>Expected output: a strategy decision.</summary>
    public const string Decision = "decision";

    /// <summary>Expected output: an order intent the OMS took in (sent or denied at the last gate).</summary>
    public const string Intent = "intent";

    /// <summary>The engine was asked to stop.</summary>
    public const string Stop = "stop";

    /// <summary>Expected output: the session summary written at stop.</summary>
    public const string Summary = "summary";

    internal static bool IsKnown(string kind)
        => kind is Start or Input or Venue or Call or Decision or Intent or Stop or Summary;
}

/// <summary>One line of a replay artifact.</summary>
public sealed class ReplayRecord
{
    internal ReplayRecord(long sequence, int line, string kind, DateTimeOffset time, JsonElement root, int kindIndex)
    {
        Sequence = sequence;
        Line = line;
        Kind = kind;
        Time = time;
        Root = root;
        KindIndex = kindIndex;
    }

    /// <summary>The record's position in the artifact, from 0 (the <c>seq</c> field).</summary>
    public long Sequence { get; }

    /// <summary>The 1-based line of the record in the artifact.</summary>
    public int Line { get; }

    /// <summary>One of <see cref="ReplayRecordKinds"/>.</summary>
    public string Kind { get; }

    /// <summary>The engine clock when the record was made.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The 0-based index of this record among the records of its kind (decision #3 is the fourth decision).</summary>
    public int KindIndex { get; }

    /// <summary>The record as JSON.</summary>
    public string Json => Root.GetRawText();

    internal JsonElement Root { get; }

    /// <summary>For an input: the input. For a venue record: the event. For a call: its recorded outcome.</summary>
    internal object? Payload { get; set; }

    /// <summary>For a call: its operation name.</summary>
    internal string? Operation { get; set; }
}

/// <summary>A call's recorded outcome: a result, or a failure to throw again.</summary>
internal sealed record RecordedCallOutcome(object? Result, RecordedFailure? Failure, DateTimeOffset EndedAt);

/// <summary>A recorded venue-call failure, rebuilt as the same exception type on replay.</summary>
internal sealed record RecordedFailure(string Type, string Message, BrokerErrorKind? BrokerKind, string? Code, string? VenueCode, TimeSpan? RetryAfter, string? ClrType)
{
    public Exception ToException() => Type switch
    {
        "broker" => new BrokerException(BrokerKind ?? BrokerErrorKind.Transient, Message, VenueCode, RetryAfter),
        "canceled" => new OperationCanceledException(Message),
        "trading_kit" => new TradingKitException(Code ?? "UNKNOWN", Message),
        _ => new InvalidOperationException($"{ClrType}: {Message}"),
    };
}

/// <summary>
/// A recorded session's replay input (<c>replay_inputs.jsonl</c>, PIPE-260 §8): every input, every venue event and venue
/// call outcome, and the decisions, intents and summary it produced, one JSON object per line. Loading checks every line,
/// so a malformed artifact fails here with its line number rather than in the middle of a replay.
/// </summary>
public sealed class ReplayArtifact
{
    /// <summary>The artifact's file name in a session's journal folder.</summary>
    public const string FileName = "replay_inputs.jsonl";

    /// <summary>The format version written in the start record.</summary>
    public const int FormatVersion = 1;

    private ReplayArtifact(IReadOnlyList<ReplayRecord> records)
    {
        Records = records;
        var start = records[0].Root;
        SessionId = ReplayJson.Str(start, "session_id");
        VenueName = ReplayJson.Str(start, "venue");
        SimulatedVenue = ReplayJson.Bool(start, "simulated");
        DrivesClock = ReplayJson.Bool(start, "drive_clock");
        StartedAt = records[0].Time;
    }

    /// <summary>Every record, in order; the first is the start record.</summary>
    public IReadOnlyList<ReplayRecord> Records { get; }

    /// <summary>The recorded session.</summary>
    public string SessionId { get; }

    /// <summary>The recorded venue's name.</summary>
    public string VenueName { get; }

    /// <summary>True when the recorded venue was simulated (driven by the loop, its reports drained at fixed points).</summary>
    public bool SimulatedVenue { get; }

    /// <summary>True when the recorded engine moved a simulation clock to each market data item's time.</summary>
    public bool DrivesClock { get; }

    /// <summary>The engine clock when the session started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Counts the records of one kind.</summary>
    /// <param name="kind">One of <see cref="ReplayRecordKinds"/>.</param>
    /// <returns>The count.</returns>
    public int Count(string kind) => Records.Count(r => r.Kind == kind);

    /// <summary>Loads an artifact file.</summary>
    /// <param name="path">The file (usually <c>&lt;session folder&gt;/replay_inputs.jsonl</c>).</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="SessionReplayException"><c>REPLAY_ARTIFACT_MALFORMED</c>, with the line at fault.</exception>
    public static ReplayArtifact Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader);
    }

    /// <summary>Parses an artifact held in memory.</summary>
    /// <param name="text">The JSON lines.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="SessionReplayException"><c>REPLAY_ARTIFACT_MALFORMED</c>, with the line at fault.</exception>
    public static ReplayArtifact Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader);
    }

    /// <summary>Reads an artifact line by line.</summary>
    /// <param name="reader">The JSON lines.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="SessionReplayException"><c>REPLAY_ARTIFACT_MALFORMED</c>, with the line at fault.</exception>
    public static ReplayArtifact Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var records = new List<ReplayRecord>();
        var kindCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            records.Add(ParseLine(line, lineNumber, records.Count, kindCounts));
        }

        if (records.Count == 0 || records[0].Kind != ReplayRecordKinds.Start)
        {
            throw new SessionReplayException(ReplayErrorCodes.ArtifactMalformed, "A replay artifact starts with a start record; this one " +
                (records.Count == 0 ? "is empty." : $"starts with a {records[0].Kind} record."), records.Count == 0 ? null : records[0].Line);
        }

        return new ReplayArtifact(records);
    }

    private static ReplayRecord ParseLine(string line, int lineNumber, int expectedSequence, Dictionary<string, int> kindCounts)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw Malformed(lineNumber, $"not JSON ({ex.Message})", ex);
        }

        try
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ReplayJson.Bad("a record must be a JSON object");
            }

            var sequence = ReplayJson.Long(root, "seq");
            if (sequence != expectedSequence)
            {
                throw ReplayJson.Bad($"seq is {sequence.ToString(CultureInfo.InvariantCulture)} where {expectedSequence.ToString(CultureInfo.InvariantCulture)} was expected (a record was removed, added or moved)");
            }

            var kind = ReplayJson.Str(root, "k");
            if (!ReplayRecordKinds.IsKnown(kind))
            {
                throw ReplayJson.Bad($"unknown record kind '{kind}'");
            }

            if (kind == ReplayRecordKinds.Start && sequence != 0)
            {
                throw ReplayJson.Bad("a start record may only be the first");
            }

            kindCounts.TryGetValue(kind, out var kindIndex);
            kindCounts[kind] = kindIndex + 1;
            var record = new ReplayRecord(sequence, lineNumber, kind, ReplayJson.Time(root, "t"), root, kindIndex);
            ParsePayload(record);
            return record;
        }
        catch (FormatException ex)
        {
            throw Malformed(lineNumber, ex.Message, ex);
        }
        catch (TradingKitException ex) when (ex is not SessionReplayException)
        {
            // Identifier and command validation (blank ids, unknown command types) surface as TradingKitException.
            throw Malformed(lineNumber, ex.Message, ex);
        }
    }

    private static void ParsePayload(ReplayRecord record)
    {
        var root = record.Root;
        switch (record.Kind)
        {
            case ReplayRecordKinds.Start:
                var version = ReplayJson.Long(root, "v");
                if (version != FormatVersion)
                {
                    throw ReplayJson.Bad($"format version {version.ToString(CultureInfo.InvariantCulture)} is not supported (this library reads {FormatVersion.ToString(CultureInfo.InvariantCulture)})");
                }

                _ = ReplayJson.Str(root, "session_id");
                _ = ReplayJson.Str(root, "venue");
                _ = ReplayJson.Bool(root, "simulated");
                _ = ReplayJson.Bool(root, "drive_clock");
                break;
            case ReplayRecordKinds.Input:
                record.Payload = ParseInput(root);
                break;
            case ReplayRecordKinds.Venue:
                record.Payload = ReplayJson.ReadVenueEvent(ReplayJson.Req(root, "event"));
                break;
            case ReplayRecordKinds.Call:
                record.Operation = ReplayJson.Str(root, "op");
                _ = ReplayJson.Req(root, "args");
                record.Payload = ParseOutcome(record.Operation, root);
                break;
        }
    }

    private static EngineInput ParseInput(JsonElement root)
    {
        var kind = ReplayJson.Str(root, "input");
        switch (kind)
        {
            case "market_data":
                return EngineInput.ForMarketData(ReplayJson.ReadMarketData(ReplayJson.Req(root, "md")));
            case "venue":
                return EngineInput.ForVenue(ReplayJson.ReadVenueEvent(ReplayJson.Req(root, "event")));
            case "timer":
                return EngineInput.Timer;
            case "command":
                var command = ReplayJson.Req(root, "command");
                if (command.ValueKind != JsonValueKind.Object)
                {
                    throw ReplayJson.Bad("field 'command' must be an object");
                }

                return EngineInput.ForCommand(CommandSerializer.DeserializeEnvelope(Encoding.UTF8.GetBytes(command.GetRawText())));
            default:
                throw ReplayJson.Bad($"unknown input kind '{kind}'");
        }
    }

    private static RecordedCallOutcome ParseOutcome(string operation, JsonElement root)
    {
        var endedAt = ReplayJson.Time(root, "t_end");
        if (ReplayJson.Prop(root, "error") is { ValueKind: JsonValueKind.Object } error)
        {
            var type = ReplayJson.Str(error, "type");
            if (type is not ("broker" or "canceled" or "trading_kit" or "other"))
            {
                throw ReplayJson.Bad($"unknown failure type '{type}'");
            }

            var retryMs = ReplayJson.OptDec(error, "retry_after_ms");
            return new RecordedCallOutcome(null, new RecordedFailure(type, ReplayJson.Str(error, "message"),
                type == "broker" ? ReplayJson.Enum<BrokerErrorKind>(error, "kind") : null, ReplayJson.OptStr(error, "code"), ReplayJson.OptStr(error, "venue_code"),
                retryMs is { } ms ? TimeSpan.FromMilliseconds((double)ms) : null, ReplayJson.OptStr(error, "clr_type")), endedAt);
        }

        var result = ReplayJson.Req(root, "result");
        object? value = operation switch
        {
            ReplayOperations.Connect => null,
            ReplayOperations.Submit or ReplayOperations.Cancel or ReplayOperations.Modify => ReplayJson.ReadSubmitResult(result),
            ReplayOperations.Query => result.ValueKind == JsonValueKind.Null ? null : ReplayJson.ReadOrderState(result),
            ReplayOperations.OpenOrders => ReplayJson.ReadList(result, ReplayJson.ReadOrderState),
            ReplayOperations.Positions => ReplayJson.ReadList(result, ReplayJson.ReadPosition),
            ReplayOperations.Balances => ReplayJson.ReadList(result, ReplayJson.ReadBalance),
            ReplayOperations.RecentFills => ReplayJson.ReadList(result, ReplayJson.ReadFill),
            _ => throw ReplayJson.Bad($"unknown venue call '{operation}'"),
        };
        return new RecordedCallOutcome(value, null, endedAt);
    }

    private static SessionReplayException Malformed(int line, string detail, Exception inner)
        => new(ReplayErrorCodes.ArtifactMalformed, $"Replay artifact line {line.ToString(CultureInfo.InvariantCulture)}: {detail}.", line, inner);
}

/// <summary>The venue call names written in <c>op</c>.</summary>
internal static class ReplayOperations
{
    public const string Connect = "connect";
    public const string Submit = "submit";
    public const string Cancel = "cancel";
    public const string Modify = "modify";
    public const string Query = "query";
    public const string OpenOrders = "open_orders";
    public const string Positions = "positions";
    public const string Balances = "balances";
    public const string RecentFills = "recent_fills";
}
