using System.Globalization;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>One line of the test nginx's access log (the <c>lfg_test</c> format of nginx/test/nginx.conf.template).</summary>
/// <param name="Connection">nginx's serial number of the client connection.</param>
/// <param name="ClientAddress">The client's address as nginx saw it.</param>
/// <param name="Method">The request method.</param>
/// <param name="Uri">The request target as the client sent it.</param>
/// <param name="Range">The client's Range field, or null.</param>
/// <param name="Status">The status nginx sent the client.</param>
/// <param name="BodyBytesSent">Body bytes nginx sent the client.</param>
/// <param name="UpstreamAddresses">Every gateway instance nginx tried, in order (more than one after a retry).</param>
/// <param name="AccelRedirect">The gateway's X-Accel-Redirect, or null when the gateway sent the body itself.</param>
public sealed record NginxAccessLogEntry(long Connection, string ClientAddress, string Method, string Uri, string? Range, int Status,
    long BodyBytesSent, IReadOnlyList<string> UpstreamAddresses, string? AccelRedirect)
{
    public static NginxAccessLogEntry Parse(string line)
    {
        var fields = line.Split('\t');
        string? Optional(int i) => fields[i] is "-" or "" ? null : fields[i];
        var upstream = Optional(7) is { } addresses
            ? addresses.Split([", ", " : "], StringSplitOptions.RemoveEmptyEntries)
            : [];
        return new NginxAccessLogEntry(
            long.Parse(fields[0], CultureInfo.InvariantCulture),
            fields[1],
            fields[2],
            fields[3],
            Optional(4),
            int.Parse(fields[5], CultureInfo.InvariantCulture),
            long.Parse(fields[6], CultureInfo.InvariantCulture),
            upstream,
            Optional(8));
    }
}
