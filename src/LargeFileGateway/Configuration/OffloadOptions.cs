using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>Handing the sending of local files to nginx. Bound from <c>Gateway:Offload</c>.</summary>
internal sealed class OffloadOptions
{
    public const string SectionName = "Gateway:Offload";

    /// <summary>
    /// <see cref="OffloadMode.None"/> (default) streams through the gateway. <see cref="OffloadMode.NginxAccelRedirect"/>
    /// needs nginx in front with the <c>internal</c> location of <c>nginx/</c>, and the gateway reachable only
    /// through it: a client that reaches the gateway directly gets an empty answer.
    /// </summary>
    [EnumDataType(typeof(OffloadMode), ErrorMessage = SectionName + ":Mode must be None or NginxAccelRedirect.")]
    public OffloadMode Mode { get; set; } = OffloadMode.None;

    /// <summary>
    /// The URI prefix of nginx's <c>internal</c> location that maps to the storage root (its <c>alias</c>). The
    /// key, percent-encoded, is appended to it. Starts and ends with '/'.
    /// </summary>
    [LocationPrefix(ErrorMessage = SectionName + ":InternalPrefix must be an ASCII path that starts and ends with '/', like /_protected/.")]
    public string InternalPrefix { get; set; } = "/_protected/";
}
