using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// The configs users copy (the drop-in and the local one) are accepted by nginx's own config test (<c>nginx -t</c>),
/// as they are laid out in the README; the locations they include are the ones the other tests run.
/// </summary>
public sealed class ShippedConfigTests : IDisposable
{
    private readonly TempFolder _copy = new("nginx-shipped");

    public ShippedConfigTests()
    {
        foreach (var file in Directory.GetFiles(RepositoryPaths.NginxConfig, "*.conf", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.NginxConfig, file);
            if (relative.StartsWith("run" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                // What a local run left behind (logs, temp files) is not config.
                continue;
            }

            var target = _copy.Combine("nginx", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Directory.CreateDirectory(_copy.Combine("nginx", "run"));
    }

    public void Dispose() => _copy.Dispose();

    [Fact]
    public async Task DropIn_InsideAnHttpBlock_PassesNginxConfigTest()
    {
        // What /etc/nginx/nginx.conf amounts to: an http block that includes conf.d/*.conf, with largefilegateway/
        // next to it.
        var run = _copy.Combine("nginx", "run");
        await File.WriteAllTextAsync(_copy.Combine("nginx", "main.conf"), $$"""
            pid {{run}}/nginx.pid;
            error_log stderr;
            events {}
            http {
                access_log off;
                client_body_temp_path {{run}}/client_body;
                proxy_temp_path {{run}}/proxy;
                fastcgi_temp_path {{run}}/fastcgi;
                uwsgi_temp_path {{run}}/uwsgi;
                scgi_temp_path {{run}}/scgi;
                include largefilegateway.conf;
            }
            """);

        var (exitCode, output) = await ExternalTool.RunAsync("nginx", ["-t", "-p", _copy.Path + "/", "-c", "nginx/main.conf", "-e", "stderr"], TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, output);
        Assert.Contains("test is successful", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalConfig_FromRepositoryRoot_PassesNginxConfigTest()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("nginx", ["-t", "-p", _copy.Path + "/", "-c", "nginx/local.conf", "-e", "stderr"], TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, output);
        Assert.Contains("test is successful", output, StringComparison.Ordinal);
    }
}
