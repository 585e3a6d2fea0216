using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json.Serialization.Metadata;
using TradingKit.Errors;

namespace TradingKit.Events.Json;

/// <summary>One registered payload type: its stable name, schema version and source-generated JSON contract.</summary>
internal sealed record PayloadRegistration(Type ClrType, string TypeName, int SchemaVersion, JsonTypeInfo TypeInfo)
{
    public static PayloadRegistration Of<T>(string typeName, int schemaVersion, JsonTypeInfo<T> typeInfo)
        => new(typeof(T), typeName, schemaVersion, typeInfo);

    public CatalogEntry ToEntry() => new(TypeName, SchemaVersion, ClrType);
}

/// <summary>
/// The name ↔ type table behind <see cref="EventCatalog"/> and <see cref="Commands.CommandCatalog"/>. Reads are
/// lock-free against an immutable snapshot; a registration swaps in a new snapshot.
/// </summary>
/// <typeparam name="TBase">The payload marker interface.</typeparam>
internal sealed class TypeRegistry<TBase>
    where TBase : class
{
    private readonly Lock _gate = new();
    private readonly string _kind;
    private volatile Snapshot _snapshot;

    public TypeRegistry(string kind, IEnumerable<PayloadRegistration> builtIns)
    {
        _kind = kind;
        var byType = new Dictionary<Type, PayloadRegistration>();
        var byName = new Dictionary<string, PayloadRegistration>(StringComparer.Ordinal);
        var ordered = new List<PayloadRegistration>();
        foreach (var registration in builtIns)
        {
            Add(byType, byName, registration);
            ordered.Add(registration);
        }

        _snapshot = new Snapshot(byType.ToFrozenDictionary(), byName.ToFrozenDictionary(StringComparer.Ordinal), [.. ordered]);
    }

    /// <summary>Every registration, in registration order.</summary>
    public IReadOnlyList<PayloadRegistration> All => _snapshot.Ordered;

    public PayloadRegistration Get(TBase payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var type = payload.GetType();
        return _snapshot.ByType.TryGetValue(type, out var registration)
            ? registration
            : throw new TradingKitException(ErrorCodes.UnknownTypeName,
                $"The {_kind} type {type.FullName} is not registered; give it a stable name with Register before storing it.");
    }

    public PayloadRegistration Get(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        return _snapshot.ByName.TryGetValue(typeName, out var registration)
            ? registration
            : throw new TradingKitException(ErrorCodes.UnknownTypeName,
                $"No {_kind} type is registered under the name '{typeName}'; register it before reading payloads of that type.");
    }

    public bool TryGet(string typeName, out PayloadRegistration? registration)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        return _snapshot.ByName.TryGetValue(typeName, out registration);
    }

    public void Register(PayloadRegistration registration)
    {
        lock (_gate)
        {
            var current = _snapshot;
            var byType = new Dictionary<Type, PayloadRegistration>(current.ByType);
            var byName = new Dictionary<string, PayloadRegistration>(current.ByName, StringComparer.Ordinal);
            Add(byType, byName, registration);
            _snapshot = new Snapshot(byType.ToFrozenDictionary(), byName.ToFrozenDictionary(StringComparer.Ordinal), current.Ordered.Add(registration));
        }
    }

    private void Add(Dictionary<Type, PayloadRegistration> byType, Dictionary<string, PayloadRegistration> byName, PayloadRegistration registration)
    {
        if (!typeof(TBase).IsAssignableFrom(registration.ClrType) || registration.ClrType.IsAbstract)
        {
            throw new ArgumentException($"{registration.ClrType} is not a concrete {typeof(TBase).Name}.", nameof(registration));
        }

        if (!IsValidName(registration.TypeName))
        {
            throw new ArgumentException(
                $"The {_kind} type name '{registration.TypeName}' must be 1-100 characters of [a-z0-9_.] starting with a letter.", nameof(registration));
        }

        if (registration.SchemaVersion < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(registration), registration.SchemaVersion, "Schema versions start at 1.");
        }

        if (byName.TryGetValue(registration.TypeName, out var existingName))
        {
            throw new ArgumentException(
                $"The {_kind} type name '{registration.TypeName}' is already registered for {existingName.ClrType}.", nameof(registration));
        }

        if (byType.TryGetValue(registration.ClrType, out var existingType))
        {
            throw new ArgumentException(
                $"{registration.ClrType} is already registered as '{existingType.TypeName}'.", nameof(registration));
        }

        byType.Add(registration.ClrType, registration);
        byName.Add(registration.TypeName, registration);
    }

    private static bool IsValidName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Snapshot(
        FrozenDictionary<Type, PayloadRegistration> ByType,
        FrozenDictionary<string, PayloadRegistration> ByName,
        ImmutableArray<PayloadRegistration> Ordered);
}
