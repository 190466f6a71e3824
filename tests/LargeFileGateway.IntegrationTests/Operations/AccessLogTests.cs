using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Operations;

/// <summary>One access-log line per request, in both formats, parsed back: what each client really got.</summary>
public sealed partial class AccessLogTests : IDisposable
{
    private const int FileLength = 10_000;

    private readonly TempFolder _root = new("access-log");
    private readonly TempFolder _logs = new("access-log-out");

    public AccessLogTests()
    {
        TestFiles.WriteRandom(_root.Combine("a.bin"), FileLength);
        TestFiles.WriteSparse(_root.Combine("big.bin"), 1L << 30, [(0, 1 << 20)]);
    }

    public void Dispose()
    {
        _root.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData("Combined")]
    [InlineData("Json")]
    public async Task AccessLog_EachKindOfAnswer_OneParsableLineWithWhatWasSent(string format)
    {
        var path = _logs.Combine("access-" + format + ".log");
        await using var gateway = await GatewayServer.StartAsync(_root.Path, "--Gateway:AccessLog:Enabled=true", "--Gateway:AccessLog:Format=" + format,
            "--Gateway:AccessLog:Path=" + path, "--Gateway:Offload:Mode=NginxAccelRedirect", "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1");
        var client = gateway.Client;

        using (var whole = await client.GetAsync("files/a.bin?case=200"))
        {
            Assert.Equal(FileLength, (await whole.Content.ReadAsByteArrayAsync()).Length);
        }

        var etag = (await client.GetAsync("files/a.bin?case=etag")).Headers.ETag!;
        await SendAsync(client, "files/a.bin?case=206", r => r.Headers.Range = new RangeHeaderValue(0, 99), HttpStatusCode.PartialContent);
        await SendAsync(client, "files/a.bin?case=multipart", r => r.Headers.Add("Range", "bytes=0-9,20-29"), HttpStatusCode.PartialContent);
        await SendAsync(client, "files/a.bin?case=304", r => r.Headers.IfNoneMatch.Add(etag), HttpStatusCode.NotModified);
        await SendAsync(client, "files/a.bin?case=416", r => r.Headers.Add("Range", "bytes=99999-"), HttpStatusCode.RequestedRangeNotSatisfiable);
        await SendAsync(client, "files/a.bin?case=offload", r => r.Headers.Add("X-Forwarded-For", "203.0.113.9"), HttpStatusCode.OK);
        await SendAsync(client, "healthz?case=probe", _ => { }, HttpStatusCode.OK);
        var received = await AbortAfterAsync(gateway.Port, "/files/big.bin?case=aborted", 4 << 20);
        var lines = await WaitForLinesAsync(path, 9);

        var entries = lines.Select(line => format == "Json" ? ParseJson(line) : ParseCombined(line)).ToDictionary(entry => entry.Target);
        AssertEntry(entries["/files/a.bin?case=200"], 200, FileLength, "none", "completed");
        AssertEntry(entries["/files/a.bin?case=206"], 206, 100, "single", "completed", range: "bytes=0-99");
        var multipart = entries["/files/a.bin?case=multipart"];
        AssertEntry(multipart, 206, multipart.BytesSent, "multiple", "completed", range: "bytes=0-9, 20-29");
        Assert.True(multipart.BytesSent > 20, $"multipart body of {multipart.BytesSent} bytes");
        AssertEntry(entries["/files/a.bin?case=304"], 304, 0, "none", "completed");
        AssertEntry(entries["/files/a.bin?case=416"], 416, 0, "unsatisfiable", "completed", range: "bytes=99999-");
        AssertEntry(entries["/files/a.bin?case=offload"], 200, null, "none", "offload");
        AssertEntry(entries["/healthz?case=probe"], 200, null, "-", "completed");
        var aborted = entries["/files/big.bin?case=aborted"];
        Assert.Equal(200, aborted.Status);
        Assert.Equal("aborted", aborted.Outcome);
        Assert.InRange(aborted.BytesSent!.Value, received, (1L << 30) - 1);
        Assert.All(entries.Values, entry => Assert.Equal("GET", entry.Method));
        Assert.Equal("203.0.113.9", entries["/files/a.bin?case=offload"].RemoteAddress);
    }

