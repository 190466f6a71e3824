using System.Globalization;
using LargeFileGateway.Configuration;
using LargeFileGateway.Http;
using LargeFileGateway.Limits;
using LargeFileGateway.Offload;
using LargeFileGateway.Representations;
using LargeFileGateway.Security;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Downloads;

/// <summary>Writes the status and every header of a <see cref="ResponsePlan"/>, all in one place, once.</summary>
internal sealed class ResponseHeadersWriter
{
    private readonly string _cacheControl;
    private readonly bool _disableProxyBuffering;
    private readonly DownloadRates _rates;

    public ResponseHeadersWriter(IOptions<DownloadOptions> options, DownloadRates rates)
    {
        _rates = rates;
        _cacheControl = options.Value.CacheControl;
        _disableProxyBuffering = options.Value.DisableProxyBuffering;
    }

    /// <summary>Everything but the 412, whose problem body is written by <see cref="DownloadProblems"/>.</summary>
    public void Write(HttpContext context, ResponsePlan plan, Representation representation)
    {
        var response = context.Response;
        var headers = response.Headers;
        response.StatusCode = plan.StatusCode;
        WriteValidators(headers, representation);
        switch (plan.Kind)
        {
            case ResponseKind.NotModified:
                // RFC 9110 §15.4.5: a 304 carries the validators and caching fields a 200 would have, and no body.
                WriteCacheControl(headers);
                return;

            case ResponseKind.RangeNotSatisfiable:
                // The body stays empty on purpose: curl -C - on a finished file appends any 416 body to the user's
                // file, so the status-code-pages problem body is switched off for this response.
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
                headers.ContentRange = ByteRange.UnsatisfiedContentRange(representation.Length);
                headers.AcceptRanges = "bytes";
                response.ContentLength = 0;
                return;

            case ResponseKind.Content:
                WriteContent(response, plan, representation);
                return;
        }
    }

    private void WriteContent(HttpResponse response, ResponsePlan plan, Representation representation)
    {
        var headers = response.Headers;
        response.ContentType = plan.Multipart?.ContentType ?? representation.ContentType;
        response.ContentLength = plan.ContentLength(representation.Length);
        if (plan.Ranges.Kind == RangeKind.Single)
        {
            headers.ContentRange = plan.Ranges.Ranges[0].ToContentRange(representation.Length);
        }

        headers.AcceptRanges = "bytes";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentDisposition = representation.ContentDispositionField(plan.Inline);
        if (plan.Sandboxed)
        {
            headers.ContentSecurityPolicy = ActiveContent.SandboxPolicy;
        }

        // RFC 9530 §3: the digest of the whole representation, on 200, on every 206 (multipart too) and on HEAD;
        // in offload mode nginx copies it (nginx/largefilegateway/protected.conf).
        Digests.DigestFields.Write(response.HttpContext.Request.Headers, headers, representation.Facts);
        WriteCacheControl(headers);
        if (_disableProxyBuffering)
        {
            headers["X-Accel-Buffering"] = "no";
        }

        if (plan.OffloadUri is { } uri)
        {
            // nginx takes status, length and Content-Range from the file and the client's Range; the gateway sends it
            // an empty 200 with the redirect and the headers nginx copies (Content-Type, Accept-Ranges,
            // Content-Disposition, Cache-Control) or that the internal location adds (ETag, X-Content-Type-Options,
            // Content-Security-Policy). nginx adds Accept-Ranges to a 200 itself but not to a 206.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentLength = 0;
            headers.ContentRange = default;
            if (plan.Ranges.Kind == RangeKind.None)
            {
                headers.AcceptRanges = default;
            }

            headers[NginxAccelRedirect.HeaderName] = uri;
            var rate = _rates.RatePerDownload(response.HttpContext);
            if (rate > 0)
            {
                // nginx sends the bytes, so it applies the per-download rate (from the first byte: it has no
                // per-response limit_rate_after). The per-client aggregate it cannot apply; see README, Limits.
                headers[NginxAccelRedirect.LimitRateHeaderName] = rate.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private void WriteCacheControl(IHeaderDictionary headers)
    {
        if (_cacheControl.Length > 0)
        {
            headers.CacheControl = _cacheControl;
        }
    }

    private static void WriteValidators(IHeaderDictionary headers, Representation representation)
    {
        headers.ETag = representation.ETag.ToString();
        headers.LastModified = representation.LastModifiedField;
    }
}
