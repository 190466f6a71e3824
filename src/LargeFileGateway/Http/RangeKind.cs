namespace LargeFileGateway.Http;

/// <summary>How a request's Range field was resolved; also the bounded tag used in logs and metrics.</summary>
internal enum RangeKind
{
    /// <summary>No Range, or one that is ignored (invalid syntax, unknown unit, HEAD, failed If-Range, too many): 200.</summary>
    None,

    /// <summary>One range: 206 with Content-Range.</summary>
    Single,

    /// <summary>Several ranges after coalescing: 206 multipart/byteranges.</summary>
    Multiple,

    /// <summary>No range overlaps the representation: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}
