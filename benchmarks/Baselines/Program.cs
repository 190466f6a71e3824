using Microsoft.Extensions.FileProviders;

// Two baselines over one folder, each on ASP.NET Core's defaults:
//   /static/{name}  UseStaticFiles (StaticFileMiddleware, ranges and preconditions built in)
//   /results/{name} Results.File(path, enableRangeProcessing: true)
//   /floor/{name}   64 KiB from memory whatever the name and Range: what Kestrel alone costs per 64 KiB answer
//   /floor-file/{name}  the asked range read with one pread from a file kept open: Kestrel plus the page-cache copy,
//                   the ceiling for any file server on Kestrel in the random-ranges measurement
//   /floor-safe/{name}  floor-file plus the checks a server must make per request not to serve a stale, swapped or
//                   moved file, and the order that lets a failed read still get a status of its own (see below)
// Usage: LargeFileGateway.Baselines --root DIR --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var root = Path.GetFullPath(builder.Configuration["root"] ?? throw new InvalidOperationException("--root is required."));
var app = builder.Build();

app.UseStaticFiles(new StaticFileOptions
{
    FileProvider = new PhysicalFileProvider(root),
    RequestPath = "/static",
    ServeUnknownFileTypes = true,
});

app.MapGet("/results/{name}", (string name) =>
{
    // Flat folder only: a name with a separator or a dot prefix is not one of the benchmark files.
    if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
    {
        return Results.NotFound();
    }

    var path = Path.Combine(root, name);
    return File.Exists(path) ? Results.File(path, "application/octet-stream", enableRangeProcessing: true) : Results.NotFound();
});

var floorBody = new byte[64 * 1024];
app.MapGet("/floor/{name}", (string name) => Results.Bytes(floorBody, "application/octet-stream"));

// The ceiling for any file server on Kestrel that reads the bytes itself: the file is opened once and kept open (no
// per-request open, path check or stat), the one range of the request is read with one pread straight into the
// response's memory, and the answer is a bare 206. Nothing a real server must do is done here (validators, safety,
// malformed Range headers): it only measures Kestrel plus the copy out of the page cache.
var openFiles = new System.Collections.Concurrent.ConcurrentDictionary<string, (Microsoft.Win32.SafeHandles.SafeFileHandle Handle, long Length)>();
app.MapGet("/floor-file/{name}", async (string name, HttpContext context) =>
{
    var (handle, length) = openFiles.GetOrAdd(name, n =>
    {
        var opened = File.OpenHandle(Path.Combine(root, Path.GetFileName(n)));
        return (opened, RandomAccess.GetLength(opened));
    });
    var range = context.Request.Headers.Range.ToString();
    var dash = range.IndexOf('-', StringComparison.Ordinal);
    var first = long.Parse(range.AsSpan(6, dash - 6), System.Globalization.CultureInfo.InvariantCulture);
    var last = Math.Min(long.Parse(range.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture), length - 1);
    var count = (int)(last - first + 1);
    var response = context.Response;
    response.StatusCode = StatusCodes.Status206PartialContent;
    response.ContentType = "application/octet-stream";
    response.ContentLength = count;
    response.Headers.ContentRange = $"bytes {first}-{last}/{length}";
    var memory = response.BodyWriter.GetMemory(count)[..count];
    var read = RandomAccess.Read(handle, memory.Span, first);
    response.BodyWriter.Advance(read);
    await response.BodyWriter.FlushAsync(context.RequestAborted);
});

// floor-file plus exactly the per-request work the gateway's open-file cache and read path do beside the copy
// (benchmarks/RESULTS.md, tuning items 14, 18 and 21), so that what separates the gateway from floor-file splits into
// what safety costs and what the request pipeline costs (Range parsing, validators, preconditions, headers,
// middleware): a statx of the path (the name still leads to the cached file, unchanged), a readlinkat of the
// descriptor under /proc/self/fd (the file is still at the real path checked inside the root), the range read into a
// rented buffer, a statx of the descriptor after the read (the file was not written meanwhile), and only then the
// response started and the bytes copied into it once (a failed read could still be answered with a status of its own).
var safeFiles = new System.Collections.Concurrent.ConcurrentDictionary<string, SafeFloorFile>();
app.MapGet("/floor-safe/{name}", async (string name, HttpContext context) =>
{
    var file = safeFiles.GetOrAdd(name, n => SafeFloorFile.Open(Path.Combine(root, Path.GetFileName(n))));
    var range = context.Request.Headers.Range.ToString();
    var dash = range.IndexOf('-', StringComparison.Ordinal);
    var first = long.Parse(range.AsSpan(6, dash - 6), System.Globalization.CultureInfo.InvariantCulture);
    var last = Math.Min(long.Parse(range.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture), file.Length - 1);
    var count = (int)(last - first + 1);
    var response = context.Response;
    if (!file.IsStillNamedByItsPath())
    {
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return;
    }

    var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
    try
    {
        var read = RandomAccess.Read(file.Handle, rented.AsSpan(0, count), first);
        if (!file.IsUnchanged())
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        response.StatusCode = StatusCodes.Status206PartialContent;
        response.ContentType = "application/octet-stream";
        response.ContentLength = read;
        response.Headers.ContentRange = $"bytes {first}-{first + read - 1}/{file.Length}";
        await response.StartAsync(context.RequestAborted);
        rented.AsSpan(0, read).CopyTo(response.BodyWriter.GetMemory(read).Span);
        response.BodyWriter.Advance(read);
    }
    finally
    {
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }

    await response.BodyWriter.FlushAsync(context.RequestAborted);
});

