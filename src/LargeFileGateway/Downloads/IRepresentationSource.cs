using LargeFileGateway.Representations;
using LargeFileGateway.Security;

namespace LargeFileGateway.Downloads;

/// <summary>
/// What one download endpoint serves: how its path becomes a key, and how a key becomes a representation (a stored
/// file for <c>/files</c>, a folder's zip for <c>/archives</c>). Everything else of the request flow (access, limits,
/// preconditions, ranges, headers, body, logs and metrics) is the same <see cref="DownloadHandler"/> for both.
/// </summary>
internal interface IRepresentationSource
{
    /// <summary>The normalized key of <paramref name="requestedPath"/> (<see cref="StorageKey.TryNormalize(string?, out string)"/>'s verdicts).</summary>
    StorageKeyVerdict TryNormalize(string? requestedPath, out string key);

    /// <summary>
    /// The current version of <paramref name="key"/>, nothing (answered by <see cref="AnswerMissingAsync"/> after the
    /// access checks that need to know), or an answer the source wrote itself. Outages throw
    /// <see cref="Storage.StorageUnavailableException"/>.
    /// </summary>
    ValueTask<RepresentationLookup> FindAsync(HttpContext context, string key);

    /// <summary>Answers a request for a key with nothing behind it.</summary>
    Task AnswerMissingAsync(HttpContext context, string key);

    /// <summary>Drops what a cache remembers of <paramref name="key"/>; false when nothing was cached.</summary>
    bool Forget(string key);
}

/// <summary>What <see cref="IRepresentationSource.FindAsync"/> found.</summary>
/// <param name="Representation">The representation; null when there is none.</param>
/// <param name="Answered">True when the source has written the answer itself (a folder too large to archive).</param>
internal readonly record struct RepresentationLookup(Representation? Representation, bool Answered)
{
    public static RepresentationLookup Missing => default;

    public static RepresentationLookup AnsweredBySource => new(null, Answered: true);

    public static RepresentationLookup Found(Representation representation) => new(representation, Answered: false);
}
