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
}
