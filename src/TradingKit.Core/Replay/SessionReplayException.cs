using TradingKit.Errors;

namespace TradingKit.Replay;

/// <summary>Stable error codes of session replay.</summary>
public static class ReplayErrorCodes
{
    /// <summary>The replay artifact cannot be read: a line is not JSON, a field is missing or has the wrong type, or records are out of sequence.</summary>
    public const string ArtifactMalformed = "REPLAY_ARTIFACT_MALFORMED";

    /// <summary>The engine built for the replay is not wired to the replay (broker, hook or clock), or differs from the recorded set-up.</summary>
    public const string SetupInvalid = "REPLAY_SETUP_INVALID";

    /// <summary>The replayed engine made a venue call the recording does not have at that point; thrown to the engine, reported as the mismatch.</summary>
    public const string Diverged = "REPLAY_DIVERGED";
}

/// <summary>A replay that could not run: a malformed artifact or an engine not built for the replay. A replay that ran and differed is a <see cref="SessionReplayMismatch"/>, not this.</summary>
public sealed class SessionReplayException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">One of <see cref="ReplayErrorCodes"/>.</param>
    /// <param name="message">What is wrong, for a person.</param>
    /// <param name="line">The 1-based line of the artifact at fault, when one is.</param>
    /// <param name="innerException">The cause.</param>
    public SessionReplayException(string code, string message, int? line = null, Exception? innerException = null)
        : base(code, message, innerException)
    {
        Line = line;
    }

    /// <summary>The 1-based line of the artifact at fault, when one is.</summary>
    public int? Line { get; }
}
