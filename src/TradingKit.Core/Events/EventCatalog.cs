namespace TradingKit.Events;

/// <summary>
/// The registry of event type names. Every <see cref="ITradingEvent"/> has one stable name that never changes once shipped.
/// </summary>
public static partial class EventCatalog
{
    /// <summary>The stable type name of an event payload.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its registered name.</returns>
    public static string GetTypeName(ITradingEvent payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return payload.GetType().Name;
    }

    /// <summary>The schema version of an event payload.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its schema version.</returns>
    public static int GetSchemaVersion(ITradingEvent payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return 1;
    }
}
