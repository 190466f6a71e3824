namespace LargeFileGateway.Archives;

/// <summary>
/// What walking a folder for its archive found: the layout of its members (the caller owns it and disposes it), or
/// why there is no archive to make, with how far the walk got.
/// </summary>
internal sealed record ArchiveWalk(ArchiveWalkOutcome Outcome, ZipLayout? Layout, int Entries, long Bytes)
{
    public static ArchiveWalk NoSuchFolder { get; } = new(ArchiveWalkOutcome.NoSuchFolder, null, 0, 0);
}

internal enum ArchiveWalkOutcome
{
    Complete,
    NoSuchFolder,

    /// <summary>More members than <c>Gateway:Archives:MaxEntries</c>; the walk stopped there.</summary>
    TooManyEntries,

    /// <summary>More member bytes than <c>Gateway:Archives:MaxBytes</c>; the walk stopped there.</summary>
    TooManyBytes,
}
