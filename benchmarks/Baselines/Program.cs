using Microsoft.Extensions.FileProviders;

// Two baselines over one folder, each on ASP.NET Core's defaults:
//   /static/{name}  UseStaticFiles (StaticFileMiddleware, ranges and preconditions built in)
//   /results/{name} Results.File(path, enableRangeProcessing: true)
//   /floor/{name}   64 KiB from memory whatever the name and Range: what Kestrel alone costs per 64 KiB answer
//   /floor-file/{name}  the asked range read with one pread from a file kept open: Kestrel plus the page-cache copy,
//                   the ceiling for any file server on Kestrel in the random-ranges measurement
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

await app.RunAsync();
