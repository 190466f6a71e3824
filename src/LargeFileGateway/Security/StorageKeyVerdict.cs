namespace LargeFileGateway.Security;

/// <summary>What <see cref="StorageKey.TryNormalize(string?, out string)"/> decided about a requested path.</summary>
internal enum StorageKeyVerdict
{
    /// <summary>The path is a safe key inside the storage root.</summary>
    Valid,

    /// <summary>The path is malformed or hostile (traversal, control characters, encoded separators): 400.</summary>
    Malformed,

    /// <summary>The path is well formed but names nothing we serve (empty, a dotfile, a dot-directory): 404.</summary>
    Hidden,

    /// <summary>The path or one of its segments is longer than any file system accepts: 414.</summary>
    TooLong,
}
