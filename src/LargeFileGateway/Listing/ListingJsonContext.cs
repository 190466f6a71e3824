using System.Text.Json;
using System.Text.Json.Serialization;

namespace LargeFileGateway.Listing;

/// <summary>Source-generated JSON for listings (the published gateway is Native AOT: no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ListingDocument))]
internal sealed partial class ListingJsonContext : JsonSerializerContext;