await app.RunAsync();

/// <summary>
/// A file of the floor-safe baseline, opened once: its descriptor, the identity statx gave at the open (inode, size,
/// change and modification times) and the real path its descriptor's link read then, each compared per request with
/// one system call and no allocation, as the gateway's open-file cache does.
/// </summary>
internal sealed unsafe partial class SafeFloorFile
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIdentityMask = 0x1 | 0x40 | 0x80 | 0x100 | 0x200; // type, mtime, ctime, ino, size

    private static readonly int DescriptorFolder = OpenDescriptorFolder();

    private readonly byte[] _path;
    private readonly byte[] _descriptorName;
    private readonly byte[] _realPath;
    private readonly Identity _identity;

    private SafeFloorFile(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] path, byte[] descriptorName, byte[] realPath, Identity identity)
    {
        Handle = handle;
        Length = RandomAccess.GetLength(handle);
        _path = path;
        _descriptorName = descriptorName;
        _realPath = realPath;
        _identity = identity;
    }

    public Microsoft.Win32.SafeHandles.SafeFileHandle Handle { get; }

    public long Length { get; }

    public static SafeFloorFile Open(string path)
    {
        var handle = File.OpenHandle(path);
        var descriptor = handle.DangerousGetHandle().ToInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var realPath = System.Text.Encoding.UTF8.GetBytes(new FileInfo("/proc/self/fd/" + descriptor).LinkTarget ?? throw new IOException("No link for the descriptor."));
        var terminated = Terminated(path);
        var identity = DescribePath(terminated) ?? throw new IOException("statx of the path failed.");
        return new SafeFloorFile(handle, terminated, Terminated(descriptor), realPath, identity);
    }

    public bool IsStillNamedByItsPath()
    {
        if (DescribePath(_path) != _identity)
        {
            return false;
        }

        Span<byte> target = stackalloc byte[4097];
        nint read;
        fixed (byte* name = _descriptorName)
        fixed (byte* into = target)
        {
            read = ReadLinkAt(DescriptorFolder, name, into, (nuint)target.Length);
        }

        return read >= 0 && target[..(int)read].SequenceEqual(_realPath);
    }

    public bool IsUnchanged()
    {
        StatxBuffer buffer;
        byte empty = 0;
        return Statx((int)Handle.DangerousGetHandle(), &empty, AtEmptyPath, StatxIdentityMask, &buffer) == 0 && buffer.Identity == _identity;
    }

    private static Identity? DescribePath(byte[] terminatedPath)
    {
        StatxBuffer buffer;
        fixed (byte* path = terminatedPath)
        {
            return Statx(AtFdCwd, path, 0, StatxIdentityMask, &buffer) == 0 ? buffer.Identity : null;
        }
    }

    private static byte[] Terminated(string text) => System.Text.Encoding.UTF8.GetBytes(text + "\0");

    private static int OpenDescriptorFolder()
    {
        fixed (byte* path = "/proc/self/fd\0"u8)
        {
            return OpenFolder(path, 0x10000 | 0x80000); // O_DIRECTORY | O_CLOEXEC
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "statx")]
    private static partial int Statx(int directory, byte* path, int flags, uint mask, StatxBuffer* buffer);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "readlinkat")]
    private static partial nint ReadLinkAt(int directory, byte* path, byte* buffer, nuint size);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open")]
    private static partial int OpenFolder(byte* path, int flags);

    private readonly record struct Identity(ulong Inode, ulong Size, long ChangedSeconds, uint ChangedNanoseconds, long ModifiedSeconds, uint ModifiedNanoseconds);

    // struct statx (linux/stat.h): 256 bytes; only the fields compared are named.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [System.Runtime.InteropServices.FieldOffset(32)] public ulong Inode;
        [System.Runtime.InteropServices.FieldOffset(40)] public ulong Size;
        [System.Runtime.InteropServices.FieldOffset(96)] public long ChangedSeconds;
        [System.Runtime.InteropServices.FieldOffset(104)] public uint ChangedNanoseconds;
        [System.Runtime.InteropServices.FieldOffset(112)] public long ModifiedSeconds;
        [System.Runtime.InteropServices.FieldOffset(120)] public uint ModifiedNanoseconds;

        public readonly Identity Identity => new(Inode, Size, ChangedSeconds, ChangedNanoseconds, ModifiedSeconds, ModifiedNanoseconds);
    }
}
