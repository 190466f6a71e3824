using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>A storage configuration that cannot work stops the gateway at startup, naming every bad key.</summary>
public sealed class StorageConfigurationTests
{
    [Theory]
    [InlineData(new[] { "--Gateway:Storage:Provider=S3" }, "Gateway:Storage:S3:Bucket")]
    [InlineData(new[] { "--Gateway:Storage:Provider=S3", "--Gateway:Storage:S3:Bucket=b", "--Gateway:Storage:S3:AccessKeyId=only-one" }, "Gateway:Storage:S3:SecretAccessKey")]
    [InlineData(new[] { "--Gateway:Storage:Provider=S3", "--Gateway:Storage:S3:Bucket=b", "--Gateway:Storage:S3:ServiceUrl=ftp://x" }, "Gateway:Storage:S3:ServiceUrl")]
    [InlineData(new[] { "--Gateway:Storage:Provider=HttpOrigin" }, "Gateway:Storage:HttpOrigin:BaseUrl")]
    [InlineData(new[] { "--Gateway:Storage:Provider=HttpOrigin", "--Gateway:Storage:HttpOrigin:BaseUrl=/relative/" }, "Gateway:Storage:HttpOrigin:BaseUrl")]
    [InlineData(new[] { "--Gateway:Storage:Resilience:BreakerMinimumThroughput=1", "--Gateway:Storage:Resilience:MaxRetryAttempts=-1" }, "Gateway:Storage:Resilience:BreakerMinimumThroughput")]
    [InlineData(new[] { "--Gateway:Storage:Resilience:BreakerMinimumThroughput=1", "--Gateway:Storage:Resilience:MaxRetryAttempts=-1" }, "Gateway:Storage:Resilience:MaxRetryAttempts")]
    public async Task Start_InvalidStorageConfiguration_FailsNamingTheKey(string[] args, string key)
    {
        using var root = new TempFolder("config");

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayServer.StartAsync(root.Path, args));

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
    }
}
