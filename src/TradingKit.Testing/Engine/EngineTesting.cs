using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;

namespace TradingKit.Testing.Engine;

/// <summary>Helpers for tests that drive a <see cref="TradingEngine"/> input by input with <see cref="TradingEngine.ProcessAsync"/>.</summary>
public static class EngineTesting
{
    /// <summary>
    /// Runs a command on an engine driven by <see cref="TradingEngine.ProcessAsync"/> (no loop running), as the command
    /// executor would hand it over, and returns the engine's result.
    /// </summary>
    /// <param name="engine">The started engine.</param>
    /// <param name="command">The command.</param>
    /// <param name="issuedAt">When it was issued.</param>
    /// <param name="idempotencyKey">Its idempotency key.</param>
    /// <param name="actor">Who issued it.</param>
    /// <returns>The result.</returns>
    public static async Task<CommandResult> RunCommandAsync(this TradingEngine engine, ITradingCommand command, DateTimeOffset issuedAt, string idempotencyKey,
        string actor = "operator-1")
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(command);
        var completion = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await engine.ProcessAsync(EngineInput.ForCommand(new CommandEnvelope(Guid.NewGuid(), idempotencyKey, command, actor, issuedAt, CorrelationId.New()), completion));
        return await completion.Task;
    }
}
