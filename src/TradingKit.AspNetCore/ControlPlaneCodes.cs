namespace TradingKit.AspNetCore;

/// <summary>The stable error codes of the control plane (the <c>code</c> of its problem responses).</summary>
public static class ControlPlaneCodes
{
    /// <summary>No command has that id.</summary>
    public const string CommandNotFound = "COMMAND_NOT_FOUND";

    /// <summary>No order has that client order id in the projections.</summary>
    public const string OrderNotFound = "ORDER_NOT_FOUND";

    /// <summary>No proposal has that id in the approval gate's store.</summary>
    public const string ProposalNotFound = "PROPOSAL_NOT_FOUND";

    /// <summary>The host has no approval gate, so there are no proposals to read.</summary>
    public const string ApprovalsNotConfigured = "APPROVALS_NOT_CONFIGURED";

    /// <summary>The authenticated user has no name, so a command would have no actor.</summary>
    public const string NoActor = "CONTROL_PLANE_NO_ACTOR";

    /// <summary>A write was not sent as <c>application/json</c>.</summary>
    public const string JsonRequired = "CONTROL_PLANE_JSON_REQUIRED";

    /// <summary>The request body is larger than the control plane reads.</summary>
    public const string TooLarge = "CONTROL_PLANE_REQUEST_TOO_LARGE";
}
