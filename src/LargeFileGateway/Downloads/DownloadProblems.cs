using System.Globalization;
using LargeFileGateway.Storage;

namespace LargeFileGateway.Downloads;

/// <summary>
/// The problem-details answers (RFC 9457) of the download endpoint. Details are fixed sentences: never an exception
/// message, a stack trace or a physical path (Go's toHTTPError).
/// </summary>
internal static class DownloadProblems
{
    public static Task WriteAsync(HttpContext context, int statusCode, string detail)
        => Results.Problem(statusCode: statusCode, detail: detail).ExecuteAsync(context);

    public static Task NotFoundAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status404NotFound, "No such file.");

    /// <summary>503 for an outage (or an overloaded instance), 504 for a timeout, with Retry-After when it is known.</summary>
    public static Task StorageFailedAsync(HttpContext context, StorageUnavailableException exception)
    {
        if (exception.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return exception switch
        {
            { IsInstanceOverloaded: true } => WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "This instance is overloaded; try again shortly."),
            { IsTimeout: true } => WriteAsync(context, StatusCodes.Status504GatewayTimeout, "The storage backend did not answer in time."),
            _ => WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The storage backend is unavailable."),
        };
    }
}
