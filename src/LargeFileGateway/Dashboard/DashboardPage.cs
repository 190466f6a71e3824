namespace LargeFileGateway.Dashboard;

/// <summary>
/// The dashboard: one static HTML page with its script and styles inline, embedded in the assembly so the
/// gateway serves it with no build step and no files on disk. It draws itself from <c>/events</c>.
/// </summary>
internal static class DashboardPage
{
    private static readonly Lazy<byte[]> Page = new(Load);

    public static IResult Serve(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";

        // Everything the page needs is inline or same-origin; nothing else may load or run.
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return TypedResults.Bytes(Page.Value, "text/html; charset=utf-8");
    }

    private static byte[] Load()
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("LargeFileGateway.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
