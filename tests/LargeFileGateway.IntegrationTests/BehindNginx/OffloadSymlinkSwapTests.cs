using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// In offload mode nginx opens the file again by name after the gateway checked it (issue 10, reliability 5). The
/// race is made deterministic: a middleware around the real download handler replaces the checked file with a
/// symlink out of the root after the handler has answered with X-Accel-Redirect and before nginx gets that answer.
/// nginx's internal location (protected.conf, <c>disable_symlinks</c>) must refuse it.
/// </summary>
public sealed class OffloadSymlinkSwapTests : IAsyncLifetime
{
    private const string Secret = "outside the storage root";

    private readonly TempFolder _outside = new("nginx-outside");
    private readonly TempFolder _root = new("nginx-swap");
    private GatewaysBehindNginx _stack = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_outside.Combine("secret.txt"), Secret);
        Directory.CreateDirectory(_root.Combine("folder"));
        await File.WriteAllTextAsync(_root.Combine("swapped.txt"), "checked");
        await File.WriteAllTextAsync(_root.Combine("folder", "secret.txt"), "checked");
        await File.WriteAllTextAsync(_root.Combine("kept.txt"), "kept");
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: true, beforeStart: SwapAfterTheCheck);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _root.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task OffloadedFile_NotSwapped_IsSentByNginx()
    {
        using var response = await _stack.Nginx.Client.GetAsync("files/kept.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("kept", await response.Content.ReadAsStringAsync());
        var entry = Assert.Single(await _stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= 1));
        Assert.Equal(NginxServer.InternalPrefix + "kept.txt", entry.AccelRedirect);
    }

    [Theory]
    [InlineData("swapped.txt")]
    [InlineData("folder/secret.txt")]
    public async Task OffloadedFile_SwappedForSymlinkOutOfRootAfterTheCheck_IsRefusedByNginx(string key)
    {
        using var response = await _stack.Nginx.Client.GetAsync($"files/{key}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(new FileInfo(_root.Combine(key.Split('/')[0])).LinkTarget is not null, "the swap did not happen");
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {body}");
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        var entry = Assert.Single(await _stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= 1));
        Assert.Equal(NginxServer.InternalPrefix + key, entry.AccelRedirect);
    }

    /// <summary>
    /// After the handler (which checked the path and chose offload) and before the response leaves the gateway,
    /// replaces what it checked with a link out of the root: the file itself, or the folder holding it.
    /// </summary>
    private void SwapAfterTheCheck(WebApplication app)
        => app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Response.Headers.ContainsKey("X-Accel-Redirect"))
            {
                var key = context.Request.Path.Value!["/files/".Length..];
                if (key == "swapped.txt")
                {
                    File.Delete(_root.Combine(key));
                    File.CreateSymbolicLink(_root.Combine(key), _outside.Combine("secret.txt"));
                }
                else if (key == "folder/secret.txt")
                {
                    Directory.Delete(_root.Combine("folder"), recursive: true);
                    Directory.CreateSymbolicLink(_root.Combine("folder"), _outside.Path);
                }
            }
        });
}
