namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>The client matrix with nginx sending the bytes (Gateway:Offload:Mode = NginxAccelRedirect).</summary>
public sealed class DownloadClientsOffloadTests : DownloadClientTests
{
    protected override bool Offload => true;
}
