using LargeFileGateway.Digests;
using LargeFileGateway.Representations;
using LargeFileGateway.Security;

namespace LargeFileGateway.Downloads;

/// <summary>
/// <c>/files/{**key}</c>: the stored file a key names. A missing file may still be the checksum of one
/// (<c>name.sha256</c>, answered from the digest store), or a folder asked for without its '/' (redirected to its
/// listing when the listing is on).
/// </summary>
internal sealed class StoredFileSource(StoredFiles files, ChecksumFileAnswer checksumFiles, Listing.ListingHandler listing) : IRepresentationSource
{
    public StorageKeyVerdict TryNormalize(string? requestedPath, out string key) => StorageKey.TryNormalize(requestedPath, out key);

    public async ValueTask<RepresentationLookup> FindAsync(HttpContext context, string key)
        => await files.FindAsync(key, context.RequestAborted) is { } file ? RepresentationLookup.Found(file) : RepresentationLookup.Missing;

    public async Task AnswerMissingAsync(HttpContext context, string key)
    {
        if ((!checksumFiles.Covers(key) || !await checksumFiles.TryAnswerAsync(context, key)) && !await listing.TryRedirectToFolderAsync(context, key))
        {
            await DownloadProblems.NotFoundAsync(context);
        }
    }

    public bool Forget(string key) => files.Forget(key);
}
