using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LargeFileGateway.Access;
using LargeFileGateway.AccessLog;
using LargeFileGateway.Configuration;
using LargeFileGateway.Digests;
using LargeFileGateway.Downloads;
using LargeFileGateway.Limits;
using LargeFileGateway.Observability;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Listing;

/// <summary>
/// <c>GET</c> and <c>HEAD /files/{folder}/</c> (the trailing '/' names a folder; <c>/files/</c> is the root): method →
/// folder key → access → request budget → one page from storage → entries the request's proof covers → HTML or JSON
/// by <c>Accept</c>. The whole page is made before the first header, so it has an exact Content-Length and a weak
/// ETag of its bytes.
/// </summary>
internal sealed class ListingHandler
{
    private const string AllowedMethods = "GET, HEAD";
    private const string JsonMediaType = "application/json";
    private const string HtmlMediaType = "text/html";

    private readonly IListableStorage? _storage;
    private readonly AccessGate _access;
    private readonly ConnectionLimits _limits;
    private readonly KnownDigests _digests;
    private readonly AccessLogWriter _accessLog;
    private readonly ILogger _logger;
    private readonly int _pageSize;
    private readonly bool _archiveLinks;

    public ListingHandler(IStorageProvider storage, IOptions<ListingOptions> listing, IOptions<ArchivesOptions> archives, AccessGate access,
        ConnectionLimits limits, KnownDigests digests, AccessLogWriter accessLog, ILogger<ListingHandler> logger)
    {
        IsEnabled = listing.Value.Enabled;
        _pageSize = listing.Value.PageSize;
        _archiveLinks = archives.Value.Enabled;
        _storage = storage is MetadataCachingStorageProvider { Inner: not IListableStorage } ? null : storage as IListableStorage;
        _access = access;
        _limits = limits;
        _digests = digests;
        _accessLog = accessLog;
        _logger = logger;
    }

    /// <summary><c>Gateway:Listing:Enabled</c>: off, a path ending in '/' is handled as a download is (and found nowhere).</summary>
    public bool IsEnabled { get; }

    /// <summary>True when the storage provider can list folders at all (HttpOrigin cannot: its folders are all 404).</summary>
    public bool StorageLists => _storage is not null;

    public int PageSize => _pageSize;

    public bool ArchiveLinks => _archiveLinks;

