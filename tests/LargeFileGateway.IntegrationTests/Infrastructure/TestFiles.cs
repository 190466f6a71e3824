using System.Security.Cryptography;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Test data made at test time: seeded pseudo-random files, and sparse files with random islands.</summary>
public static class TestFiles
{
    /// <summary>Writes <paramref name="length"/> seeded pseudo-random bytes and returns them.</summary>
    public static byte[] WriteRandom(string path, int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    /// <summary>
    /// Creates a sparse file of <paramref name="length"/> bytes (zeros cost no disk) and writes seeded random
    /// islands at the given offsets, so byte-exact checks mean something across the whole file.
    /// </summary>
    public static void WriteSparse(string path, long length, IEnumerable<(long Offset, int Length)> islands, int seed = 7)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        file.SetLength(length);
        var random = new Random(seed);
        foreach (var (offset, islandLength) in islands)
        {
            var bytes = new byte[islandLength];
            random.NextBytes(bytes);
            file.Position = offset;
            file.Write(bytes);
        }
    }

    /// <summary>SHA-256 of a slice of a file on disk.</summary>
    public static async Task<string> Sha256Async(string path, long offset = 0, long? length = null)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        file.Position = offset;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        var remaining = length ?? (file.Length - offset);
        while (remaining > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)));
            if (read == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>SHA-256 of a response body, streamed (never buffered whole), with its length.</summary>
    public static async Task<(string Sha256, long Length)> Sha256Async(Stream body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }
}
