using System.Text.Json.Serialization.Metadata;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Events.Json;

namespace TradingKit.Commands;

/// <summary>
/// The registry of command type names. Every <see cref="ITradingCommand"/> has one stable name, an imperative
/// lower snake_case literal (<c>cancel_order</c>) that never changes once shipped and is never derived from the
/// .NET type name.
/// </summary>
public static class CommandCatalog
{
    private static readonly TypeRegistry<ITradingCommand> Registry = new("command",
    [
        PayloadRegistration.Of("pause_engine", 1, CommandJsonContext.Default.PauseEngine),
        PayloadRegistration.Of("resume_engine", 1, CommandJsonContext.Default.ResumeEngine),
        PayloadRegistration.Of("set_engine_mode", 1, CommandJsonContext.Default.SetEngineMode),
        PayloadRegistration.Of("cancel_all", 1, CommandJsonContext.Default.CancelAll),
        PayloadRegistration.Of("run_reconcile", 1, CommandJsonContext.Default.RunReconcile),
        PayloadRegistration.Of("rebuild_projection", 1, CommandJsonContext.Default.RebuildProjection),
        PayloadRegistration.Of("update_config", 1, CommandJsonContext.Default.UpdateConfig),
        PayloadRegistration.Of("set_kill_switch", 1, CommandJsonContext.Default.SetKillSwitch),
        PayloadRegistration.Of("reset_safe_mode", 1, CommandJsonContext.Default.ResetSafeMode),
        PayloadRegistration.Of("approve_proposal", 1, CommandJsonContext.Default.ApproveProposal),
        PayloadRegistration.Of("reject_proposal", 1, CommandJsonContext.Default.RejectProposal),
        PayloadRegistration.Of("place_order", 1, CommandJsonContext.Default.PlaceOrder),
        PayloadRegistration.Of("cancel_order", 1, CommandJsonContext.Default.CancelOrder),
        PayloadRegistration.Of("modify_order", 1, CommandJsonContext.Default.ModifyOrder),
        PayloadRegistration.Of("close_position", 1, CommandJsonContext.Default.ClosePosition),
        PayloadRegistration.Of("set_leverage", 1, CommandJsonContext.Default.SetLeverage),
    ]);

    /// <summary>Every registered command type, built-in first, in registration order.</summary>
    public static IReadOnlyList<CatalogEntry> Entries => [.. Registry.All.Select(static r => r.ToEntry())];

    /// <summary>The stable type name of a command payload.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its registered name.</returns>
    /// <exception cref="TradingKitException">The payload's type is not registered (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    public static string GetTypeName(ITradingCommand payload) => Registry.Get(payload).TypeName;

    /// <summary>The schema version of a command payload.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its schema version.</returns>
    /// <exception cref="TradingKitException">The payload's type is not registered (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    public static int GetSchemaVersion(ITradingCommand payload) => Registry.Get(payload).SchemaVersion;

    /// <summary>The .NET type registered under a type name.</summary>
    /// <param name="typeName">The stable type name.</param>
    /// <returns>The type.</returns>
    /// <exception cref="TradingKitException">No type is registered under the name (<c>UNKNOWN_TYPE_NAME</c>).</exception>
    public static Type GetClrType(string typeName) => Registry.Get(typeName).ClrType;

    /// <summary>Whether a type name is registered.</summary>
    /// <param name="typeName">The stable type name.</param>
    /// <returns>True when known.</returns>
    public static bool IsRegistered(string typeName) => Registry.TryGet(typeName, out _);

    /// <summary>Registers an application-defined command. Call it once at start-up, before any command of the type is stored or read.</summary>
    /// <typeparam name="TCommand">The command record.</typeparam>
    /// <param name="typeName">Its stable name: 1-100 characters of <c>[a-z0-9_.]</c>, starting with a letter; prefix it with your application's name.</param>
    /// <param name="schemaVersion">Its schema version, starting at 1.</param>
    /// <param name="typeInfo">Its JSON contract, from your own <c>JsonSerializerContext</c>.</param>
    /// <exception cref="ArgumentException">The name or the type is already registered, or the name is malformed.</exception>
    public static void Register<TCommand>(string typeName, int schemaVersion, JsonTypeInfo<TCommand> typeInfo)
        where TCommand : class, ITradingCommand
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        Registry.Register(PayloadRegistration.Of(typeName, schemaVersion, typeInfo));
    }

    internal static PayloadRegistration Get(ITradingCommand payload) => Registry.Get(payload);

    internal static PayloadRegistration Get(string typeName) => Registry.Get(typeName);
}
