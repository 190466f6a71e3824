using System.Globalization;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// A second, independent Kestrel serving a folder with ASP.NET Core's static files (HEAD, Range, If-Match,
/// If-Range, strong ETags): the HTTP origin behind the gateway. Two sub-folders misbehave on purpose:
/// <c>ignore-range/</c> answers every GET with 200 and the whole file, <c>wrong-range/</c> answers a Range with
/// a 206 for the bytes one further on. A third, <c>no-etag/</c>, serves ranges correctly but sends no ETag
/// (only Last-Modified), as some origins do.
/// </summary>
public sealed class OriginServer : IAsyncDisposable
{
    public const string IgnoreRangeFolder = "ignore-range";
    public const string WrongRangeFolder = "wrong-range";
    public const string NoETagFolder = "no-etag";

    private readonly WebApplication _app;

    private OriginServer(WebApplication app, TempFolder root, int port)
    {
        _app = app;
        Root = root;
        Port = port;
    }

    public TempFolder Root { get; }

    public int Port { get; }

    public static async Task<OriginServer> StartAsync()
    {
        var root = new TempFolder("origin");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use((context, next) => context.Request.Path.StartsWithSegments("/" + IgnoreRangeFolder) || context.Request.Path.StartsWithSegments("/" + WrongRangeFolder)
            || context.Request.Path.StartsWithSegments("/" + NoETagFolder)
            ? ServeMisbehavingAsync(context, root.Path)
            : next(context));
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root.Path), ServeUnknownFileTypes = true });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new OriginServer(app, root, new Uri(address).Port);
    }

    /// <summary>Gateway arguments that serve <paramref name="folder"/> of this origin through <paramref name="port"/>.</summary>
    public static string[] GatewayArgs(int port, string folder) =>
    [
        "--Gateway:Storage:Provider=HttpOrigin",
        $"--Gateway:Storage:HttpOrigin:BaseUrl=http://127.0.0.1:{port}/{folder}/",
    ];

    /// <summary>Writes a file atomically (temp + rename), as a deploy would, with a distinct modification time.</summary>
    public void Put(string relativePath, byte[] bytes, DateTime? lastWriteUtc = null)
    {
        var path = Root.Combine(relativePath.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temporary, bytes);
        File.SetLastWriteTimeUtc(temporary, lastWriteUtc ?? DateTime.UtcNow.AddSeconds(-10));
        File.Move(temporary, path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        Root.Dispose();
    }

    private static async Task ServeMisbehavingAsync(HttpContext context, string root)
    {
        var path = Path.Combine(root, context.Request.Path.Value!.TrimStart('/'));
        if (!File.Exists(path))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var bytes = await File.ReadAllBytesAsync(path);
        var modified = File.GetLastWriteTimeUtc(path);
        var withoutETag = context.Request.Path.StartsWithSegments("/" + NoETagFolder);
        if (!withoutETag)
        {
            context.Response.Headers.ETag = string.Create(CultureInfo.InvariantCulture, $"\"{bytes.Length:x}-{modified.Ticks:x}\"");
        }

        context.Response.Headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/octet-stream";
        var range = context.Request.GetTypedHeaders().Range;
        if (withoutETag && range is { Ranges.Count: 1 } && range.Ranges.First() is { From: { } first, To: { } last } && last < bytes.Length)
        {
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {first}-{last}/{bytes.Length}");
            context.Response.ContentLength = last - first + 1;
            await context.Response.Body.WriteAsync(bytes.AsMemory((int)first, (int)(last - first + 1)));
            return;
        }

        if (context.Request.Path.StartsWithSegments("/" + WrongRangeFolder) && range is { Ranges.Count: 1 } && range.Ranges.First() is { From: { } from, To: { } to } && to + 1 < bytes.Length)
        {
            // The bytes one further on, labeled as such: a Content-Range that does not match what was asked.
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from + 1}-{to + 1}/{bytes.Length}");
            context.Response.ContentLength = to - from + 1;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory((int)from + 1, (int)(to - from + 1)));
            }

            return;
        }

        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes);
        }
    }
}
