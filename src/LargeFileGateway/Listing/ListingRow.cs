using LargeFileGateway.Storage;

namespace LargeFileGateway.Listing;

/// <summary>One entry as a listing shows it: what storage said, and the SHA-256 already known for that version.</summary>
/// <param name="Entry">The entry, as the provider listed it.</param>
/// <param name="Sha256">The digest of exactly this version from the content-facts store, or null when it is not known yet.</param>
internal sealed record ListingRow(FolderEntry Entry, byte[]? Sha256);
