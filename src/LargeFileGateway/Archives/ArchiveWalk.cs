namespace LargeFileGateway.Archives;

/// <summary>What walking a folder for its archive found: its members, or why there is no archive to make.</summary>
internal sealed record ArchiveWalk(ArchiveWalkOutcome Outcome, IReadOnlyList<ArchiveMember> Members, long Bytes)
{
    public static ArchiveWalk NoSuchFolder { get; } = new(ArchiveWalkOutcome.NoSuchFolder, [], 0);
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
