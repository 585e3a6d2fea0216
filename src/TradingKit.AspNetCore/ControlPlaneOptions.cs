namespace TradingKit.AspNetCore;

/// <summary>Who may use the control plane's endpoints, and what it serves.</summary>
/// <remarks>
/// Every endpoint requires an authorised user: the host configures authentication (cookies, JWT bearer, client
/// certificates, ...) and, when it wants more than "authenticated", the policies named here. There is no anonymous mode.
/// A policy name the authorisation services do not know is refused when the endpoints are mapped.
/// </remarks>
public sealed class ControlPlaneOptions
{
    /// <summary>The authorisation policy of the read endpoints (status, commands by id, the read models, the monitoring page); null for the default policy (any authenticated user).</summary>
    /// <value>Defaults to null.</value>
    public string? ReadPolicy { get; set; }

    /// <summary>The authorisation policy of the endpoints that change something (commands, the kill switch); null for the default policy.</summary>
    /// <value>Defaults to null.</value>
    public string? OperatePolicy { get; set; }

    /// <summary>Serves the monitoring page at the group's root.</summary>
    /// <value>Defaults to true.</value>
    public bool Dashboard { get; set; } = true;
}
