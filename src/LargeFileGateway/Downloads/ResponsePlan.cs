using LargeFileGateway.Http;

namespace LargeFileGateway.Downloads;

/// <summary>What kind of answer a download request gets, once access, preconditions and ranges are decided.</summary>
internal enum ResponseKind
{
    /// <summary>200 or 206 with the representation's bytes (or only its headers, for HEAD).</summary>
    Content,

    /// <summary>304: the client's copy is current (RFC 9110 §15.4.5).</summary>
    NotModified,

    /// <summary>412 with problem details (RFC 9110 §15.5.13).</summary>
    PreconditionFailed,

    /// <summary>416 with <c>Content-Range: bytes */length</c> and an empty body (RFC 9110 §15.5.17).</summary>
    RangeNotSatisfiable,
}

/// <summary>
/// The complete answer to one download request, decided before the first header is written: status, ranges,
/// framing, disposition and who sends the body. The handler writes it; nothing rewrites a header afterwards.
/// </summary>
internal sealed record ResponsePlan(ResponseKind Kind, RangeRequest Ranges)
{
    /// <summary>The framing of a multipart/byteranges body; null unless <see cref="Ranges"/> has several ranges.</summary>
    public MultipartByteRanges? Multipart { get; init; }

    /// <summary>False for HEAD: the headers of the answer a GET would get, and no body.</summary>
    public bool SendsBody { get; init; }

    /// <summary>Where nginx sends the body from (X-Accel-Redirect), or null when the gateway streams it.</summary>
    public string? OffloadUri { get; init; }

    /// <summary><c>Content-Disposition: inline</c> rather than attachment.</summary>
    public bool Inline { get; init; }

    /// <summary>Active content shown inline: sent with <c>Content-Security-Policy: sandbox</c>.</summary>
    public bool Sandboxed { get; init; }

    public int StatusCode => Kind switch
    {
        ResponseKind.NotModified => StatusCodes.Status304NotModified,
        ResponseKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ResponseKind.RangeNotSatisfiable => StatusCodes.Status416RangeNotSatisfiable,
        _ => Ranges.Kind is RangeKind.Single or RangeKind.Multiple ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK,
    };

    /// <summary>Body bytes the response carries: what Content-Length says.</summary>
    public long ContentLength(long representationLength) => Kind != ResponseKind.Content ? 0
        : Multipart is not null ? Multipart.ContentLength
        : Ranges.Kind == RangeKind.Single ? Ranges.Ranges[0].Length
        : representationLength;

    /// <summary>Representation bytes the body copies (the parts of a multipart body without their headers).</summary>
    public long PayloadLength(long representationLength) => Kind != ResponseKind.Content ? 0
        : Ranges.Kind is RangeKind.Single or RangeKind.Multiple ? Ranges.Ranges.Sum(static r => r.Length)
        : representationLength;
}
