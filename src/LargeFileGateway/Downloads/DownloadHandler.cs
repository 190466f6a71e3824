using System.Diagnostics;
using LargeFileGateway.Access;
using LargeFileGateway.AccessLog;
using LargeFileGateway.Digests;
using LargeFileGateway.Limits;
using LargeFileGateway.Listing;
using LargeFileGateway.Observability;
using LargeFileGateway.Progress;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.Downloads;

/// <summary>
/// <c>GET</c> and <c>HEAD</c> of a representation (<c>/files/{**key}</c>, <c>/archives/{folder}.zip</c>: an
/// <see cref="IRepresentationSource"/> each), read top to bottom against RFC 9110: method → path → access → representation →
/// plan (preconditions, ranges, framing, offload) → headers → body. Decisions are values made before the first
/// header is written; only this class (through <see cref="ResponseHeadersWriter"/> and <see cref="BodyWriter"/>)
/// writes to the response.
/// </summary>
internal sealed class DownloadHandler
{
    private const string AllowedMethods = "GET, HEAD";

    /// <summary>
    /// The category of the one line per request, apart from the handler's own so that it has a switch of its own: off
    /// by default (it cost about a tenth of the random-range rate, benchmarks/RESULTS.md item 13), and turning the
    /// gateway's diagnostics up for troubleshooting does not also turn it on.
    /// </summary>
    public const string AccessLogCategory = "LargeFileGateway.AccessLog";

    private readonly AccessGate _access;
    private readonly StoredFileSource _files;
    private readonly ResponsePlanner _planner;
    private readonly ResponseHeadersWriter _headers;
    private readonly BodyWriter _body;
    private readonly GatewayMetrics _metrics;
    private readonly TransferRegistry _transfers;
    private readonly ILogger _logger;
    private readonly ILogger _accessLog;
    private readonly AccessLogWriter _accessLogWriter;
    private readonly ConnectionLimits _limits;
    private readonly KnownDigests _digests;
    private readonly ListingHandler _listing;

    public DownloadHandler(AccessGate access, StoredFileSource files, ResponsePlanner planner, ResponseHeadersWriter headers, BodyWriter body,
        GatewayMetrics metrics, TransferRegistry transfers, ILogger<DownloadHandler> logger, ILoggerFactory loggerFactory, AccessLogWriter accessLogWriter,
        ConnectionLimits limits, KnownDigests digests, ListingHandler listing)
    {
        _listing = listing;
        _digests = digests;
        _limits = limits;
        _accessLog = loggerFactory.CreateLogger(AccessLogCategory);
        _accessLogWriter = accessLogWriter;
        _access = access;
        _files = files;
        _planner = planner;
        _headers = headers;
        _body = body;
        _metrics = metrics;
        _transfers = transfers;
        _logger = logger;
    }

    /// <summary>
    /// <c>/files/{**key}</c>: a stored file, or, for a path ending in '/' (or none: <c>/files/</c>), the folder's
    /// listing, which is no download (no download metrics, no slot). With the listing off such a path goes on as any
    /// other and is found nowhere.
    /// </summary>
    public Task HandleAsync(HttpContext context, string? requestedPath)
        => _listing.IsEnabled && (string.IsNullOrEmpty(requestedPath) || requestedPath.EndsWith('/'))
            ? _listing.HandleAsync(context, requestedPath)
            : HandleAsync(context, requestedPath, _files);

    /// <summary>What <paramref name="source"/> serves for <paramref name="requestedPath"/>, through the same flow as a file.</summary>
    public async Task HandleAsync(HttpContext context, string? requestedPath, IRepresentationSource source)
    {
        var exchange = new DownloadExchange(context);
        _metrics.DownloadStarted();
        try
        {
            await HandleCoreAsync(exchange, requestedPath, source);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // A client that leaves is normal (RFC 9110 does not make it an error): Debug, not Error.
            exchange.Aborted = true;
            Log.ClientDisconnected(_logger, exchange.Key, exchange.Body.BytesWritten);
        }
        catch (Exception) when (MarkUnexpected(exchange))
        {
            // Never reached: the filter only records that the framework's exception handler will answer (and log
            // once) what nobody expected, so that the line below logs the 500 the client really gets.
            throw;
        }
        finally
        {
            EndExchange(exchange);
        }
    }

