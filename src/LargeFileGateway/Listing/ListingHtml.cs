using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace LargeFileGateway.Listing;

/// <summary>
/// The HTML page of a folder: breadcrumbs, one row per entry (name, size, modified time, SHA-256 when known), columns
/// sorted by the server, a zip link, and the next page when there is one. Self-contained (inline CSS, no script, no
/// external asset), so the Content-Security-Policy of <see cref="ContentSecurityPolicy"/> can forbid everything else.
/// </summary>
/// <remarks>
/// Every text and attribute value that comes from storage goes through one HTML encoder, which always escapes
/// <c>&lt; &gt; &amp; " '</c> (and, with every Unicode range allowed, leaves letters of any script readable in the
/// source). URLs are escaped per segment first (<see cref="ListingLinks"/>), then HTML-encoded as attribute values.
/// </remarks>
internal static class ListingHtml
{
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private const string Style = """
        :root{color-scheme:light dark;--line:#8884;--muted:#888}
        body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem}
        h1{font-size:1.3rem;margin:.4rem 0;overflow-wrap:anywhere}
        nav{overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%}
        th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        th a{text-decoration:none}
        td.name{overflow-wrap:anywhere}
        td.size,th.size{text-align:right;white-space:nowrap}
        td.modified{white-space:nowrap}
        td.digest code{font-size:.75rem;overflow-wrap:anywhere;color:var(--muted)}
        .folder td.name a{font-weight:600}
        .actions a,.more a{display:inline-block;padding:.4rem .8rem;border:1px solid var(--line);border-radius:.4rem;text-decoration:none}
        @media (max-width:40rem){
          thead{display:none}
          table,tbody,tr,td{display:block;width:auto}
          tr{border-bottom:1px solid var(--line);padding:.4rem 0}
          td{border:0;padding:.1rem 0}
          td.size,td.modified{display:inline;color:var(--muted);font-size:.85rem}
          td.size{text-align:left;margin-right:.8rem}
        }
        """;

