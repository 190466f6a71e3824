using System.Diagnostics;
using System.Globalization;
using LargeFileGateway.Configuration;
using LargeFileGateway.Http;
using LargeFileGateway.Observability;
using LargeFileGateway.Offload;
using LargeFileGateway.Progress;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using LargeFileGateway.Streaming;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Downloads;

/// <summary>
/// <c>GET</c> and <c>HEAD /files/{**key}</c>, read top to bottom against RFC 9110: path → metadata →
/// preconditions → ranges → headers → body. Decisions are made by pure functions; only this class writes to the
/// response.
/// </summary>
internal sealed class DownloadHandler
{
    private const string AllowedMethods = "GET, HEAD";

    private readonly IStorageProvider _storage;
    private readonly ChunkCopier _copier;
    private readonly ContentTypeMap _contentTypes;
    private readonly DownloadOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly NginxAccelRedirect _offload;
    private readonly TransferRegistry _transfers;
    private readonly ILogger _logger;

    public DownloadHandler(IStorageProvider storage, ChunkCopier copier, ContentTypeMap contentTypes, IOptions<DownloadOptions> options,
        TimeProvider time, GatewayMetrics metrics, NginxAccelRedirect offload, TransferRegistry transfers, ILogger<DownloadHandler> logger)
    {
        _storage = storage;
        _copier = copier;
        _contentTypes = contentTypes;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _offload = offload;
        _transfers = transfers;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context, string? requestedPath)
    {
        var started = Stopwatch.GetTimestamp();
        var exchange = new DownloadExchange(context);
        _metrics.DownloadStarted();
        try
        {
            await HandleCoreAsync(exchange, requestedPath);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // A client that leaves is normal (RFC 9110 does not make it an error): Debug, not Error.
            exchange.Aborted = true;
            Log.ClientDisconnected(_logger, exchange.Key, exchange.BytesSent);
        }
        finally
        {
            var duration = Stopwatch.GetElapsedTime(started);
            var status = context.Response.StatusCode;
            var rangeKind = exchange.RangeKind.ToString();
            Log.DownloadFinished(_logger, context.Request.Method, exchange.Key, context.Connection.RemoteIpAddress, rangeKind, status, exchange.BytesSent, duration.TotalMilliseconds, exchange.Aborted);
            _metrics.DownloadEnded(status, rangeKind, exchange.Aborted, exchange.BytesSent, duration);
            EndTransfer(exchange);
        }
    }

    private async Task HandleCoreAsync(DownloadExchange exchange, string? requestedPath)
    {
        var context = exchange.Context;
        var request = context.Request;
        var isHead = HttpMethods.IsHead(request.Method);
        if (!isHead && !HttpMethods.IsGet(request.Method))
        {
            context.Response.Headers.Allow = AllowedMethods;
            await WriteProblemAsync(context, StatusCodes.Status405MethodNotAllowed, "Only GET and HEAD are allowed here.");
            return;
        }

        // 1. Security: one normalization, before storage sees anything.
        var verdict = StorageKey.TryNormalize(requestedPath, out var key);
        if (verdict != StorageKeyVerdict.Valid)
        {
            Log.PathRefused(_logger, verdict, requestedPath?.Length ?? 0);
            var status = verdict == StorageKeyVerdict.Malformed ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound;
            await WriteProblemAsync(context, status, status == StatusCodes.Status400BadRequest ? "The path is not a valid file name." : "No such file.");
            return;
        }

        exchange.Key = key;

        // 2. Storage: what is there, and which version. A provider that can hold the file open for the request
        // (IOpenableStorage) is asked once, and every read of this request then goes through that open file.
        FileMetadata? file;
        OpenedFile? opened = null;
        try
        {
            if (_storage is IOpenableStorage openable)
            {
                opened = await openable.OpenAsync(key, context.RequestAborted);
                file = opened?.Metadata;
            }
            else
            {
                file = await _storage.GetMetadataAsync(key, context.RequestAborted);
            }
        }
        catch (StorageUnavailableException ex)
        {
            Log.StorageUnavailable(_logger, key, ex);
            await WriteStorageProblemAsync(context, ex);
            return;
        }

        using var openedFile = opened;

        if (file is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status404NotFound, "No such file.");
            return;
        }

