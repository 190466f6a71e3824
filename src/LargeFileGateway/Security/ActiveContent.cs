namespace LargeFileGateway.Security;

/// <summary>
/// Which media types a browser only displays (an image, a video, plain text) and which it may run as a page in the
/// gateway's origin (HTML, SVG, XML with stylesheets, anything unknown). A file someone placed in the storage root
/// and served inline must not run script next to the dashboard and /events.
/// </summary>
internal static class ActiveContent
{
    /// <summary>
    /// The policy an inline response of active content carries: a unique opaque origin, no script, no forms, no
    /// plugins (CSP Level 3, "sandbox" directive with no flags).
    /// </summary>
    public const string SandboxPolicy = "sandbox";

    /// <summary>True unless the media type is one browsers render without running anything from it.</summary>
    public static bool MayRunScript(string contentType)
    {
        var mediaType = contentType.AsSpan();
        var parameters = mediaType.IndexOf(';');
        if (parameters >= 0)
        {
            mediaType = mediaType[..parameters];
        }

        mediaType = mediaType.Trim();

        // An allow list of passive types: a deny list (text/html, image/svg+xml) misses the next XML dialect.
        if (mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return mediaType.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase);
        }

        // PDF scripts run inside the browser's PDF viewer, not in the page's origin, and a sandboxed PDF is not
        // shown at all by Chromium's viewer: a PDF stays viewable inline.
        return !(mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));
    }
}
