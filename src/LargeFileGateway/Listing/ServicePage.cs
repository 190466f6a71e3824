using System.Text;

namespace LargeFileGateway.Listing;

/// <summary>
/// <c>GET /</c> when neither the listing nor the dashboard is there: a small page that names the service and its URL
/// space, so that someone who opens the address in a browser learns what it is instead of reading a JSON 404. JSON
/// clients still get the problem-details 404 they got before (there is no resource here for them).
/// </summary>
internal static class ServicePage
{
    public static async Task ServeAsync(HttpContext context, bool archives, bool events)
    {
        if (ListingHandler.WantsJson(context.Request))
        {
            await Downloads.DownloadProblems.WriteAsync(context, StatusCodes.Status404NotFound, "Nothing here: files are served at /files/{key}.");
            return;
        }

        var html = new StringBuilder("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>LargeFileGateway</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem}code{overflow-wrap:anywhere}</style></head>
            <body><h1>LargeFileGateway</h1><p>A download server for large files. What it answers:</p><ul>
            <li><code>/files/{key}</code>: a file, with ranges and resume</li>

            """);
        if (archives)
        {
            html.Append("<li><code>/archives/{folder}.zip</code>: a folder as one resumable zip</li>\n");
        }

        if (events)
        {
            html.Append("<li><code>/dashboard</code> and <code>/events</code>: transfers in progress</li>\n");
        }

        html.Append("<li><code>/healthz</code> and <code>/readyz</code>: health probes</li>\n");

        html.Append("</ul><p>Folder listings are off (<code>Gateway:Listing:Enabled</code>).</p></body></html>\n");
        var body = Encoding.UTF8.GetBytes(html.ToString());
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.Vary = "Accept";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ListingHtml.ContentSecurityPolicy;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
