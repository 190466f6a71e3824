using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// The published Native AOT gateway: its sign command mints a link from the configuration layers, and the same
/// executable, serving with that key, opens it and refuses the file without it (no reflection left behind by trimming).
/// </summary>
public sealed class SignedLinkNativeAotTests
{
    [Fact]
    public async Task NativeSignCommand_LinkOpensOnNativeGateway_UnsignedRefused()
    {
        using var root = new TempFolder("aot-links");
        var bytes = TestFiles.WriteRandom(root.Combine("private", "report.pdf"), 4096);
        var key = $"--Gateway:Access:Keys:k1={Convert.ToBase64String(SignedLinkTestServer.Secret)}";
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, "--root", root.Path, key,
            "--Gateway:Access:Rules:0:Prefix=private/", "--Gateway:Access:Rules:0:Policy=Signed");
        var baseUrl = $"http://127.0.0.1:{gateway.Port}";

        var (exitCode, output) = await ExternalTool.RunAsync(await NativeGatewayBuild.ExecutableAsync(),
            ["sign", "private/report.pdf", "--expires-in", "10m", key, "--base-url", baseUrl], TimeSpan.FromSeconds(60), root.Path);
        using var client = new HttpClient();
        using var signed = await client.GetAsync(output.Trim());
        using var unsigned = await client.GetAsync(baseUrl + "/files/private/report.pdf");

        Assert.Equal(0, exitCode);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(bytes, await signed.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
    }
}
