using TradingKit.Errors;
using TradingKit.Execution;
using TradingKit.Instruments;
using TradingKit.Oms;

namespace TradingKit.Engine;

/// <summary>Options of one account's engine.</summary>
public sealed class EngineOptions
{
    /// <summary>The session id; part of every client order id. When empty, one is derived from the start time.</summary>
    public string? SessionId { get; set; }

    /// <summary>The account reference at the venue; masked in every journal and log.</summary>
    /// <value>Defaults to <c>paper-account</c>.</value>
    public string AccountId { get; set; } = "paper-account";

    /// <summary>
    /// The execution policy: mode (disabled, dry-run, paper, live) and phase-0. The library's default is
    /// <see cref="ExecutionMode.Disabled"/>: decisions are journaled, nothing is sent, until a host opts in.
    /// </summary>
    public ExecutionOptions Execution { get; set; } = new();

    /// <summary>Cash at the start of the session, in <see cref="Currency"/>.</summary>
    /// <value>Defaults to 100,000.</value>
    public decimal InitialCash { get; set; } = 100_000m;

    /// <summary>
    /// The UTC time of day at which the trading day rolls: daily realised PnL (and so the daily loss limit) starts again from zero.
    /// </summary>
    /// <value>Defaults to midnight UTC. Null keeps one "day" for the whole session.</value>
    public TimeSpan? DayRollUtc { get; set; } = TimeSpan.Zero;

    /// <summary>The account currency.</summary>
    /// <value>Defaults to <c>USD</c>.</value>
    public string Currency { get; set; } = "USD";

    /// <summary>
    /// When true and the clock is a <see cref="Time.SimulationTimeProvider"/>, the engine moves the clock to each market data
    /// item's time (backtests and replays).
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool DriveClockFromMarketData { get; set; } = true;

    /// <summary>How often timers run (post-trade risk checks, in-flight checks).</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan TimerInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Capacity of the engine's input channel; producers wait when it is full (back-pressure). When
    /// <see cref="TradingEngine.RunAsync"/> reads a feed that already has its next items (a file, a replay), it queues them
    /// in batches of up to 64 (at most a 64th of this capacity) that count as one input each, so the queue may then hold up
    /// to 64 times this many market data items; an item the feed has to wait for is never held back for a batch.
    /// </summary>
    /// <value>Defaults to 4096.</value>
    public int InputCapacity { get; set; } = 4096;

    /// <summary>Whether every "hold" decision is journaled, or only decisions that act.</summary>
    /// <value>Defaults to true (OBS-500 records why nothing was bought, too).</value>
    public bool JournalHoldDecisions { get; set; } = true;

    /// <summary>
    /// Whether start-up runs recovery (UC-05): rebuild orders and the portfolio from the event log, read the venue, reconcile,
    /// and only then accept orders. The log is taken to hold one account; turn this off for a host that starts a new
    /// account on a log shared with earlier, unrelated sessions.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool RecoverOnStart { get; set; } = true;

    /// <summary>How often a running engine reconciles with the venue (UC-06); null turns periodic reconciliation off.</summary>
    /// <value>Defaults to 1 minute of engine time.</value>
    public TimeSpan? ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Start-up recovery sends again, with the same client order id, an order the log holds as SUBMITTED that the venue
    /// has never seen (the process died between recording it and sending it), when it was created at most this long ago
    /// on the engine clock and the kill switch is off. Null (the default) never resends: the reconciler rejects such an
    /// order (<c>RECONCILE_UNKNOWN_AT_VENUE</c>), which is the safe choice when a stale order would be wrong.
    /// </summary>
    public TimeSpan? ResendUnsentOrdersWithin { get; set; }

    /// <summary>
    /// How a live venue's push stream and its poll queries are merged (UC-03, UC-08): every report of a live venue goes
    /// through a <see cref="Connectivity.VenueEventMerger"/> that applies each fill and status once, and the engine
    /// polls the venue every <see cref="Connectivity.VenueEventMergerOptions.PollInterval"/> (faster while the stream is
    /// down, at once after it reconnects). Null turns merging and polling off (reports are applied as they come). Not
    /// used with a simulated venue, whose reports the engine drains itself.
    /// </summary>
    public Connectivity.VenueEventMergerOptions? StreamAndPoll { get; set; } = new();

    /// <summary>Instrument rules by symbol; orders for these symbols are rounded to their step and checked.</summary>
    public IList<Instrument> Instruments { get; } = [];

    /// <summary>OMS retry and timeout options.</summary>
    public OmsOptions Oms { get; set; } = new();

    /// <summary>Worker mode (seed 002): symbol locks shared with other workers, and the worker registry; off unless <see cref="Workers.WorkerOptions.WorkerId"/> is set.</summary>
    public Workers.WorkerOptions Worker { get; set; } = new();

    /// <summary>The session id to use: <see cref="SessionId"/> when set, else one derived from the clock's current time.</summary>
    /// <param name="timeProvider">The engine clock.</param>
    /// <returns>The session id.</returns>
    public Domain.SessionId ResolveSessionId(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new Domain.SessionId(string.IsNullOrWhiteSpace(SessionId)
            ? "s-" + timeProvider.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture)
            : SessionId);
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">Every problem found, code <c>INVALID_OPTIONS</c>.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(AccountId))
        {
            problems.Add("AccountId must not be empty");
        }

        if (Worker is null)
        {
            problems.Add("Worker must not be null");
        }
        else
        {
            Worker.Check(problems);
        }

        if (InitialCash < 0m)
        {
            problems.Add($"InitialCash must not be negative (got {InitialCash})");
        }

        if (string.IsNullOrWhiteSpace(Currency))
        {
            problems.Add("Currency must not be empty");
        }

        if (DayRollUtc is { } roll && (roll < TimeSpan.Zero || roll >= TimeSpan.FromDays(1)))
        {
            problems.Add($"DayRollUtc must be in [00:00, 24:00) (got {roll})");
        }

        if (StreamAndPoll is { } merge)
        {
            try
            {
                merge.Validate();
            }
            catch (TradingKitException ex)
            {
                problems.Add("StreamAndPoll: " + ex.Message);
            }
        }

        if (ResendUnsentOrdersWithin is { } resend && resend < TimeSpan.Zero)
        {
            problems.Add("ResendUnsentOrdersWithin must not be negative (or null to never resend)");
        }

        if (ReconcileInterval is { } reconcile && reconcile <= TimeSpan.Zero)
        {
            problems.Add("ReconcileInterval must be positive (or null to turn periodic reconciliation off)");
        }

        if (TimerInterval <= TimeSpan.Zero)
        {
            problems.Add("TimerInterval must be positive");
        }

        if (InputCapacity < 16)
        {
            problems.Add($"InputCapacity must be at least 16 (got {InputCapacity})");
        }

        if (Execution is null || !Enum.IsDefined(Execution.Mode))
        {
            problems.Add("Execution.Mode must be disabled, dry-run, paper or live");
        }

        if (problems.Count > 0)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Engine options: " + string.Join("; ", problems) + ".");
        }

        Oms.Validate();
    }
}
