using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Security;

/// <summary>
/// Hostile paths sent over a raw socket (so no client normalizes them) against a canary file that sits just
/// outside the storage root: none may return a byte of it, and none may be a 5xx.
/// </summary>
public sealed class PathSafetyTests : IAsyncLifetime
{
    private const string Canary = "CANARY-OUTSIDE-THE-ROOT";
    private readonly TempFolder _outer = new("paths");
    private GatewayServer _server = null!;

    public static TheoryData<string> HostileTargets() => new()
    {
        "/files/../secret.txt",
        "/files/../../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/%2E%2E/secret.txt",
        "/files/.%2e/secret.txt",
        "/files/%2e./secret.txt",
        "/files/%252e%252e/secret.txt",
        "/files/.%%32%65/secret.txt",
        "/files/..%2fsecret.txt",
        "/files/..%2Fsecret.txt",
        "/files/%2e%2e%2fsecret.txt",
        "/files/..\\secret.txt",
        "/files/..%5csecret.txt",
        "/files/%5c..%5csecret.txt",
        "/files/sub/..%5c..%5csecret.txt",
        "/files/sub/../../secret.txt",
        "/files/sub/%2e%2e/%2e%2e/secret.txt",
        "/files/%c0%ae%c0%ae/secret.txt",
        "/files/%c0%ae%c0%ae%c0%afsecret.txt",
        "/files/%e0%80%ae%e0%80%ae/secret.txt",
        "/files/%00../secret.txt",
        "/files/real.txt%00.jpg",
        "/files/%2fsecret.txt",
        "/files/c:/secret.txt",
        "/files/C:%5Csecret.txt",
        "/files/\\\\?\\c:\\secret.txt",
        "/files/\\??\\c:\\secret.txt",
        "/files/../root_secret/secret.txt",
        "/files/%2e%2e/root_secret/secret.txt",
        "/files/link-out.txt",
        "/files/dirlink/secret.txt",
        "/files/dirlink/root_secret/secret.txt",
        "/files/relative-link-out.txt",
        "/files/broken-link",
        "/files/link-to-dotfile",
        "/files/.env",
        "/files/.git/config",
        "/files/sub/.hidden",
        "/files/sub",
        "/files/",
        "/files",
        "/../secret.txt",
        "../secret.txt",
        "/files/%2e%2e%2f%2e%2e%2fsecret.txt",
    };

    // Issue 10, reliability 9: ordinary file names on Linux (file name, request target as a client sends it).
    public static TheoryData<string, string> NamesLinuxAllows() => new()
    {
        { "colon:name.txt", "/files/colon:name.txt" },
        { "c:", "/files/c:" },
        { "star*.txt", "/files/star*.txt" },
        { "what?.txt", "/files/what%3F.txt" },
        { "a<b>c.txt", "/files/a%3Cb%3Ec.txt" },
        { "pipe|name.txt", "/files/pipe%7Cname.txt" },
        { "literal%41.txt", "/files/literal%2541.txt" },
        { "dir:x/in*side.txt", "/files/dir:x/in*side.txt" },
    };

    // Names that exist in the root but stay refused on every platform: the key is never decoded a second time, and
    // these would be a separator, a control character or a lossy decoding if anything did.
    public static TheoryData<string, string> NamesStillRefused() => new()
    {
        { "a%2Fb.txt", "/files/a%252Fb.txt" },
        { "a%5Cb.txt", "/files/a%255Cb.txt" },
        { "a%2eb.txt", "/files/a%252eb.txt" },
        { "a\\b.txt", "/files/a%5Cb.txt" },
        { "a\u0001b.txt", "/files/a%01b.txt" },
        { "a\uFFFDb.txt", "/files/a%EF%BF%BDb.txt" },
    };

    public async Task InitializeAsync()
    {
        var root = _outer.Combine("root");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(_outer.Combine("secret.txt"), Canary);
        Directory.CreateDirectory(_outer.Combine("root_secret"));
        await File.WriteAllTextAsync(_outer.Combine("root_secret", "secret.txt"), Canary);
        await File.WriteAllTextAsync(Path.Combine(root, "real.txt"), "inside");
        await File.WriteAllTextAsync(Path.Combine(root, ".env"), Canary);
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        await File.WriteAllTextAsync(Path.Combine(root, ".git", "config"), Canary);
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        await File.WriteAllTextAsync(Path.Combine(root, "sub", ".hidden"), Canary);
        File.CreateSymbolicLink(Path.Combine(root, "link-out.txt"), _outer.Combine("secret.txt"));
        File.CreateSymbolicLink(Path.Combine(root, "relative-link-out.txt"), "../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(root, "dirlink"), _outer.Path);
        File.CreateSymbolicLink(Path.Combine(root, "broken-link"), _outer.Combine("nowhere"));
        File.CreateSymbolicLink(Path.Combine(root, "link-to-dotfile"), Path.Combine(root, ".env"));
        File.CreateSymbolicLink(Path.Combine(root, "link-in.txt"), "real.txt");
        foreach (var name in NamesLinuxAllows().Select(row => (string)row[0]).Concat(NamesStillRefused().Select(row => (string)row[0])))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, name))!);
            await File.WriteAllTextAsync(Path.Combine(root, name), "content of " + name);
        }

        _server = await GatewayServer.StartAsync(root);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _outer.Dispose();
    }

    [Theory]
    [MemberData(nameof(HostileTargets))]
    public async Task Get_HostilePath_Refused400Or404WithoutACanaryByte(string target)
    {
        var response = await RawHttp.SendAsync(_server.Port, target);

        Assert.True(response.StatusCode is 400 or 404, $"{target} answered {response.StatusCode}");
        Assert.DoesNotContain(Canary, Encoding.Latin1.GetString(response.Body), StringComparison.Ordinal);
    }

    [Fact]
    public void HostileTargets_AreAtLeastTwentyFive()
    {
        Assert.True(HostileTargets().Count >= 25);
    }

    [Fact]
    public async Task Get_SymlinkThatStaysInsideRoot_IsServed()
    {
        var response = await RawHttp.SendAsync(_server.Port, "/files/link-in.txt");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("inside", Encoding.ASCII.GetString(response.Body));
    }

    [Theory]
    [MemberData(nameof(NamesLinuxAllows))]
    public async Task Get_NameLinuxAllows_IsServedByteExact(string name, string target)
    {
        var response = await RawHttp.SendAsync(_server.Port, target);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("content of " + name, Encoding.UTF8.GetString(response.Body));
    }

    [Theory]
    [MemberData(nameof(NamesStillRefused))]
    public async Task Get_NameThatIsAnEscapeOrControl_Refused400ThoughTheFileExists(string name, string target)
    {
        Assert.True(File.Exists(_outer.Combine("root", name)));

        var response = await RawHttp.SendAsync(_server.Port, target);

        Assert.Equal(400, response.StatusCode);
    }

    [Fact]
    public async Task Get_RefusedPath_HasProblemDetailsBody()
    {
        using var response = await _server.Client.GetAsync("files/.env");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(_outer.Path, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("OPTIONS")]
    public async Task OtherMethods_Return405WithAllow(string method)
    {
        var response = await RawHttp.SendAsync(_server.Port, "/files/real.txt", method, "Content-Length: 0\r\n");

        Assert.Equal(405, response.StatusCode);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
    }
}
