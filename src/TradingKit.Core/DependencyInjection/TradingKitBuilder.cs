using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Instruments;
using TradingKit.Journal;
using TradingKit.Notifications;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Stores.InMemory;
using TradingKit.Strategies;

namespace TradingKit.DependencyInjection;

/// <summary>Creates the journal for a session.</summary>
public interface ISessionJournalFactory
{
    /// <summary>Creates the journal of one session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The journal.</returns>
    ISessionJournal Create(SessionId sessionId);
}

/// <summary>Chains TradingKit's configuration: stores, venue, strategies, risk guard, journal.</summary>
public sealed class TradingKitBuilder
{
    /// <summary>Wraps a service collection.</summary>
    /// <param name="services">The services.</param>
    public TradingKitBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>The services being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses the in-memory stores (the embedded default): events, commands, control state, locks, workers, config, approvals, projections.</summary>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseInMemoryStores()
    {
        Services.TryAddSingleton<IEventStore>(sp => new InMemoryEventStore(sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<ICommandStore, InMemoryCommandStore>();
        Services.TryAddSingleton<IControlStateStore>(sp => new InMemoryControlStateStore(sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<ISymbolLockService>(sp => new InMemorySymbolLockService(sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<IWorkerRegistry>(sp => new InMemoryWorkerRegistry(sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<IConfigStore>(sp => new InMemoryConfigStore(sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<IApprovalStore>(sp => new InMemoryApprovalStore(sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton<IProjectionStore, InMemoryProjectionStore>();
        return this;
    }

    /// <summary>Uses a venue adapter.</summary>
    /// <typeparam name="TBroker">The adapter type.</typeparam>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseBroker<TBroker>()
        where TBroker : class, IBrokerAdapter
    {
        Services.RemoveAll<IBrokerAdapter>();
        Services.AddSingleton<IBrokerAdapter, TBroker>();
        return this;
    }

    /// <summary>Uses a venue adapter built by a factory.</summary>
    /// <param name="factory">Builds the adapter.</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseBroker(Func<IServiceProvider, IBrokerAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<IBrokerAdapter>();
        Services.AddSingleton(factory);
        return this;
    }

    /// <summary>Adds a strategy resolved from the container.</summary>
    /// <typeparam name="TStrategy">The strategy type.</typeparam>
    /// <returns>This builder.</returns>
    public TradingKitBuilder AddStrategy<TStrategy>()
        where TStrategy : class, IStrategy
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStrategy, TStrategy>());
        return this;
    }

    /// <summary>Adds a strategy instance.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder AddStrategy(IStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        Services.AddSingleton(strategy);
        return this;
    }

    /// <summary>Uses a risk guard.</summary>
    /// <param name="factory">Builds the guard.</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseRiskGuard(Func<IServiceProvider, IRiskGuard> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<IRiskGuard>();
        Services.AddSingleton(factory);
        return this;
    }

    /// <summary>
    /// Uses TradingKit's risk guard with these limits, and a kill switch checked at the last gate before the venue, its history
    /// kept in the registered <see cref="IControlStateStore"/> (so it survives a restart; in memory when there is none) unless
    /// an <see cref="IKillSwitchHistory"/> is registered. The kill switch starts
    /// in <see cref="KillSwitchOptions.InitialState"/>, or ON in phase 0 (<see cref="Execution.ExecutionOptions.PhaseZero"/>).
    /// </summary>
    /// <param name="options">The limits; validated here.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="Errors.TradingKitException">The limits are inconsistent (<c>INVALID_OPTIONS</c>).</exception>
    public TradingKitBuilder UseRiskGuard(RiskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateOrThrow();
        // The control-state store keeps the switch across restarts (PostgreSQL: control_state); memory only without one.
        Services.TryAddSingleton<IKillSwitchHistory>(sp => sp.GetService<IControlStateStore>() is { } controlState
            ? new ControlStateKillSwitchHistory(controlState)
            : new InMemoryKillSwitchHistory());
        Services.RemoveAll<KillSwitch>();
        Services.AddSingleton(sp =>
        {
            var engine = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
            var initial = options.KillSwitch.ResolveInitialState(engine.Execution.PhaseZero);

            // Resolved once at start-up: reading the latest state from the history may be I/O.
            return KillSwitch.CreateAsync(sp.GetRequiredService<IKillSwitchHistory>(), initial, sp.GetRequiredService<TimeProvider>(), sp.GetService<INotifier>())
                .AsTask().GetAwaiter().GetResult();
        });
        return UseRiskGuard(sp =>
        {
            var engine = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
            var instruments = engine.Instruments.ToDictionary(i => i.Symbol);
            return new RiskGuard(options, sp.GetRequiredService<KillSwitch>(), instruments);
        });
    }

    /// <summary>
    /// Uses approval mode's gate (seed 001): intents become proposals when <see cref="Execution.ExecutionOptions.RequireApproval"/>
    /// is set, and only an approved, signed, single-use token places an order. Needs the kill switch of <see cref="UseRiskGuard(RiskOptions)"/>.
    /// Proposals and approvals are kept in the registered <see cref="IApprovalStore"/> (PostgreSQL's with <c>UsePostgres</c>,
    /// where pending proposals survive a restart), or in memory when none is registered.
    /// </summary>
    /// <param name="options">The gate's options; the signing key must be set and kept secret.</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseApprovalGate(Execution.Approvals.ApprovalGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Services.RemoveAll<Execution.Approvals.ApprovalGate>();
        Services.AddSingleton(sp => new Execution.Approvals.ApprovalGate(
            sp.GetService<IApprovalStore>() ?? new InMemoryApprovalStore(sp.GetRequiredService<TimeProvider>()),
            sp.GetService<KillSwitch>() ?? throw new Errors.TradingKitException(Errors.ErrorCodes.InvalidOptions, "The approval gate needs the kill switch: call UseRiskGuard(...) first."),
            options, sp.GetRequiredService<TimeProvider>()));
        return this;
    }

    /// <summary>Sends critical alerts (trips, kill switch changes) to a notifier.</summary>
    /// <param name="notifier">The notifier.</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseNotifier(INotifier notifier)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        Services.RemoveAll<INotifier>();
        Services.AddSingleton(notifier);
        return this;
    }

    /// <summary>Writes each session's journal under <c>outputRoot/sessions/&lt;session_id&gt;/</c>.</summary>
    /// <param name="outputRoot">The output folder.</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseFileJournal(string outputRoot) => UseFileJournal(outputRoot, null);

    /// <summary>Writes the session journal as files under <c>outputRoot/sessions/&lt;session_id&gt;/</c>, opened as <paramref name="configure"/> says.</summary>
    /// <param name="outputRoot">The output root.</param>
    /// <param name="configure">Sets <see cref="FileSessionJournalOptions"/> (for example <c>Resume</c> for a session resumed after a crash).</param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder UseFileJournal(string outputRoot, Action<FileSessionJournalOptions>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputRoot);
        var options = new FileSessionJournalOptions();
        configure?.Invoke(options);
        Services.RemoveAll<ISessionJournalFactory>();
        Services.AddSingleton<ISessionJournalFactory>(new FileJournalFactory(outputRoot, options));
        return this;
    }

    /// <summary>
    /// Records every session for replay: the engine writes <see cref="Replay.ReplayArtifact.FileName"/> (inputs, venue calls and
    /// their outcomes, decisions, intents, summary) next to the journal, replayable with <see cref="Replay.SessionReplayer"/>.
    /// </summary>
    /// <param name="outputRoot">
    /// Where to write when no file journal is configured: <c>outputRoot/sessions/&lt;session_id&gt;/</c>. With
    /// <see cref="UseFileJournal(string)"/> the artifact goes to the journal's session folder and this may be null.
    /// </param>
    /// <returns>This builder.</returns>
    public TradingKitBuilder RecordReplayInputs(string? outputRoot = null)
    {
        Services.RemoveAll<ReplayRecording>();
        Services.AddSingleton(new ReplayRecording(outputRoot));
        return this;
    }

    private sealed class FileJournalFactory(string root, FileSessionJournalOptions options) : ISessionJournalFactory
    {
        public ISessionJournal Create(SessionId sessionId) => new FileSessionJournal(root, sessionId, options);
    }
}

/// <summary>The <c>RecordReplayInputs()</c> opt-in: makes the recorder of a session.</summary>
internal sealed class ReplayRecording(string? outputRoot)
{
    public Replay.ReplayInputRecorder Create(SessionId sessionId, ISessionJournal? journal)
    {
        if (journal is FileSessionJournal file)
        {
            return Replay.ReplayInputRecorder.ForSessionDirectory(file.Directory);
        }

        return outputRoot is not null
            ? Replay.ReplayInputRecorder.ForSessionDirectory(Path.Combine(outputRoot, "sessions", sessionId.Value))
            : throw new Errors.TradingKitException(Errors.ErrorCodes.InvalidOptions, "RecordReplayInputs() needs a file journal (UseFileJournal) or an output folder.");
    }
}
