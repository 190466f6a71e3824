using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>What the listing tests read from a page: the links of its rows (HTML-decoded), and its JSON entries.</summary>
internal static partial class ListingPage
{
    /// <summary>The href and the shown name of every row after the "../" one, in page order.</summary>
    public static List<(string Href, string Name)> Rows(string html)
        => [.. RowLink().Matches(html).Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value))).Where(row => row.Item2 != "../")];

    public static async Task<JsonDocument> GetJsonAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
    }

    public static List<string> Names(JsonDocument document)
        => [.. document.RootElement.GetProperty("entries").EnumerateArray().Select(entry => entry.GetProperty("name").GetString()!)];

    [GeneratedRegex("<td class=\"name\"><a href=\"([^\"]*)\">([^<]*)</a></td>")]
    private static partial Regex RowLink();
}
