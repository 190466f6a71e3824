using System.Text.Json;
using System.Text.Json.Serialization;

namespace LargeFileGateway.Progress;

/// <summary>Source-generated JSON for events: each event is serialized once, whatever the number of watchers.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TransferView))]
[JsonSerializable(typeof(TransferSnapshot))]
internal sealed partial class ProgressJsonContext : JsonSerializerContext;
