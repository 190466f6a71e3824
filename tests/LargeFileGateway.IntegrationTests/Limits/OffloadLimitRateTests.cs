using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>In offload mode nginx sends the bytes, so the gateway hands it the per-download rate in <c>X-Accel-Limit-Rate</c>.</summary>
public sealed class OffloadLimitRateTests() : GatewayTest("limits-offload")
{
    protected override string[] GatewayArguments =>
        ["--Gateway:Offload=NginxAccelRedirect", "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1", "--Gateway:Limits:RatePerDownload=1048576"];

    protected override Task ArrangeAsync() => File.WriteAllTextAsync(Root.Combine("report.txt"), "the bytes of the file");

    [Fact]
    public async Task Get_OffloadedWithRatePerDownload_SendsXAccelLimitRate()
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/report.txt", extraHeaders: "X-Forwarded-For: 203.0.113.9\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("/_protected/report.txt", response.Header("X-Accel-Redirect"));
        Assert.Equal("1048576", response.Header("X-Accel-Limit-Rate"));
    }

    [Fact]
    public async Task Get_StreamedByTheGateway_SendsNoXAccelLimitRate()
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/report.txt");

        Assert.Equal(200, response.StatusCode);
        Assert.Null(response.Header("X-Accel-Redirect"));
        Assert.Null(response.Header("X-Accel-Limit-Rate"));
    }
}
