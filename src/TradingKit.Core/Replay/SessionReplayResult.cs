namespace TradingKit.Replay;

/// <summary>The first place a replay differed from its recording.</summary>
public sealed record SessionReplayMismatch
{
    /// <summary>The sequence number (<c>seq</c>) of the recorded record at which the replay differed.</summary>
    public required long Sequence { get; init; }

    /// <summary>The 1-based artifact line of that record.</summary>
    public required int Line { get; init; }

    /// <summary>The kind of the recorded record (one of <see cref="ReplayRecordKinds"/>), or <c>end</c> when the recording had ended.</summary>
    public required string ExpectedKind { get; init; }

    /// <summary>The record's index among those of its kind: decision #4 is the fifth decision. -1 past the end.</summary>
    public required int KindIndex { get; init; }

    /// <summary>The recorded record as JSON, or null when the recording had ended.</summary>
    public string? Expected { get; init; }

    /// <summary>What the replay produced at that point as JSON, or null when it produced nothing there.</summary>
    public string? Actual { get; init; }

    /// <summary>The first differing field as a path (<c>reason_codes[0]</c>, <c>args.qty</c>, <c>k</c>), when both sides are records.</summary>
    public string? Field { get; init; }

    /// <summary>What differed, for a person.</summary>
    public required string Message { get; init; }
}

/// <summary>The outcome of a <see cref="SessionReplayer"/> run.</summary>
public sealed record SessionReplayResult
{
    /// <summary>True when the replay produced every recorded decision, intent, venue call and the summary, identically and in order.</summary>
    public bool Matched => FirstMismatch is null;

    /// <summary>Inputs fed to the replayed engine.</summary>
    public required int InputsReplayed { get; init; }

    /// <summary>Venue events released to the replayed engine at the points the recorded engine drained them.</summary>
    public required int VenueEventsReplayed { get; init; }

    /// <summary>Venue calls answered from the recording.</summary>
    public required int VenueCallsReplayed { get; init; }

    /// <summary>Decisions compared equal with the recording.</summary>
    public required int DecisionsCompared { get; init; }

    /// <summary>Intents compared equal with the recording.</summary>
    public required int IntentsCompared { get; init; }

    /// <summary>Whether the recorded summary was reached and compared equal.</summary>
    public required bool SummaryCompared { get; init; }

    /// <summary>The first difference, or null when the replay matched.</summary>
    public SessionReplayMismatch? FirstMismatch { get; init; }
}
