using LargeFileGateway.Configuration;
using LargeFileGateway.Http;
using LargeFileGateway.Observability;
using LargeFileGateway.Offload;
using LargeFileGateway.Representations;
using LargeFileGateway.Security;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Downloads;

/// <summary>
/// Decides the answer to a GET or HEAD of a representation, in RFC 9110 order: preconditions (§13.2.2), then Range
/// (§14.2) guarded by If-Range (§13.1.5), then framing, disposition and offload. Reads the request, writes nothing.
/// </summary>
internal sealed class ResponsePlanner
{
    private readonly int _maxRanges;
    private readonly TimeProvider _time;
    private readonly NginxAccelRedirect _offload;
    private readonly ILogger _logger;

    public ResponsePlanner(IOptions<DownloadOptions> options, TimeProvider time, NginxAccelRedirect offload, ILogger<ResponsePlanner> logger)
    {
        _maxRanges = options.Value.MaxRanges;
        _time = time;
        _offload = offload;
        _logger = logger;
    }

    public ResponsePlan Plan(HttpContext context, Representation representation)
    {
        var request = context.Request;
        var headers = request.GetTypedHeaders();
        switch (Preconditions.Evaluate(headers, representation.ETag, representation.LastModified, representation.LastModifiedIsValidator))
        {
            case PreconditionOutcome.NotModified:
                return new ResponsePlan(ResponseKind.NotModified, RangeRequest.WholeRepresentation);
            case PreconditionOutcome.PreconditionFailed:
                return new ResponsePlan(ResponseKind.PreconditionFailed, RangeRequest.WholeRepresentation);
        }

        var isHead = HttpMethods.IsHead(request.Method);
        var ranges = ResolveRanges(headers, representation, isHead);
        if (ranges.Kind == RangeKind.Unsatisfiable)
        {
            return new ResponsePlan(ResponseKind.RangeNotSatisfiable, ranges);
        }

        MultipartByteRanges? multipart = null;
        if (ranges.Kind == RangeKind.Multiple)
        {
            multipart = new MultipartByteRanges(ranges.Ranges, representation.ContentType, representation.Length);
            if (multipart.ContentLength > representation.Length)
            {
                // Part headers can make a multipart answer larger than the file itself (nginx, Jan 2026): one
                // request must never cost more than the whole file, so the whole file is what it gets.
                Log.RangeIgnored(_logger, representation.Key, "multipart body would exceed the file");
                (ranges, multipart) = (RangeRequest.WholeRepresentation, null);
            }
        }

        var inline = IsInlineRequested(request);
        return new ResponsePlan(ResponseKind.Content, ranges)
        {
            Multipart = multipart,
            SendsBody = !isHead,
            OffloadUri = isHead || representation.OffloadKey is not { } offloadKey ? null : _offload.PlanRedirect(context, offloadKey, ranges),
            Inline = inline,
            Sandboxed = inline && ActiveContent.MayRunScript(representation.ContentType),
        };
    }

    private RangeRequest ResolveRanges(RequestHeaders headers, Representation representation, bool isHead)
    {
        var range = headers.Headers.Range;
        if (range.Count == 0)
        {
            return RangeRequest.WholeRepresentation;
        }

        // RFC 9110 §14.2: Range is ignored for methods other than GET, HEAD included (the headers of a 200).
        if (isHead || range.Count > 1 || !Preconditions.IfRangeAllowsRange(headers, representation.ETag, representation.LastModifiedIsValidator ? representation.LastModified : null, _time.GetUtcNow()))
        {
            Log.RangeIgnored(_logger, representation.Key, isHead ? "HEAD" : range.Count > 1 ? "several Range fields" : "If-Range does not match");
            return RangeRequest.WholeRepresentation;
        }

        return RangeRequest.Resolve(range[0], representation.Length, _maxRanges);
    }

    // The query string is looked at first: a download without one (most of them) then neither creates nor parses
    // the request's query collection, a feature look-up and an allocation per request.
    private static bool IsInlineRequested(HttpRequest request)
        => request.QueryString.HasValue && request.Query.TryGetValue("inline", out var value) && value.Count == 1 && value[0] is "1" or "true";
}