    /// <param name="folderKey">"" for the root, else ending in '/'.</param>
    /// <param name="rows">The rows of this page, already in <paramref name="sort"/> order.</param>
    /// <param name="sort">How the rows are sorted (for the column links).</param>
    /// <param name="nextCursor">The encoded cursor of the next page, or null on the last one.</param>
    /// <param name="links">The URLs of the request.</param>
    /// <param name="archiveLink">True when <c>/archives/</c> serves zips (and this is not the root).</param>
    public static byte[] Render(string folderKey, IReadOnlyList<ListingRow> rows, ListingSort sort, string? nextCursor, ListingLinks links, bool archiveLink)
    {
        var html = new StringBuilder(2048 + rows.Count * 320);
        var title = ListingLinks.FilesPath + folderKey;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Index of ").Append(Encoder.Encode(title)).Append("</title><style>").Append(Style).Append("</style></head>\n<body>\n<header>");
        AppendBreadcrumbs(html, folderKey, links);
        html.Append("<h1>Index of ").Append(Encoder.Encode(title)).Append("</h1>");
        if (archiveLink && folderKey.Length > 0)
        {
            html.Append("<p class=\"actions\"><a href=\"").Append(Encoder.Encode(links.Archive(folderKey))).Append("\" download>Download this folder as zip</a></p>");
        }

        html.Append("</header>\n<main><table><thead><tr>");
        AppendHeader(html, "Name", "name", ListingSortColumn.Name, folderKey, sort, links);
        AppendHeader(html, "Size", "size", ListingSortColumn.Size, folderKey, sort, links);
        AppendHeader(html, "Modified (UTC)", "modified", ListingSortColumn.Modified, folderKey, sort, links);
        html.Append("<th class=\"digest\">SHA-256</th></tr></thead>\n<tbody>\n");
        if (folderKey.Length > 0)
        {
            html.Append("<tr class=\"folder parent\"><td class=\"name\"><a href=\"").Append(Encoder.Encode(links.Files(ParentOf(folderKey))))
                .Append("\">../</a></td><td class=\"size\"></td><td class=\"modified\"></td><td class=\"digest\"></td></tr>\n");
        }

        foreach (var row in rows)
        {
            AppendRow(html, row, links);
        }

        html.Append("</tbody></table>\n");
        if (rows.Count == 0)
        {
            html.Append("<p>No entries here.</p>\n");
        }

        if (nextCursor is not null)
        {
            var parameters = sort == ListingSort.Default
                ? new[] { (ListingLinks.CursorParameter, nextCursor) }
                : [(ListingLinks.CursorParameter, nextCursor), (ListingSort.SortParameter, ListingSort.NameOf(sort.Column)), (ListingSort.OrderParameter, sort.Descending ? "desc" : "asc")];
            html.Append("<p class=\"more\">More entries follow in name order. <a rel=\"next\" href=\"")
                .Append(Encoder.Encode(links.Page(folderKey, parameters))).Append("\">Next page</a></p>\n");
        }

        html.Append("</main>\n</body></html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    /// <summary>Binary units, as <c>ls -h</c> and nginx's autoindex print them: 999 B, 1.0 KiB, 12.3 MiB.</summary>
    public static string HumanSize(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var value = bytes / 1024.0;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        // One decimal below 10 as it will be printed (9.96 prints as "10", not "10.0").
        return value.ToString(Math.Round(value, 1) < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static void AppendBreadcrumbs(StringBuilder html, string folderKey, ListingLinks links)
    {
        html.Append("<nav aria-label=\"Breadcrumbs\"><a href=\"").Append(Encoder.Encode(links.Files(string.Empty))).Append("\">files</a> /");
        var end = 0;
        while ((end = folderKey.IndexOf('/', end)) >= 0)
        {
            var prefix = folderKey[..(end + 1)];
            var name = folderKey[(prefix.LastIndexOf('/', prefix.Length - 2) + 1)..end];
            html.Append(" <a href=\"").Append(Encoder.Encode(links.Files(prefix))).Append("\">").Append(Encoder.Encode(name)).Append("</a> /");
            end++;
        }

        html.Append("</nav>");
    }

    private static void AppendHeader(StringBuilder html, string label, string cssClass, ListingSortColumn column, string folderKey, ListingSort sort, ListingLinks links)
    {
        // A click on the current column reverses it; on another column it sorts ascending.
        var descending = sort.Column == column && !sort.Descending;
        var href = links.Page(folderKey, (ListingSort.SortParameter, ListingSort.NameOf(column)), (ListingSort.OrderParameter, descending ? "desc" : "asc"));
        var mark = sort.Column != column ? string.Empty : sort.Descending ? " ▼" : " ▲";
        var ariaSort = sort.Column != column ? string.Empty : sort.Descending ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"";
        html.Append("<th class=\"").Append(cssClass).Append('"').Append(ariaSort).Append("><a href=\"").Append(Encoder.Encode(href)).Append("\">")
            .Append(label).Append(mark).Append("</a></th>");
    }

    private static void AppendRow(StringBuilder html, ListingRow row, ListingLinks links)
    {
        var entry = row.Entry;
        var name = entry.IsFolder ? entry.Name + "/" : entry.Name;
        html.Append(entry.IsFolder ? "<tr class=\"folder\">" : "<tr class=\"file\">")
            .Append("<td class=\"name\"><a href=\"").Append(Encoder.Encode(links.Files(entry.Key))).Append("\">").Append(Encoder.Encode(name)).Append("</a></td>");
        if (entry.IsFolder)
        {
            html.Append("<td class=\"size\">-</td>");
        }
        else
        {
            var bytes = entry.Length.ToString(CultureInfo.InvariantCulture);
            html.Append("<td class=\"size\" title=\"").Append(bytes).Append(" bytes\" data-bytes=\"").Append(bytes).Append("\">").Append(HumanSize(entry.Length)).Append("</td>");
        }

        if (entry.LastModified == DateTimeOffset.MinValue)
        {
            html.Append("<td class=\"modified\"></td>");
        }
        else
        {
            var utc = entry.LastModified.UtcDateTime;
            html.Append("<td class=\"modified\"><time datetime=\"").Append(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("\">")
                .Append(utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append("</time></td>");
        }

        html.Append("<td class=\"digest\">");
        if (row.Sha256 is { } sha256)
        {
            html.Append("<code>").Append(Convert.ToHexStringLower(sha256)).Append("</code>");
        }

        html.Append("</td></tr>\n");
    }

    private static string ParentOf(string folderKey)
    {
        var cut = folderKey.LastIndexOf('/', folderKey.Length - 2);
        return cut < 0 ? string.Empty : folderKey[..(cut + 1)];
    }
}
