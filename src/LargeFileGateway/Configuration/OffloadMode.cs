namespace LargeFileGateway.Configuration;

/// <summary>Who sends the bytes of a download (<c>Gateway:Offload:Mode</c>).</summary>
internal enum OffloadMode
{
    /// <summary>The gateway streams every byte itself.</summary>
    None,

    /// <summary>
    /// The gateway decides (path, preconditions, headers) and nginx sends the bytes of local files with sendfile,
    /// reached through an <c>X-Accel-Redirect</c> to an <c>internal</c> location.
    /// </summary>
    NginxAccelRedirect,
}
