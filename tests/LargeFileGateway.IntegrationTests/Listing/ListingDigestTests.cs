using LargeFileGateway.IntegrationTests.Digests;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>Issue 15: a listing shows the SHA-256 the content-facts store knows for a file's version, and never has it computed.</summary>
public sealed class ListingDigestTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("listing-digest");
    private readonly TempFolder _store = new("listing-digest-store");
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("known.bin"), 100_000, seed: 1);
        TestFiles.WriteRandom(_root.Combine("unknown.bin"), 100_000, seed: 2);
        TestFiles.WriteRandom(_root.Combine("later", "marker.bin"), 100, seed: 3);
        _server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path, "--Gateway:Listing:Enabled=true"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Listing_ShowsTheKnownDigest_InHtmlHexAndJsonReprDigest_AndQueuesNothing()
    {
        var expected = await DigestProbe.Sha256SumAsync(_root.Combine("known.bin"));
        var repr = await DigestProbe.WaitForReprDigestAsync(_server.Client, "files/known.bin", TimeSpan.FromSeconds(30));

        var html = await _server.Client.GetStringAsync("files/");
        using var json = await ListingPage.GetJsonAsync(_server.Client, "files/");
        var entries = json.RootElement.GetProperty("entries").EnumerateArray().ToDictionary(entry => entry.GetProperty("name").GetString()!);

        // One worker, first in first out: once a version queued after the listings is learnt, anything the
        // listings had queued would be learnt too.
        await DigestProbe.WaitForReprDigestAsync(_server.Client, "files/later/marker.bin", TimeSpan.FromSeconds(30));
        var stored = Directory.GetFiles(_store.Path).Length;

        Assert.Contains("<code>" + expected + "</code>", html, StringComparison.Ordinal);
        Assert.Equal(repr, entries["known.bin"].GetProperty("digest").GetString());
        Assert.Equal(DigestProbe.ReprDigest("sha-256", expected), repr);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, entries["unknown.bin"].GetProperty("digest").ValueKind);

        // Listing unknown.bin twice queued no hashing (a download's lookup is what queues a version): the store
        // holds known.bin and marker.bin only.
        Assert.Equal(2, stored);
    }
}
