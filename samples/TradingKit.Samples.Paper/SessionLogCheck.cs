using System.Globalization;
using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Stores;

namespace TradingKit.Samples.Paper;

/// <summary>
/// A resumable paper session (<c>--Session:Id</c> on a durable store) is one paper account: its venue state file and its
/// event log must describe the same account. Start-up recovery takes the whole log as the account, so a log that holds
/// another session's trading, or a venue that has lost (or never had) what the log says it did, would make the session
/// trade on cash and positions the venue does not have. This check reads the log before anything is written to it.
/// </summary>
internal static class SessionLogCheck
{
    /// <summary>Why the log and the venue state cannot be one account; null when they can.</summary>
    /// <param name="store">The event log.</param>
    /// <param name="session">The session about to start or resume.</param>
    /// <param name="venueInputs">How many inputs the venue state file held (0 for a new venue).</param>
    /// <param name="venueStatePath">The venue state file, for the message.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The problem, or null.</returns>
    public static async Task<string?> FindMismatchAsync(IEventStore store, SessionId session, int venueInputs, string venueStatePath, CancellationToken cancellationToken)
    {
        var ownEngineStream = "engine-" + session.Value;
        var others = new List<string>();
        var ownStarted = false;
        var trading = false;
        long events = 0;
        await foreach (var envelope in store.ReadAllAsync(1, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            events++;
            if (envelope.Payload is EngineStarted started)
            {
                if (started.SessionId == session)
                {
                    ownStarted = true;
                }
                else if (!others.Contains(started.SessionId.Value))
                {
                    others.Add(started.SessionId.Value);
                }
            }
            else if (!string.Equals(envelope.StreamId, ownEngineStream, StringComparison.Ordinal))
            {
                // An order, a fill, cash or a position: trading, of this session unless another one started in the log.
                trading = true;
            }
        }

        if (others.Count > 0)
        {
            var names = string.Join(", ", others.Take(3).Select(static s => $"'{s}'")) + (others.Count > 3 ? $" and {others.Count - 3} more" : "");
            var hint = others.Count == 1 ? $", or resume that session with --Session:Id {others[0]}." : ".";
            return string.Create(CultureInfo.InvariantCulture,
                $"the event log already holds {(others.Count == 1 ? "session" : "sessions")} {names} ({events} events). Session '{session.Value}' would take that trading as its own paper account, whose venue ({venueStatePath}) {(venueInputs == 0 ? "is new" : "never saw it")}. A resumable session needs an event log of its own: use an empty database{hint}");
        }

        if (venueInputs == 0 && trading)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the event log holds trading of session '{session.Value}' ({events} events), but its paper venue state {venueStatePath} is new (deleted, or written to another --out directory). The log's cash, positions and orders would not be the venue's. Restore the venue state file, or start a new session on an empty database.");
        }

        if (venueInputs > 0 && !ownStarted)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the paper venue state {venueStatePath} has played {venueInputs} inputs of session '{session.Value}', but the event log holds nothing of it ({events} events): another or emptied database? Resume against the database the session started on.");
        }

        return null;
    }
}