    [Fact]
    public async Task AccessLog_FilePastItsLimit_RotatesAndKeepsTheConfiguredCount()
    {
        var path = _logs.Combine("rotated.log");
        await using (var gateway = await GatewayServer.StartAsync(_root.Path, "--Gateway:AccessLog:Enabled=true", "--Gateway:AccessLog:Path=" + path,
            "--Gateway:AccessLog:MaxFileBytes=4096", "--Gateway:AccessLog:MaxFiles=2"))
        {
            for (var i = 0; i < 100; i++)
            {
                using var response = await gateway.Client.GetAsync($"files/a.bin?case=rotate-{i}-{new string('x', 40)}");
            }
        }

        // Stopping the gateway writes every queued line out.
        var files = new[] { path, path + ".1", path + ".2" };
        Assert.All(files, file => Assert.True(File.Exists(file), file));
        Assert.False(File.Exists(path + ".3"));
        Assert.All(files, file => Assert.InRange(new FileInfo(file).Length, 1, 4096));
        Assert.EndsWith($"rotate-99-{new string('x', 40)} HTTP/1.1\" 200 {FileLength} \"-\" \"-\"", File.ReadAllLines(path)[^1].Split(" 0.")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessLog_DefaultConfiguration_WritesNothing()
    {
        await using var gateway = await GatewayServer.StartAsync(_root.Path);

        var writer = gateway.Services.GetRequiredService<LargeFileGateway.AccessLog.AccessLogWriter>();

        Assert.False(writer.IsEnabled);
    }

    private static void AssertEntry(Entry entry, int status, long? bytes, string rangeKind, string outcome, string? range = null)
    {
        Assert.Equal(status, entry.Status);
        Assert.Equal(bytes, entry.BytesSent);
        Assert.Equal(rangeKind, entry.RangeKind);
        Assert.Equal(outcome, entry.Outcome);
        Assert.Equal(range, entry.Range);
        Assert.Equal("HTTP/1.1", entry.Protocol);
        Assert.True(entry.DurationSeconds >= 0);
    }

    private static async Task SendAsync(HttpClient client, string target, Action<HttpRequestMessage> arrange, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        arrange(request);
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(expected, response.StatusCode);
    }

    private static async Task<long> AbortAfterAsync(int port, string target, long bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n"));
        var buffer = new byte[256 * 1024];
        long total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (total < bytes)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            total += read;
        }

        client.Client.LingerState = new LingerOption(true, 0);
        return total - 4096;
    }

    private static async Task<string[]> WaitForLinesAsync(string path, int count)
    {
        string[] lines = [];
        await Eventually.TrueAsync(() =>
        {
            lines = File.Exists(path) ? ReadShared(path) : [];
            return lines.Length >= count;
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(count, lines.Length);
        return lines;
    }

    private static string[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static Entry ParseCombined(string line)
    {
        var match = CombinedLine().Match(line);
        Assert.True(match.Success, "not a combined line: " + line);
        return new Entry(
            match.Groups["addr"].Value, match.Groups["method"].Value, match.Groups["target"].Value, match.Groups["protocol"].Value,
            int.Parse(match.Groups["status"].Value, CultureInfo.InvariantCulture),
            match.Groups["bytes"].Value == "-" ? null : long.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups["duration"].Value, CultureInfo.InvariantCulture),
            match.Groups["range"].Value == "-" ? null : match.Groups["range"].Value,
            match.Groups["kind"].Value, match.Groups["outcome"].Value);
    }

    private static Entry ParseJson(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), CultureInfo.InvariantCulture, out _));
        return new Entry(
            root.GetProperty("remote_addr").GetString()!, root.GetProperty("method").GetString()!, root.GetProperty("uri").GetString()!,
            root.GetProperty("protocol").GetString()!, root.GetProperty("status").GetInt32(),
            root.GetProperty("bytes_sent").ValueKind == JsonValueKind.Null ? null : root.GetProperty("bytes_sent").GetInt64(),
            root.GetProperty("duration_s").GetDouble(), root.GetProperty("range").GetString(),
            root.GetProperty("range_kind").GetString()!, root.GetProperty("outcome").GetString()!);
    }

    // nginx "combined", then request time, the Range field, the range kind and the outcome.
    [GeneratedRegex("""^(?<addr>\S+) - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(?<method>[A-Z]+) (?<target>\S+) (?<protocol>HTTP/[0-9.]+)" (?<status>\d{3}) (?<bytes>\d+|-) "[^"]*" "[^"]*" (?<duration>\d+\.\d{3}) "(?<range>[^"]*)" (?<kind>\S+) (?<outcome>completed|aborted|failed|offload)$""")]
    private static partial Regex CombinedLine();

    private sealed record Entry(string RemoteAddress, string Method, string Target, string Protocol, int Status, long? BytesSent, double DurationSeconds, string? Range, string RangeKind, string Outcome);
}