    /// <summary>Serves the listing of <paramref name="requestedPath"/> ("" or null for the root, else ending in '/').</summary>
    public async Task HandleAsync(HttpContext context, string? requestedPath)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await HandleCoreAsync(context, requestedPath ?? string.Empty);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // A client that leaves is normal.
            Log.ClientDisconnected(_logger, requestedPath ?? string.Empty, 0);
        }
        finally
        {
            if (_accessLog.IsEnabled)
            {
                var response = context.Response;
                _accessLog.TryWrite(AccessLogEntries.Create(context, response.StatusCode, HttpMethods.IsHead(context.Request.Method) ? 0 : response.ContentLength,
                    Stopwatch.GetElapsedTime(started), "-", context.RequestAborted.IsCancellationRequested ? "aborted" : "completed"));
            }
        }
    }

    /// <summary>
    /// For a key that is no file: when it is a folder the request may see, redirects to its listing URL (the same path
    /// with '/', the query kept so a signed link still works) and returns true; otherwise writes nothing.
    /// </summary>
    public async ValueTask<bool> TryRedirectToFolderAsync(HttpContext context, string key)
    {
        if (!IsEnabled || _storage is null)
        {
            return false;
        }

        if (await _storage.ListAsync(key + "/", cursor: null, pageSize: 1, context.RequestAborted) is null)
        {
            return false;
        }

        Log.FolderRedirected(_logger, key);
        var request = context.Request;

        // RFC 9110 §15.4.2: 301 for GET and HEAD (the only methods here); a relative reference is a valid Location.
        context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        context.Response.Headers.Location = request.PathBase.Add(request.Path).ToUriComponent() + "/" + request.QueryString.ToUriComponent();
        context.Response.Headers.CacheControl = "no-cache";
        return true;
    }

    private async Task HandleCoreAsync(HttpContext context, string requestedPath)
    {
        var request = context.Request;
        if (!HttpMethods.IsHead(request.Method) && !HttpMethods.IsGet(request.Method))
        {
            context.Response.Headers.Allow = AllowedMethods;
            await DownloadProblems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Only GET and HEAD are allowed here.");
            return;
        }

        // 1. Security: the folder key ("" or ending in '/'), from the same normalization downloads use.
        var (normalized, folder) = await TryNormalizeAsync(context, requestedPath);
        if (!normalized)
        {
            return;
        }

        // 2. Access: the folder's own policy and proof, before any storage call.
        var access = await _access.CheckAsync(context, folder);
        if (!access.IsAllowed)
        {
            return;
        }

        // 2b. Limits: a listing counts against the client's requests per minute (it costs storage calls: an open per
        // file locally, a ListObjectsV2 on S3), but holds no download slot: the page is small and sent at once.
        if (!await _limits.TryCountRequestAsync(context))
        {
            return;
        }

        if (!TryReadQuery(request, out var cursor, out var limit, out var sort))
        {
            Log.ListingCursorRefused(_logger, folder);
            await DownloadProblems.WriteAsync(context, StatusCodes.Status400BadRequest,
                "The query of a listing takes cursor (as a listing gave it), limit (a positive number), sort (name, size, modified) and order (asc, desc).");
            return;
        }

        var json = WantsJson(request);
        var pageSize = json && limit is { } asked ? Math.Min(asked, _pageSize) : _pageSize;

        // 3. Storage: one page, or no such folder.
        FolderPage? page;
        try
        {
            page = _storage is null ? null : await _storage.ListAsync(folder, cursor, pageSize, context.RequestAborted);
        }
        catch (StorageUnavailableException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            Log.ListingStorageUnavailable(_logger, folder, ex.Message);
            await DownloadProblems.StorageFailedAsync(context, ex);
            return;
        }

        if (page is null)
        {
            Log.ListingNotFound(_logger, folder);
            await DownloadProblems.WriteAsync(context, StatusCodes.Status404NotFound, "No such folder.");
            return;
        }

        // 3b. A folder reached through a link inside the root is listed only if the proof also covers where it really
        // is, as a download of a linked file is (a link in an open folder must not show a protected one).
        if (page.RealFolder is { } realFolder && !await _access.ConfirmRealKeyAsync(context, folder, realFolder))
        {
            return;
        }

        // 4. Only what the request could open: a protected sub-folder of an open folder is not shown, nor a link
        // to something protected. Digests are those known for the version's real file; never queued from here.
        var rows = new List<ListingRow>(page.Entries.Count);
        foreach (var entry in page.Entries)
        {
            if (await _access.CoversAsync(context, entry.Key)
                && (string.Equals(entry.RealKey, entry.Key, StringComparison.Ordinal) || await _access.CoversAsync(context, entry.RealKey)))
            {
                rows.Add(new ListingRow(entry, entry.ETag is { } etag ? _digests.KnownOf(entry.RealKey, etag)?.Get(ContentFacts.Sha256) : null));
            }
        }

        Log.ListingServed(_logger, folder, json ? "json" : "html", rows.Count, page.Entries.Count - rows.Count, page.NextCursor is not null);
        var next = page.NextCursor is null ? null : ListingCursor.Encode(page.NextCursor);
        var links = new ListingLinks(request);

        // 5. The answer, complete before its first header.
        if (json)
        {
            var document = new ListingDocument(folder, rows.ConvertAll(row => ToDocument(row, links)), next);
            await WriteAsync(context, JsonSerializer.SerializeToUtf8Bytes(document, ListingJsonContext.Default.ListingDocument), "application/json; charset=utf-8", contentSecurityPolicy: null);
        }
        else
        {
            var body = ListingHtml.Render(folder, sort.Apply(rows), sort, next, links, _archiveLinks);
            await WriteAsync(context, body, "text/html; charset=utf-8", ListingHtml.ContentSecurityPolicy);
        }
    }

    private static async ValueTask<(bool, string)> TryNormalizeAsync(HttpContext context, string requestedPath)
    {
        if (requestedPath.Length == 0)
        {
            return (true, string.Empty);
        }

        var verdict = StorageKey.TryNormalize(requestedPath, out var key);
        switch (verdict)
        {
            case StorageKeyVerdict.Valid:
                return (true, key + "/");
            case StorageKeyVerdict.Malformed:
                await DownloadProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "The path is not a valid folder name.");
                break;
            case StorageKeyVerdict.TooLong:
                await DownloadProblems.WriteAsync(context, StatusCodes.Status414UriTooLong, "The path or one of its names is longer than file names can be.");
                break;
            default:
                await DownloadProblems.WriteAsync(context, StatusCodes.Status404NotFound, "No such folder.");
                break;
        }

        return (false, string.Empty);
    }

    private static bool TryReadQuery(HttpRequest request, out string? cursor, out int? limit, out ListingSort sort)
    {
        var query = request.Query;
        cursor = null;
        limit = null;
        sort = ListingSort.Default;
        if (query[ListingLinks.CursorParameter] is { Count: > 0 } cursors)
        {
            if (cursors.Count > 1 || !ListingCursor.TryDecode(cursors[0] ?? string.Empty, out var decoded))
            {
                return false;
            }

            cursor = decoded;
        }

        if (query[ListingLinks.LimitParameter] is { Count: > 0 } limits)
        {
            if (limits.Count > 1 || !int.TryParse(limits[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                return false;
            }

            limit = parsed;
        }

        return ListingSort.TryParse(query[ListingSort.SortParameter].ToString(), query[ListingSort.OrderParameter].ToString(), out sort);
    }

    /// <summary>JSON when the client prefers it to HTML (<c>Accept: application/json</c>); HTML otherwise, and by default.</summary>
    internal static bool WantsJson(HttpRequest request)
    {
        double json = 0, html = 0;
        foreach (var accepted in request.GetTypedHeaders().Accept)
        {
            var quality = accepted.Quality ?? 1;
            if (accepted.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
            else if (accepted.MediaType.Equals(HtmlMediaType, StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, quality);
            }
        }

        return json > 0 && json >= html;
    }

    private static ListingEntryDocument ToDocument(ListingRow row, ListingLinks links)
    {
        var entry = row.Entry;
        return new ListingEntryDocument(
            entry.Name,
            entry.Key,
            links.Files(entry.Key),
            entry.IsFolder,
            entry.IsFolder ? null : entry.Length,
            entry.LastModified == DateTimeOffset.MinValue ? null : entry.LastModified,
            entry.ETag?.ToString(),
            row.Sha256 is { } sha256 ? "sha-256=:" + Convert.ToBase64String(sha256) + ":" : null);
    }

    private static async Task WriteAsync(HttpContext context, byte[] body, string contentType, string? contentSecurityPolicy)
    {
        var response = context.Response;
        var headers = response.Headers;

        // The page is made per request from what storage says now: a cache may keep it but must ask again.
        headers.CacheControl = "no-cache";
        headers.Vary = "Accept";
        headers.XContentTypeOptions = "nosniff";
        if (contentSecurityPolicy is not null)
        {
            headers.ContentSecurityPolicy = contentSecurityPolicy;
        }

        // RFC 9110 §8.8.1: weak, because the same page may be made again from the same entries with other bytes
        // (a digest learnt meanwhile); If-None-Match compares weakly (§13.1.2).
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"", isWeak: true);
        response.GetTypedHeaders().ETag = etag;
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(candidate => candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(etag, useStrongComparison: false)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
