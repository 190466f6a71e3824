using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.StaticFiles;

namespace LargeFileGateway.Representations;

/// <summary>
/// Media types by file extension: the framework's table, a few large-file formats it lacks, then the
/// operator's own mappings from <c>Gateway:Download:ContentTypes</c>. Unknown extensions are octet-stream.
/// </summary>
internal sealed class ContentTypeMap
{
    public const string DefaultContentType = "application/octet-stream";

    // Formats people download in gigabytes that FileExtensionContentTypeProvider does not know or maps oddly.
    private static readonly Dictionary<string, string> LargeFileFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mkv"] = "video/x-matroska",
        [".iso"] = "application/x-iso9660-image",
        [".7z"] = "application/x-7z-compressed",
        [".csv"] = "text/csv",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".zst"] = "application/zstd",
        [".xz"] = "application/x-xz",
        [".img"] = "application/octet-stream",
        [".qcow2"] = "application/octet-stream",
        [".parquet"] = "application/vnd.apache.parquet",
        [".zip"] = "application/zip",
    };

    private readonly FileExtensionContentTypeProvider _provider = new();

    public ContentTypeMap(DownloadOptions options)
    {
        foreach (var (extension, mediaType) in LargeFileFormats)
        {
            _provider.Mappings[extension] = mediaType;
        }

        foreach (var (extension, mediaType) in options.ContentTypes)
        {
            _provider.Mappings[extension] = mediaType;
        }
    }

    public string For(string fileName) => _provider.TryGetContentType(fileName, out var type) ? type : DefaultContentType;
}