        // 3. Preconditions (RFC 9110 §13.2.2), then Range (§14.2) guarded by If-Range (§13.1.5).
        var typedHeaders = request.GetTypedHeaders();
        switch (Preconditions.Evaluate(typedHeaders, file))
        {
            case PreconditionOutcome.NotModified:
                WriteNotModified(context.Response, file);
                return;
            case PreconditionOutcome.PreconditionFailed:
                await WriteProblemAsync(context, StatusCodes.Status412PreconditionFailed, "A precondition of the request does not hold for the current file.");
                return;
        }

        var ranges = ResolveRanges(typedHeaders, file, isHead);
        exchange.RangeKind = ranges.Kind;
        if (ranges.Kind == RangeKind.Unsatisfiable)
        {
            WriteUnsatisfiable(context, file);
            return;
        }

        var multipart = ranges.Kind == RangeKind.Multiple ? new MultipartByteRanges(ranges.Ranges, _contentTypes.For(file.Key), file.Length) : null;
        if (multipart is not null && multipart.ContentLength > file.Length)
        {
            // Part headers can make a multipart answer larger than the file itself (nginx, Jan 2026): send the file.
            Log.RangeIgnored(_logger, key, "multipart body would exceed the file");
            (ranges, multipart) = (RangeRequest.WholeRepresentation, null);
            exchange.RangeKind = RangeKind.None;
        }

        // 4. Headers, all in one place.
        WriteFileHeaders(context, file, ranges, multipart);
        if (isHead)
        {
            return;
        }

        // 5. Body: nginx sends it (X-Accel-Redirect) when offload is on and nginx would answer exactly as we would.
        if (_offload.TryRedirect(context, key, ranges))
        {
            return;
        }

