namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>The client matrix with the gateways streaming every byte (Gateway:Offload:Mode = None).</summary>
public sealed class DownloadClientsDirectTests : DownloadClientTests
{
    protected override bool Offload => false;
}
