using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LargeFileGateway.Security;

namespace LargeFileGateway.Storage.S3;

/// <summary>Folder listings of the bucket under the prefix (<see cref="IListableStorage"/>), with ListObjectsV2.</summary>
internal sealed partial class S3StorageProvider
{
    /// <summary>Set once the bucket is known to have had versioning on: it never goes back to "never enabled".</summary>
    private volatile bool _versioned;

    /// <remarks>
    /// One ListObjectsV2 per page (Prefix = the configured prefix and the folder, Delimiter '/', MaxKeys = the page
    /// size), through the pipeline like every other call. The cursor is StartAfter, made by the gateway from the
    /// last key of the page (for a common prefix, the prefix followed by U+10FFFF, the greatest code point, so that
    /// nothing under it comes again), not S3's continuation token: it works alike on every S3-compatible server
    /// (s3rver's tokens need DES, which OpenSSL 3 dropped, and name the last object only, so the common prefixes
    /// listed after it come again on the next page), and a forged cursor is only a key to start after. Common prefixes
    /// are folders; S3 has no empty folders but a "folder/" marker object, which is not an entry itself. A file's
    /// ETag is the validator a download sends only while the bucket has never had versioning: with versioning, a
    /// download's validator names the version id, which ListObjectsV2 does not give, so the entry's ETag is then
    /// null (ask <see cref="IStorageProvider.GetMetadataAsync"/> for it). S3 lists in UTF-8 byte order; each page is
    /// put in ordinal (UTF-16) order, which differs from it only for names outside the Basic Multilingual Plane.
    /// </remarks>
    public async ValueTask<FolderPage?> ListAsync(string folder, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        if (folder.Length > 0 && (folder[^1] != '/' || !RemoteKey.IsServable(folder[..^1])))
        {
            return null;
        }

        var versioned = _versioned || await RunAsync(IsVersionedAsync, cancellationToken);
        var answer = await RunAsync(token => SendListAsync(folder, cursor, pageSize, token), cancellationToken);
        if (answer is null)
        {
            // A cursor S3 refused (a forged one): nothing more to list from there.
            return new FolderPage([], NextCursor: null);
        }

        // In S3's order (UTF-8 bytes), keys and common prefixes together, at most a page: some servers (s3rver) do
        // not count common prefixes towards MaxKeys. A common prefix sorts as everything under it.
        var listed = (answer.S3Objects ?? []).Where(static item => item.Key is not null).Select(static item => (Sort: item.Key, Item: (S3Object?)item, Prefix: (string?)null))
            .Concat((answer.CommonPrefixes ?? []).Select(static prefix => (Sort: prefix + "\U0010FFFF", Item: (S3Object?)null, Prefix: (string?)prefix)))
            .OrderBy(static candidate => candidate.Sort, Utf8Order)
            .ToList();
        var more = answer.IsTruncated == true || listed.Count > pageSize;
        if (listed.Count > pageSize)
        {
            listed.RemoveRange(pageSize, listed.Count - pageSize);
        }

        var entries = new List<FolderEntry>(listed.Count);
        foreach (var (_, item, prefix) in listed)
        {
            if (prefix is not null)
            {
                var folderKey = prefix[_prefix.Length..];
                if (IsEntry(folder, folderKey[..^1]))
                {
                    entries.Add(new FolderEntry(folderKey, folderKey[folder.Length..^1], IsFolder: true, Length: 0, DateTimeOffset.MinValue, ETag: null));
                }

                continue;
            }

            // The "folder/" marker object itself (key == folder) is no entry: IsEntry wants a name after the folder.
            var key = item!.Key[_prefix.Length..];
            if (IsEntry(folder, key) && item.Size is >= 0 and { } size && !string.IsNullOrEmpty(item.ETag))
            {
                entries.Add(new FolderEntry(key, key[folder.Length..], IsFolder: false, size, FileMetadata.ToHttpDatePrecision(AsUtc(item.LastModified)),
                    versioned ? null : ToValidator(item.ETag, versionId: null)));
            }
        }

        // S3 has a folder as long as some key starts with it (its marker included): nothing at all, on the first page, is no folder.
        if (folder.Length > 0 && cursor is null && listed.Count == 0)
        {
            return null;
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));

        // Without the configured prefix: the cursor goes to clients, the bucket's layout does not.
        return new FolderPage(entries, more && listed.Count > 0 ? listed[^1].Sort[_prefix.Length..] : null);
    }

    private static readonly Comparer<string> Utf8Order = Comparer<string>.Create(static (a, b)
        => System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)));

    /// <summary>
    /// Whether the bucket has (or had) versioning on. A server that does not implement versioning (501) has no
    /// version ids, as with it never enabled; a refusal to say (no s3:GetBucketVersioning) counts as versioned,
    /// so that no listing ever claims a validator a download would not send.
    /// </summary>
    private async ValueTask<bool> IsVersionedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = _bucket }, cancellationToken);
            var status = answer.VersioningConfig?.Status;
            _versioned = status is not null && (status == VersionStatus.Enabled || status == VersionStatus.Suspended);
            return _versioned;
        }
        catch (AmazonServiceException ex) when (ex.StatusCode == HttpStatusCode.NotImplemented || ex.ErrorCode == "NotImplemented")
        {
            return false;
        }
        catch (AmazonServiceException ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed)
        {
            return true;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException && !IsTransient(ex))
        {
            throw Misconfigured((ex as AmazonServiceException)?.ErrorCode, "S3 refused the versioning lookup.", ex);
        }
    }

    private async ValueTask<ListObjectsV2Response?> SendListAsync(string folder, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _bucket,
                Prefix = _prefix + folder,
                Delimiter = "/",
                MaxKeys = Math.Min(pageSize, 1000),
                StartAfter = cursor is null ? null : _prefix + cursor,
            }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (cursor is not null && ex.StatusCode == HttpStatusCode.BadRequest)
        {
            // A cursor S3 will not start after (outside the prefix, too long): nothing more from there.
            return null;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException && !IsTransient(ex))
        {
            throw Misconfigured((ex as AmazonServiceException)?.ErrorCode, "S3 refused the folder listing.", ex);
        }
    }

    /// <summary>
    /// A direct child of <paramref name="folder"/> that a download could reach by the same key: no dot segment, no
    /// dotfile, nothing the request path could not carry as it is.
    /// </summary>
    private static bool IsEntry(string folder, string key)
        => key.Length > folder.Length && key.StartsWith(folder, StringComparison.Ordinal) && !key.AsSpan(folder.Length).Contains('/')
            && RemoteKey.IsServable(key)
            && StorageKey.TryNormalize(key, out var normalized) == StorageKeyVerdict.Valid && string.Equals(normalized, key, StringComparison.Ordinal);
}
