using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Checks <see cref="LocalStorageOptions"/> against its DataAnnotations, generated at build time (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class LocalStorageOptionsValidator : IValidateOptions<LocalStorageOptions>;
