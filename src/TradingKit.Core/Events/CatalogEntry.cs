namespace TradingKit.Events;

/// <summary>One registered payload type of <see cref="EventCatalog"/> or <see cref="Commands.CommandCatalog"/>.</summary>
/// <param name="TypeName">The stable name stored with every payload of the type (for example <c>order_filled</c>).</param>
/// <param name="SchemaVersion">The payload's current schema version, starting at 1.</param>
/// <param name="ClrType">The .NET type.</param>
public sealed record CatalogEntry(string TypeName, int SchemaVersion, Type ClrType);
