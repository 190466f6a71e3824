namespace LargeFileGateway.Archives;

/// <summary>The kinds of byte runs a <see cref="ZipLayout"/> is made of, in the order they follow each other.</summary>
internal enum ZipPart
{
    /// <summary>A member's local file header (APPNOTE 4.3.7).</summary>
    LocalHeader,

    /// <summary>A member's stored bytes.</summary>
    Data,

    /// <summary>The data descriptor after a file's bytes (APPNOTE 4.3.9): its CRC-32 and sizes.</summary>
    Descriptor,

    /// <summary>A member's central directory header (APPNOTE 4.3.12).</summary>
    CentralHeader,

    /// <summary>The zip64 end of central directory record and locator when needed, then the end of central directory record.</summary>
    End,
}

/// <summary>One run of bytes of the archive: what it is, whose it is, and where it lies.</summary>
internal readonly record struct ZipSegment(ZipPart Part, int Entry, long Start, long Length)
{
    public long End => Start + Length;
}
