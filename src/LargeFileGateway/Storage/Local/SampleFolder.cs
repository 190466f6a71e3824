using System.Security.Cryptography;
using System.Text;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// The folder a newcomer gets when no root was configured: <c>./data</c> with a few files to fetch at once,
/// so that <c>curl</c> works on the first run.
/// </summary>
internal static class SampleFolder
{
    public const string DefaultRoot = "data";
    public const string SampleName = "sample.bin";
    public const string ReadmeName = "README.txt";
    public const string UnicodeSampleName = "季度报告 2024.txt";

    /// <summary>A sub-folder with two small files, so that the listing and the zip of a folder have something to show.</summary>
    public const string SubFolderName = "docs";

    /// <summary>Size of the sample: big enough to try ranges, resume and multi-connection clients on.</summary>
    public const int SampleSizeBytes = 8 * 1024 * 1024;

    /// <summary>Creates <paramref name="root"/> with its sample files if it does not exist yet; true when it did so.</summary>
    public static bool EnsureCreated(string root)
    {
        if (Directory.Exists(root))
        {
            return false;
        }

        Directory.CreateDirectory(root);
        var sample = new byte[SampleSizeBytes];

        // Seeded, so every fresh sample has the same SHA-256 and can be checked after a download.
        new Random(20240101).NextBytes(sample);
        File.WriteAllBytes(Path.Combine(root, SampleName), sample);
        File.WriteAllText(Path.Combine(root, ReadmeName), $"""
            This folder is served by LargeFileGateway at /files/.
            {SampleName}: {SampleSizeBytes} seeded pseudo-random bytes, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(sample))}.
            Drop any file here and fetch it with: curl -O http://127.0.0.1:8080/files/NAME

            """, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.WriteAllText(Path.Combine(root, UnicodeSampleName), "A file whose name is not ASCII: browsers save it under this very name.\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var docs = Directory.CreateDirectory(Path.Combine(root, SubFolderName)).FullName;
        File.WriteAllText(Path.Combine(docs, "getting-started.txt"), """
            Browse this folder at /files/docs/ (HTML, or JSON with Accept: application/json),
            or fetch all of it as one resumable zip at /archives/docs.zip.

            """, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.WriteAllText(Path.Combine(docs, "notes.md"), "# Notes\n\nA second file, so that the folder lists more than one entry.\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return true;
    }
}
