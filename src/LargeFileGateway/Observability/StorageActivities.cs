using System.Diagnostics;

namespace LargeFileGateway.Observability;

/// <summary>
/// The one <see cref="ActivitySource"/> of storage calls: a span for opening a file or looking up its metadata, one
/// per ranged read (open plus every chunk of that range), and an event on it for each resume, so that a slow S3 read
/// shows under the request's span with the HttpClient spans of its calls beneath it.
/// </summary>
/// <remarks>
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null when nothing listens (no tracing
/// configured): every caller checks for null before adding a tag, so that path allocates nothing. Tags are
/// offsets, lengths and the provider kind, never a key.
/// </remarks>
internal static class StorageActivities
{
    public const string SourceName = "LargeFileGateway.Storage";

    public const string Open = "storage.open";
    public const string Metadata = "storage.metadata";
    public const string Read = "storage.read";
    public const string Resume = "storage.resume";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span of one ranged read, or returns null when nobody listens.</summary>
    public static Activity? StartRead(long offset, long length)
    {
        var activity = Source.StartActivity(Read, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("gateway.storage.offset", offset);
            activity.SetTag("gateway.storage.length", length);
        }

        return activity;
    }

    /// <summary>Records a resume at <paramref name="offset"/> on the read's span.</summary>
    public static void AddResume(Activity? read, long offset, int attempt, Exception failure)
    {
        if (read is null)
        {
            return;
        }

        read.AddEvent(new ActivityEvent(Resume, tags: new ActivityTagsCollection
        {
            ["gateway.storage.offset"] = offset,
            ["gateway.storage.resume.attempt"] = attempt,
            ["exception.type"] = failure.GetType().FullName,
        }));
    }

    /// <summary>Marks the span failed with the exception's type (never its message: it may name a path).</summary>
    public static void Fail(Activity? activity, Exception failure)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        activity.SetTag("error.type", failure.GetType().FullName);
    }
}
