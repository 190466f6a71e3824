using System.Globalization;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// What real zip readers say of an archive on disk: Info-ZIP's unzip, p7zip's 7z and Python's zipfile, each run as
/// its own process; and the SHA-256 of every member as Python extracts it, to compare with the sources.
/// </summary>
public static class ZipTools
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    // Prints "sha256 size name" for every member, streamed (never a member whole in memory); "name/" for folders.
    private const string ListScript = """
        import hashlib, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            bad = z.testzip()
            if bad is not None:
                print("BAD " + bad); sys.exit(1)
            for info in z.infolist():
                h = hashlib.sha256()
                with z.open(info) as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                sys.stdout.buffer.write(("%s %d %s\n" % (h.hexdigest(), info.file_size, info.filename)).encode("utf-8"))
        """;

    /// <summary>Asserts that <c>unzip -t</c>, <c>7z t</c> and Python's <c>testzip</c> all accept the archive.</summary>
    public static async Task AssertAllAcceptAsync(string archive)
    {
        var unzip = await ExternalTool.RunAsync("unzip", ["-tq", archive], Bound);
        Assert.True(unzip.ExitCode == 0, "unzip -t: " + unzip.Output);
        Assert.Contains("No errors detected", unzip.Output, StringComparison.Ordinal);

        var sevenZip = await ExternalTool.RunAsync("7z", ["t", "-bd", archive], Bound);
        Assert.True(sevenZip.ExitCode == 0, "7z t: " + sevenZip.Output);
        Assert.Contains("Everything is Ok", sevenZip.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", sevenZip.Output, StringComparison.OrdinalIgnoreCase);

        var python = await ExternalTool.RunAsync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); print('BAD', bad) if bad else print('OK', len(z.infolist())); sys.exit(1 if bad else 0)", archive], Bound);
        Assert.True(python.ExitCode == 0, "python zipfile: " + python.Output);
    }

    /// <summary>Every member as Python's zipfile extracts it: name → (SHA-256, size).</summary>
    public static async Task<Dictionary<string, (string Sha256, long Size)>> MembersAsync(string archive)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("python3", ["-c", ListScript, archive], Bound);
        Assert.True(exitCode == 0, "python zipfile: " + output);
        var members = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 3);
            members.Add(parts[2], (parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture)));
        }

        return members;
    }

    /// <summary>SHA-256s of every file under <paramref name="folder"/> that a download may serve (no dot-names), by zip name.</summary>
    public static async Task<Dictionary<string, (string Sha256, long Size)>> SourcesAsync(string folder)
    {
        var sources = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/');
            if (name.Split('/').Any(segment => segment.StartsWith('.')))
            {
                continue;
            }

            var length = new FileInfo(path).Length;
            var sha256 = length < 1 << 20 ? Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))) : await TestFiles.Sha256Async(path);
            sources.Add(name, (sha256, length));
        }

        return sources;
    }

    /// <summary>Downloads <paramref name="url"/> with curl into <paramref name="output"/>; returns the response headers curl saw.</summary>
    public static async Task DownloadAsync(string url, string output)
    {
        var (exitCode, text) = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-o", output, url], Bound);
        Assert.True(exitCode == 0, "curl: " + text);
    }
}
