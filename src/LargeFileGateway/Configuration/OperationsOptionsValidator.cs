using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The annotations of the operations options (probes, metrics, access log), checked by code the options source
/// generator writes at build time (no reflection, so it holds under Native AOT); each message starts with its key.
/// </summary>
[OptionsValidator]
internal sealed partial class OperationsOptionsValidator
    : IValidateOptions<HealthOptions>, IValidateOptions<MetricsOptions>, IValidateOptions<AccessLogOptions>;
