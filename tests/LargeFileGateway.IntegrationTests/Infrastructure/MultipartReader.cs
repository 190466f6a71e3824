using System.Text;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Reads a multipart/byteranges body with the framework's own multipart parser, part by part.</summary>
public static class MultipartReader
{
    public sealed record Part(string? ContentType, string? ContentRange, byte[] Body);

    public static async Task<List<Part>> ReadPartsAsync(byte[] body, string boundary)
    {
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, new MemoryStream(body));
        var parts = new List<Part>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var data = new MemoryStream();
            await section.Body.CopyToAsync(data);
            section.Headers!.TryGetValue("Content-Range", out var range);
            parts.Add(new Part(section.ContentType, range.ToString(), data.ToArray()));
        }

        return parts;
    }

    public static string Describe(byte[] body) => Encoding.Latin1.GetString(body);
}
