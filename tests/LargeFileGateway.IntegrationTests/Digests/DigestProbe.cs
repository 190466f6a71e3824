using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>What the digest tests ask of the gateway and of coreutils: the expected digests never come from the gateway's code.</summary>
public static class DigestProbe
{
    /// <summary>The gateway arguments that turn digests on, with a store of the test's own and no read throttle.</summary>
    public static string[] Args(string store, params string[] more) =>
    [
        "--Gateway:Digests:Enabled=true",
        $"--Gateway:Digests:Store={store}",
        "--Gateway:Digests:ReadRate=0",
        .. more,
    ];

    /// <summary>The SHA-256 of a file as coreutils' sha256sum prints it (lower-case hex).</summary>
    public static async Task<string> Sha256SumAsync(string path) => await DigestOfAsync("sha256sum", path);

    public static async Task<string> Sha512SumAsync(string path) => await DigestOfAsync("sha512sum", path);

    /// <summary>The Repr-Digest value RFC 9530 gives for a hex digest: <c>sha-256=:base64:</c>.</summary>
    public static string ReprDigest(string algorithm, string hex) => algorithm + "=:" + Convert.ToBase64String(Convert.FromHexString(hex)) + ":";

    public static string? Field(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>HEADs <paramref name="path"/> until it carries Repr-Digest (the worker learnt it), for at most <paramref name="limit"/>.</summary>
    public static async Task<string> WaitForReprDigestAsync(HttpClient client, string path, TimeSpan limit)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path)))
            {
                if (Field(head, "Repr-Digest") is { } digest)
                {
                    return digest;
                }
            }

            try
            {
                await timer.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{path} got no Repr-Digest within {limit}.");
            }
        }
    }

    public static HttpRequestMessage Get(string path, string? range = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (range is not null)
        {
            request.Headers.Range = RangeHeaderValue.Parse(range);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static async Task<string> DigestOfAsync(string tool, string path)
    {
        var (exitCode, output) = await ExternalTool.RunAsync(tool, [path], TimeSpan.FromMinutes(2));
        Assert.Equal(0, exitCode);
        return output.Split(' ', 2)[0].Trim();
    }
}
