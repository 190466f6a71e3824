using LargeFileGateway.IntegrationTests.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static LargeFileGateway.IntegrationTests.Limits.SampledDownloads;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// <c>Gateway:Limits:RatePerClient</c> is shared by every download of one identity, and a signed link's
/// <c>rate=</c> throttles that link: measured by real curl processes.
/// </summary>
public sealed class ClientRateTests : IDisposable
{
    private readonly TempFolder _root = new("limits-client");
    private readonly TempFolder _out = new("limits-client-out");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Get_EightDownloadsFromOneAddressUnderRatePerClient_ShareTheRateWhileAnotherAddressAndASignedLinkAreNotSlowed()
    {
        const long rate = 4 * MiB;
        const int fromOneAddress = 8;
        TestFiles.WriteRandom(_root.Combine("two.bin"), (int)(2 * MiB));
        TestFiles.WriteRandom(_root.Combine("eight.bin"), (int)(8 * MiB), seed: 3);
        Directory.CreateDirectory(_root.Combine("private"));
        TestFiles.WriteRandom(_root.Combine("private", "eight.bin"), (int)(8 * MiB), seed: 2);
        await using var server = await SignedLinkTestServer.StartAsync(_root.Path, _time, null, $"--Gateway:Limits:RatePerClient={rate}");
        var link = new Uri(server.BaseAddress, SignedLinkTestServer.Signer.Mint("private/eight.bin", _time.GetUtcNow() + TimeSpan.FromHours(1)).TrimStart('/')).AbsoluteUri;
        var plain = server.BaseAddress + "files/two.bin";
        var otherAddress = server.BaseAddress + "files/eight.bin";

        await WarmUpAsync(server.Client, plain, otherAddress, link);

        // Eight curls from 127.0.0.1 (16 MiB together, 4 s at the shared rate), one from 127.0.0.2 and one with a link.
        string[] urls = [.. Enumerable.Repeat(plain, fromOneAddress), otherAddress, link];
        string?[] sources = [.. Enumerable.Repeat<string?>(null, fromOneAddress), "127.0.0.2", null];
        var samples = await RunAsync(_out.Path, urls, TimeSpan.FromSeconds(40), sources);

        Assert.All(samples[..fromOneAddress], s => Assert.Equal(2 * MiB, s[^1].Bytes));
        var address = Sum(samples[..fromOneAddress]);
        var aggregate = HeldToRate(address, rate, 0.10);
        Assert.True(aggregate is null, $"one address together {aggregate}; {Describe(address)}");
        var most = MostBytesInOneSecond(address);
        Assert.True(most <= rate * 1.25, $"one address together {most / (double)MiB:0.00} MiB in one second; {Describe(address)}");

        // Another address and a link are other clients with budgets of their own: each gets the whole rate, not a
        // ninth or a tenth of it.
        foreach (var (other, name) in new[] { (samples[fromOneAddress], "127.0.0.2"), (samples[fromOneAddress + 1], "signed link") })
        {
            Assert.Equal(8 * MiB, other[^1].Bytes);
            var otherRate = AverageRate(other);
            Assert.True(otherRate >= rate * 0.9, $"{name} {otherRate / MiB:0.00} MiB/s; {Describe(other)}");
        }
    }

    [Fact]
    public async Task Get_SignedLinkWithRate_IsThrottledToThatRate()
    {
        const long rate = 1 * MiB;
        Directory.CreateDirectory(_root.Combine("private"));
        TestFiles.WriteRandom(_root.Combine("private", "three.bin"), (int)(3 * MiB));
        await using var server = await SignedLinkTestServer.StartAsync(_root.Path, _time, null);
        var link = new Uri(server.BaseAddress, SignedLinkTestServer.Signer.Mint("private/three.bin", _time.GetUtcNow() + TimeSpan.FromHours(1), rateBytesPerSecond: rate).TrimStart('/')).AbsoluteUri;

        await WarmUpAsync(server.Client, link);

        var samples = (await RunAsync(_out.Path, [link], TimeSpan.FromSeconds(30)))[0];

        Assert.Equal(3 * MiB, samples[^1].Bytes);
        var held = HeldToRate(samples, rate, 0.10);
        Assert.True(held is null, $"{held}; {Describe(samples)}");
        var most = MostBytesInOneSecond(samples);
        Assert.True(most <= rate * 1.25, $"{most / (double)MiB:0.00} MiB in one second; {Describe(samples)}");

        // The rate is signed: a link whose rate= was raised (or removed) is refused before any byte.
        var raised = link.Replace($"rate={rate}", $"rate={rate * 100}", StringComparison.Ordinal);
        var removed = link.Replace($"&rate={rate}", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(link, raised);
        Assert.NotEqual(link, removed);
        foreach (var tampered in new[] { raised, removed })
        {
            using var response = await server.Client.GetAsync(tampered);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    public void Dispose()
    {
        _root.Dispose();
        _out.Dispose();
    }

    // The downloads were sampled at the same moments, so their sums at each moment are what the address received.
    private static List<RateSample> Sum(List<RateSample>[] downloads)
    {
        var longest = downloads.MaxBy(d => d.Count)!;
        return [.. longest.Select((sample, k) => new RateSample(sample.At, downloads.Sum(d => d[Math.Min(k, d.Count - 1)].Bytes)))];
    }
}
