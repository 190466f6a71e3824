using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The annotations of the options whose validators also check rules across fields: code the options source
/// generator writes at build time (no reflection, so it holds under Native AOT). Each of those validators runs
/// this first and adds its own rules, so every error is reported at once, each starting with its key.
/// </summary>
[OptionsValidator]
internal sealed partial class AnnotatedOptionsValidator
    : IValidateOptions<EventsOptions>, IValidateOptions<OffloadOptions>, IValidateOptions<StorageOptions>, IValidateOptions<AccessOptions>,
      IValidateOptions<CrossOriginOptions>, IValidateOptions<LimitsOptions>,
      IValidateOptions<ArchivesOptions>
{
    public static AnnotatedOptionsValidator Instance { get; } = new();
}