    private async Task HandleCoreAsync(DownloadExchange exchange, string? requestedPath, IRepresentationSource source)
    {
        var context = exchange.Context;
        if (!HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = AllowedMethods;
            await DownloadProblems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Only GET and HEAD are allowed here.");
            return;
        }

        // 1. Security: one normalization, before storage sees anything.
        var verdict = source.TryNormalize(requestedPath, out var key);
        if (verdict != StorageKeyVerdict.Valid)
        {
            Log.PathRefused(_logger, verdict, requestedPath?.Length ?? 0);
            await (verdict switch
            {
                StorageKeyVerdict.Malformed => DownloadProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "The path is not a valid file name."),
                StorageKeyVerdict.TooLong => DownloadProblems.WriteAsync(context, StatusCodes.Status414UriTooLong, "The path or one of its names is longer than file names can be."),
                _ => DownloadProblems.NotFoundAsync(context),
            });
            return;
        }

        exchange.Key = key;

        // 2. Access: the policy of the key and the proof it needs, before any storage call.
        var access = await _access.CheckAsync(context, key);
        if (!access.IsAllowed)
        {
            return;
        }

        // 2b. Limits: per identity (known only now) and in total, before any storage call; the slots are held until
        // the response has ended, however it ends (released when Kestrel disposes the request, after the last byte,
        // the access log line and every middleware on the way out), so that no count of downloads in progress ever
        // sees a slot freed while its response is still running.
        var lease = await _limits.TryAcquireAsync(context);
        if (!lease.IsAcquired)
        {
            return;
        }

        if (!ReferenceEquals(lease, LimitLease.Unlimited))
        {
            context.Response.RegisterForDispose(lease);
        }

