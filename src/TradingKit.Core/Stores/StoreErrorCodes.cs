namespace TradingKit.Stores;

/// <summary>Stable error codes raised by the store ports (in addition to <see cref="Errors.ErrorCodes"/>).</summary>
public static class StoreErrorCodes
{
    /// <summary>A command id that is not stored.</summary>
    public const string CommandNotFound = "COMMAND_NOT_FOUND";

    /// <summary>A config put whose expected version no longer holds.</summary>
    public const string ConfigVersionConflict = "CONFIG_VERSION_CONFLICT";

    /// <summary>A proposal id that is not stored.</summary>
    public const string ProposalNotFound = "PROPOSAL_NOT_FOUND";

    /// <summary>A proposal decision (approve, reject) on a proposal that is no longer pending.</summary>
    public const string ProposalNotPending = "PROPOSAL_NOT_PENDING";

    /// <summary>A worker id that is not registered.</summary>
    public const string WorkerNotFound = "WORKER_NOT_FOUND";

    /// <summary>The database schema is newer than this package understands, or a migration failed.</summary>
    public const string SchemaMigrationFailed = "SCHEMA_MIGRATION_FAILED";

    /// <summary>A stored payload whose type name no serializer knows.</summary>
    public const string UnknownPayloadType = "UNKNOWN_PAYLOAD_TYPE";
}
