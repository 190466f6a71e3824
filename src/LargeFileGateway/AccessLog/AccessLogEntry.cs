using System.Net;

namespace LargeFileGateway.AccessLog;

/// <summary>
/// What one access-log line says, captured at the end of a request from values the request already holds (no
/// formatting on the request path: the writer formats it later, off that path).
/// </summary>
internal readonly record struct AccessLogEntry
{
    public required DateTimeOffset Time { get; init; }

    public required IPAddress? RemoteAddress { get; init; }

    public required string Method { get; init; }

    /// <summary>The request target as the client sent it (path and query), like nginx's <c>$request</c>.</summary>
    public required string Target { get; init; }

    public required string Protocol { get; init; }

    /// <summary>The status the client got; 0 when the connection was closed before any answer.</summary>
    public required int Status { get; init; }

    /// <summary>Body bytes the gateway really sent; null when unknown (nginx sent them: <see cref="Outcome"/> is "offload").</summary>
    public required long? BytesSent { get; init; }

    public required string? Referer { get; init; }

    public required string? UserAgent { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The Range field as sent, or null.</summary>
    public required string? Range { get; init; }

    /// <summary>How the range was resolved (none, single, multiple, unsatisfiable), "-" outside <c>/files</c>.</summary>
    public required string RangeKind { get; init; }

    /// <summary>completed, aborted, failed or offload.</summary>
    public required string Outcome { get; init; }
}
