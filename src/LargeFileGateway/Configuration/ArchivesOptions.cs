using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>Zip archives of a folder made on the fly (<c>GET /archives/{folder}.zip</c>). Bound from <c>Gateway:Archives</c>.</summary>
internal sealed class ArchivesOptions
{
    public const string SectionName = "Gateway:Archives";

    /// <summary>Off by default, like the listing; on in the first-run sample.</summary>
    public bool Enabled { get; set; }

    /// <summary>Members (files and empty folders) one archive holds at most; a larger folder is refused with problem details.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntries { get; set; } = 200_000;

    /// <summary>Bytes of member data one archive holds at most (1 TiB); a larger folder is refused with problem details.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxBytes { get; set; } = 1L << 40;

    /// <summary>
    /// How long after a folder was walked a request that arrives while that archive is still being downloaded (the
    /// other connections of <c>aria2c -x16</c>) shares the walk instead of walking again; 0 walks for every request.
    /// A folder change is seen by new requests after at most this long, at once when no download of it is running.
    /// </summary>
    /// <summary>
    /// Where an archive's member table goes once it outgrows memory (past about 2,300 members): an unlinked file per
    /// request, about 100 bytes a member. Null: the system's temporary folder (<c>TMPDIR</c>). Checked writable at
    /// start when archives are on (a read-only container needs a writable volume here).
    /// </summary>
    public string? TableFolder { get; set; }

    /// <summary>The folder <see cref="TableFolder"/> names, or the system's temporary folder.</summary>
    public string TableFolderOrDefault => string.IsNullOrEmpty(TableFolder) ? Path.GetTempPath() : TableFolder;

    [TimeSpanRange("00:00:00", "00:10:00", ErrorMessage = SectionName + ":ShareWalkFor must be between {1} and {2}.")]
    public TimeSpan ShareWalkFor { get; set; } = TimeSpan.FromSeconds(5);
}