        // An object replaced between its lookup and its first read is looked up once more: the client gets the new
        // version instead of a 503 for a change it could not see. Once the first byte is out, a change aborts.
        const int MaxAttempts = 2;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!await ServeAsync(exchange, source, key, access, mayLookAgain: attempt < MaxAttempts))
                {
                    return;
                }
            }
            catch (StorageObjectChangedException ex) when (attempt < MaxAttempts && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                Log.RepresentationChangedBeforeFirstByte(_logger, key, ex.Message);
                context.Response.Clear();
                if (exchange.Transfer is { } abandoned)
                {
                    _transfers.End(abandoned, TransferOutcome.Failed);
                }

                exchange.Body = new BodyProgress();
            }
            catch (Exception ex) when (IsStorageFailure(ex) && !context.RequestAborted.IsCancellationRequested)
            {
                await AnswerStorageFailureAsync(exchange, ex);
                return;
            }
        }
    }

    /// <summary>Serves the current version of <paramref name="key"/>; true when it must be looked up once more first.</summary>
    private async Task<bool> ServeAsync(DownloadExchange exchange, IRepresentationSource source, string key, AccessDecision access, bool mayLookAgain)
    {
        var context = exchange.Context;

        // 3. Representation: what is there, and which version. An expired link inside its resume grace is honoured
        // only for a resume of exactly this version, which only the representation can tell.
        var lookup = await source.FindAsync(context, key);
        if (lookup.Answered)
        {
            return false;
        }

        using var representation = lookup.Representation;
        if (access.OnlyAsResume && !await _access.ConfirmResumeAsync(context, key, access, representation))
        {
            return false;
        }

        if (representation is null)
        {
            await source.AnswerMissingAsync(context, key);
            return false;
        }

        if (!await _access.ConfirmRealKeyAsync(context, key, representation.RealKey))
        {
            return false;
        }

        // 3b. Content facts: the digests known for exactly this version; an unknown version is queued for the
        // background worker, never hashed here (an archive has no stored version: it gets none).
        representation.Facts = _digests.FactsOf(representation);

        // 4. Plan: preconditions, ranges, framing, disposition, offload; complete before any header.
        var plan = _planner.Plan(context, representation);
        exchange.RangeKind = plan.Ranges.Kind;
        if (plan.Kind == ResponseKind.RangeNotSatisfiable && mayLookAgain && source.Forget(key))
        {
            // A length remembered by the metadata cache may be older than the object (a file that grew, a resume
            // past the cached end): a 416 is only answered from a fresh lookup.
            Log.RangeCheckedAgainstFreshMetadata(_logger, key);
            return true;
        }

        if (access.OnlyAsResume && !await _access.ConfirmResumePlanAsync(context, key, access, plan))
        {
            return false;
        }

        if (plan.Kind == ResponseKind.PreconditionFailed)
        {
            await DownloadProblems.WriteAsync(context, StatusCodes.Status412PreconditionFailed, "A precondition of the request does not hold for the current file.");
            return false;
        }

        // 5. Headers, all in one place.
        _headers.Write(context, plan, representation);
        if (plan.Kind != ResponseKind.Content || !plan.SendsBody || plan.OffloadUri is not null)
        {
            return false;
        }

        // 6. Body.
        var transfer = !_transfers.IsTracking ? null : _transfers.Start(key, context.Connection.RemoteIpAddress?.ToString() ?? "-",
            TransferRegistry.DescribeRange(plan.Ranges.Ranges, representation.Length), plan.PayloadLength(representation.Length));
        exchange.Body = new BodyProgress(transfer);
        exchange.Aborted = !await _body.WriteAsync(context, plan, representation, exchange.Body);
        return false;
    }

    private async Task AnswerStorageFailureAsync(DownloadExchange exchange, Exception exception)
    {
        var context = exchange.Context;
        if (context.Response.HasStarted)
        {
            // The status line and Content-Length are gone: ending the body normally would hand the client a short
            // file that looks complete. Aborting makes every client see a failed transfer it can resume.
            Log.StorageFailedMidStream(_logger, exchange.Key, exchange.Body.BytesWritten, Describe(exception));
            exchange.Aborted = true;
            exchange.StorageFailed = true;
            context.Abort();
            return;
        }

        context.Response.Clear();
        var failure = exception as StorageUnavailableException
            ?? new StorageUnavailableException("The file changed or failed while it was being opened.", exception) { RetryAfter = TimeSpan.FromSeconds(1) };
        if (failure.IsInstanceOverloaded)
        {
            Log.InstanceOverloaded(_logger, exchange.Key, Describe(exception));
            if (context.Features.Get<ProxiedRequestFeature>()?.FromTrustedProxy == true)
            {
                // Behind the proxy a closed connection before any byte is what nginx retries on another instance
                // (proxy_next_upstream error); a 503 would be passed through as a storage outage.
                exchange.ClosedWithoutResponse = true;
                context.Abort();
                return;
            }

            await DownloadProblems.StorageFailedAsync(context, failure.RetryAfter is null ? new StorageUnavailableException(failure.Message, failure) { IsInstanceOverloaded = true, RetryAfter = TimeSpan.FromSeconds(1) } : failure);
            return;
        }

        Log.StorageUnavailable(_logger, exchange.Key, Describe(exception));
        await DownloadProblems.StorageFailedAsync(context, failure);
    }

    private void EndExchange(DownloadExchange exchange)
    {
        var context = exchange.Context;
        var duration = Stopwatch.GetElapsedTime(exchange.StartedTimestamp);
        var status = exchange.StatusCode;
        var rangeKind = exchange.RangeKind.ToString();
        var bytesSent = exchange.Body.BytesWritten;
        var ended = exchange.Outcome;
        Log.DownloadFinished(_accessLog, context.Request.Method, exchange.Key, context.Connection.RemoteIpAddress, rangeKind, status, bytesSent, duration.TotalMilliseconds, exchange.Aborted);
        _metrics.DownloadEnded(status, rangeKind, ended, bytesSent, duration, exchange.TimeToFirstByte);
        if (_accessLogWriter.IsEnabled)
        {
            // An offloaded answer's body is sent by nginx: its size is nginx's to log, not "0 bytes". A complete
            // body is its Content-Length (multipart framing included); a cut one is the payload bytes really written.
            long? loggedBytes = ended == DownloadOutcome.Offloaded ? null
                : ended == DownloadOutcome.Completed && !HttpMethods.IsHead(context.Request.Method) && context.Response.ContentLength is { } length ? length
                : bytesSent;
            _accessLogWriter.TryWrite(AccessLogEntries.Create(context, status, loggedBytes, duration,
                AccessLogEntries.RangeKindName(exchange.RangeKind), AccessLogEntries.OutcomeName(ended)));
        }
        if (exchange.Transfer is { } transfer)
        {
            // Anything short of every byte without a client abort is a failure: storage, or an unexpected exception.
            var outcome = exchange.StorageFailed || exchange.Unexpected ? TransferOutcome.Failed
                : exchange.Aborted ? TransferOutcome.Aborted
                : transfer.BytesSent >= transfer.TotalBytes ? TransferOutcome.Completed
                : TransferOutcome.Failed;
            _transfers.End(transfer, outcome);
        }
    }

    private static bool MarkUnexpected(DownloadExchange exchange)
    {
        exchange.Unexpected = true;
        return false;
    }

    // Failures of storage the request flow knows how to answer; anything else is unexpected (500, logged once).
    private static bool IsStorageFailure(Exception exception)
        => exception is StorageUnavailableException or StorageObjectChangedException or IOException or UnauthorizedAccessException;

    // One line for the log: what failed and why, without the stack trace of a failure that is understood.
    private static string Describe(Exception exception)
    {
        var inner = exception.InnerException;
        return inner is null ? exception.Message : $"{exception.Message} ({inner.GetType().Name}: {inner.Message})";
    }
}
