using System.Text.Json.Serialization;

namespace LargeFileGateway.Listing;

/// <summary>
/// The JSON listing of one page of a folder (<c>Accept: application/json</c>):
/// <c>{"folder":"docs/","entries":[...],"next":"…"|null}</c>. Pass <c>next</c> back as <c>?cursor=</c> for the following page.
/// </summary>
/// <param name="Folder">The folder key: "" for the root, else ending in '/'.</param>
/// <param name="Entries">In ordinal order of name, folders and files mixed.</param>
/// <param name="Next">The cursor of the next page (opaque, URL-safe), or null on the last page.</param>
internal sealed record ListingDocument(string Folder, IReadOnlyList<ListingEntryDocument> Entries, string? Next);

/// <summary>One entry of a <see cref="ListingDocument"/>.</summary>
/// <param name="Name">The last segment, without a folder's trailing '/'.</param>
/// <param name="Key">The full key; a folder's ends in '/'.</param>
/// <param name="Url">Where to get it: the download URL of a file, the listing URL of a folder (with the request's signed-link parameters).</param>
/// <param name="IsFolder">True for a folder.</param>
/// <param name="Size">A file's length in bytes; null for a folder.</param>
/// <param name="Modified">Last modification (UTC, whole seconds), or null when storage does not say (S3 folders).</param>
/// <param name="ETag">The strong ETag a download of the file sends, or null (a folder; or storage that cannot tell it in a listing).</param>
/// <param name="Digest">The SHA-256 of the file when already known, as in a <c>Repr-Digest</c> field (<c>sha-256=:base64:</c>, RFC 9530); else null.</param>
internal sealed record ListingEntryDocument(
    string Name,
    string Key,
    string Url,
    bool IsFolder,
    long? Size,
    DateTimeOffset? Modified,
    [property: JsonPropertyName("etag")] string? ETag,
    string? Digest);
