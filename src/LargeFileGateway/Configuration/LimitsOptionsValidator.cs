using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The annotations of <see cref="LimitsOptions"/>, checked by code the options source generator writes at build time
/// (no reflection, so it holds under Native AOT); each message starts with its configuration key.
/// </summary>
[OptionsValidator]
internal sealed partial class LimitsOptionsValidator : IValidateOptions<LimitsOptions>;
