using System.Globalization;
using LargeFileGateway.Access;
using LargeFileGateway.Downloads;
using LargeFileGateway.Observability;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Primitives;

namespace LargeFileGateway.Archives;

/// <summary>
/// <c>/archives/{folder}.zip</c>: the path without <c>.zip</c> is a folder (normalized as any key, then given its
/// trailing <c>/</c>, the key access rules see), and its representation is the zip of everything in it that the
/// request may see.
/// </summary>
internal sealed class ArchiveSource(ArchiveMembers members, SharedWalks walks, AccessGate access, IStorageProvider storage, MemberCrcs crcs, ILogger<ArchiveSource> logger) : IRepresentationSource
{
    public const string Extension = ".zip";

    public StorageKeyVerdict TryNormalize(string? requestedPath, out string key)
    {
        key = string.Empty;
        if (requestedPath is null || !requestedPath.EndsWith(Extension, StringComparison.Ordinal) || requestedPath.Length == Extension.Length)
        {
            return StorageKeyVerdict.Hidden;
        }

        var verdict = StorageKey.TryNormalize(requestedPath[..^Extension.Length], out var folder);
        if (verdict == StorageKeyVerdict.Valid)
        {
            key = folder + "/";
        }

        return verdict;
    }

    public async ValueTask<RepresentationLookup> FindAsync(HttpContext context, string key)
    {
        // Shared only where access is open everywhere, joined only by requests for a part (see SharedWalks).
        var lease = await walks.AcquireAsync(
            key,
            share: access.IsEverythingOpen,
            mayJoin: !StringValues.IsNullOrEmpty(context.Request.Headers.Range),
            cancellationToken => members.WalkAsync(context, key, cancellationToken),
            context.RequestAborted);
        var walk = lease.Walk;
        if (walk.Outcome != ArchiveWalkOutcome.Complete)
        {
            lease.Dispose();
            if (walk.Outcome == ArchiveWalkOutcome.NoSuchFolder)
            {
                return RepresentationLookup.Missing;
            }

            Log.ArchiveTooLarge(logger, key, walk.Outcome, walk.Entries, walk.Bytes);
            await AnswerTooLargeAsync(context, walk.Outcome);
            return RepresentationLookup.AnsweredBySource;
        }

        return RepresentationLookup.Found(new ArchiveRepresentation(key, walk.Layout!, storage, crcs, logger, lease));
    }

    public Task AnswerMissingAsync(HttpContext context, string key)
        => DownloadProblems.WriteAsync(context, StatusCodes.Status404NotFound, "No such folder.");

    public bool Forget(string key) => false;

    /// <remarks>
    /// 409 Conflict (RFC 9110 §15.5.10): the request is fine, but the folder's current state (its size) conflicts with
    /// what one archive may hold, and the user can resolve it (download a sub-folder, or ask for the cap to be
    /// raised). Not 413, which is about the request's own content, nor 403, which clients read as "no permission",
    /// nor 507, which is about storing.
    /// </remarks>
    private Task AnswerTooLargeAsync(HttpContext context, ArchiveWalkOutcome outcome)
    {
        var detail = outcome == ArchiveWalkOutcome.TooManyEntries
            ? string.Create(CultureInfo.InvariantCulture, $"The folder has more than {members.MaxEntries} entries, the most one archive holds here (Gateway:Archives:MaxEntries). Download a sub-folder.")
            : string.Create(CultureInfo.InvariantCulture, $"The folder holds more than {members.MaxBytes} bytes, the most one archive holds here (Gateway:Archives:MaxBytes). Download a sub-folder.");
        return DownloadProblems.WriteAsync(context, StatusCodes.Status409Conflict, detail);
    }
}
