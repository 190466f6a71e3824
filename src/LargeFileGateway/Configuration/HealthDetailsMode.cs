namespace LargeFileGateway.Configuration;

/// <summary>Who may see the JSON details of a probe (each check, its state and why).</summary>
public enum HealthDetailsMode
{
    /// <summary>Nobody: every caller gets the plain status.</summary>
    Off,

    /// <summary>Callers on the gateway's own host (after forwarded headers are applied: a client behind nginx is not loopback).</summary>
    Loopback,

    /// <summary>Anyone who asks.</summary>
    Always,
}