        await SendBodyAsync(exchange, file, ranges, multipart, openedFile);
    }

    private RangeRequest ResolveRanges(Microsoft.AspNetCore.Http.Headers.RequestHeaders headers, FileMetadata file, bool isHead)
    {
        var range = headers.Headers.Range;
        if (range.Count == 0)
        {
            return RangeRequest.WholeRepresentation;
        }

        // RFC 9110 §14.2: Range is ignored for methods other than GET, HEAD included (the headers of a 200).
        if (isHead || range.Count > 1 || !Preconditions.IfRangeAllowsRange(headers, file, _time.GetUtcNow()))
        {
            Log.RangeIgnored(_logger, file.Key, isHead ? "HEAD" : range.Count > 1 ? "several Range fields" : "If-Range does not match");
            return RangeRequest.WholeRepresentation;
        }

        return RangeRequest.Resolve(range[0], file.Length, _options.MaxRanges);
    }

    private void WriteFileHeaders(HttpContext context, FileMetadata file, RangeRequest ranges, MultipartByteRanges? multipart)
    {
        var response = context.Response;
        var headers = response.Headers;
        var contentType = _contentTypes.For(file.Key);
        switch (ranges.Kind)
        {
            case RangeKind.Single:
                response.StatusCode = StatusCodes.Status206PartialContent;
                headers.ContentRange = ranges.Ranges[0].ToContentRange(file.Length);
                response.ContentLength = ranges.Ranges[0].Length;
                response.ContentType = contentType;
                break;
            case RangeKind.Multiple:
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.ContentLength = multipart!.ContentLength;
                response.ContentType = multipart.ContentType;
                break;
            default:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentLength = file.Length;
                response.ContentType = contentType;
                break;
        }

        WriteValidators(headers, file);
        headers.AcceptRanges = "bytes";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentDisposition = ContentDisposition.Create(FileName(file.Key), IsInlineRequested(context.Request));
        WriteProxyHeaders(headers);
    }

    private async Task SendBodyAsync(DownloadExchange exchange, FileMetadata file, RangeRequest ranges, MultipartByteRanges? multipart, OpenedFile? openedFile)
    {
        var context = exchange.Context;
        var writer = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        var transfer = exchange.Transfer = !_transfers.IsTracking ? null : _transfers.Start(file.Key, context.Connection.RemoteIpAddress?.ToString() ?? "-",
            TransferRegistry.DescribeRange(ranges.Ranges, file.Length), multipart?.Ranges.Sum(r => r.Length) ?? (ranges.Kind == RangeKind.Single ? ranges.Ranges[0].Length : file.Length));
        try
        {
            if (multipart is null)
            {
                var range = ranges.Kind == RangeKind.Single ? ranges.Ranges[0] : new ByteRange(0, file.Length - 1);
                if (file.Length > 0)
                {
                    exchange.BytesSent += await _copier.CopyAsync(file, range, writer, aborted, transfer, openedFile);
                }

                // Fewer bytes than the range means the client went away (the pipe completed under us).
                exchange.Aborted = exchange.BytesSent < Math.Max(range.Length, 0);
                return;
            }

            for (var i = 0; i < multipart.Ranges.Count; i++)
            {
                await writer.WriteAsync(multipart.PartHeader(i), aborted);
                var copied = await _copier.CopyAsync(file, multipart.Ranges[i], writer, aborted, transfer, openedFile);
                exchange.BytesSent += copied;
                if (copied < multipart.Ranges[i].Length)
                {
                    exchange.Aborted = true;
                    return;
                }
            }

            await writer.WriteAsync(multipart.ClosingDelimiter, aborted);
        }
        catch (Exception ex) when (ex is StorageObjectChangedException or StorageUnavailableException or IOException && !aborted.IsCancellationRequested)
        {
            if (!context.Response.HasStarted)
            {
                Log.StorageUnavailable(_logger, file.Key, ex);
                context.Response.Clear();
                await WriteStorageProblemAsync(context, ex as StorageUnavailableException ?? new StorageUnavailableException("The file changed while it was being opened.", ex) { RetryAfter = TimeSpan.FromSeconds(1) });
                return;
            }

            // The status line and Content-Length are gone: ending the body normally would hand the client a short
            // file that looks complete. Aborting makes every client see a failed transfer it can resume.
            Log.StorageFailedMidStream(_logger, file.Key, ex);
            exchange.Aborted = true;
            exchange.StorageFailed = true;
            context.Abort();
        }
    }

    private void EndTransfer(DownloadExchange exchange)
    {
        if (exchange.Transfer is not { } transfer)
        {
            return;
        }

        // Anything short of every byte without a client abort is a failure: storage, or an unexpected exception.
        var outcome = exchange.StorageFailed ? TransferOutcome.Failed
            : exchange.Aborted ? TransferOutcome.Aborted
            : transfer.BytesSent >= transfer.TotalBytes ? TransferOutcome.Completed
            : TransferOutcome.Failed;
        _transfers.End(transfer, outcome);
    }

    private void WriteNotModified(HttpResponse response, FileMetadata file)
    {
        // RFC 9110 §15.4.5: a 304 carries the validators and caching fields a 200 would have, and no body.
        response.StatusCode = StatusCodes.Status304NotModified;
        WriteValidators(response.Headers, file);
        if (_options.CacheControl.Length > 0)
        {
            response.Headers.CacheControl = _options.CacheControl;
        }
    }

    private static void WriteUnsatisfiable(HttpContext context, FileMetadata file)
    {
        // RFC 9110 §15.5.17. The body stays empty on purpose: curl -C - on a finished file appends any 416 body to
        // the user's file, so the status-code-pages problem body is switched off for this response.
        context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
        response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{file.Length}");
        response.Headers.AcceptRanges = "bytes";
        response.ContentLength = 0;
        WriteValidators(response.Headers, file);
    }

    private void WriteProxyHeaders(IHeaderDictionary headers)
    {
        if (_options.CacheControl.Length > 0)
        {
            headers.CacheControl = _options.CacheControl;
        }

        if (_options.DisableProxyBuffering)
        {
            headers["X-Accel-Buffering"] = "no";
        }
    }

    private static void WriteValidators(IHeaderDictionary headers, FileMetadata file)
    {
        headers.ETag = file.ETag.ToString();
        headers.LastModified = HeaderUtilities.FormatDate(file.LastModified);
    }

    private static Task WriteProblemAsync(HttpContext context, int statusCode, string detail)
        => Results.Problem(statusCode: statusCode, detail: detail).ExecuteAsync(context);

    private static Task WriteStorageProblemAsync(HttpContext context, StorageUnavailableException exception)
    {
        if (exception.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return exception.IsTimeout
            ? WriteProblemAsync(context, StatusCodes.Status504GatewayTimeout, "The storage backend did not answer in time.")
            : WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "The storage backend is unavailable.");
    }

    private static bool IsInlineRequested(HttpRequest request)
        => request.Query.TryGetValue("inline", out var value) && value.Count == 1 && value[0] is "1" or "true";

    private static string FileName(string key) => key[(key.LastIndexOf('/') + 1)..];
}
