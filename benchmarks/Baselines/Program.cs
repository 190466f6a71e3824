using Microsoft.Extensions.FileProviders;

// Two baselines over one folder, each on ASP.NET Core's defaults:
//   /static/{name}  UseStaticFiles (StaticFileMiddleware, ranges and preconditions built in)
//   /results/{name} Results.File(path, enableRangeProcessing: true)
//   /floor/{name}   64 KiB from memory whatever the name and Range: what Kestrel alone costs per 64 KiB answer,
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

await app.RunAsync();
