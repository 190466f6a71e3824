namespace LargeFileGateway.Storage;

/// <summary>
/// An optional ability of a provider: look a file up and read it through one open object, instead of resolving it
/// once for <see cref="IStorageProvider.GetMetadataAsync"/> and again for every
/// <see cref="IStorageProvider.OpenReadAsync"/>. Checked once per request with <c>storage is IOpenableStorage</c>.
/// </summary>
internal interface IOpenableStorage
{
    /// <summary>
    /// Opens <paramref name="key"/>, or returns null under the same rules as <see cref="IStorageProvider.GetMetadataAsync"/>.
    /// The caller disposes the result when the request ends; until then it serves reads of exactly that version.
    /// </summary>
    ValueTask<OpenedFile?> OpenAsync(string key, CancellationToken cancellationToken);
}
