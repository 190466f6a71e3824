using System.Net;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses proxy addresses and networks that do not parse, naming each bad entry.</summary>
internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.TrustedProxies.Length; i++)
        {
            if (!IPAddress.TryParse(options.TrustedProxies[i], out _))
            {
                errors.Add($"{TrustedProxyOptions.SectionName}:TrustedProxies:{i} must be an IP address (was '{options.TrustedProxies[i]}').");
            }
        }

        for (var i = 0; i < options.TrustedNetworks.Length; i++)
        {
            if (!IPNetwork.TryParse(options.TrustedNetworks[i], out _))
            {
                errors.Add($"{TrustedProxyOptions.SectionName}:TrustedNetworks:{i} must be a network in CIDR notation such as 10.0.0.0/24 (was '{options.TrustedNetworks[i]}').");
            }
        }

        if (options.ForwardLimit is < 1 or > 10)
        {
            errors.Add($"{TrustedProxyOptions.SectionName}:ForwardLimit must be between 1 and 10 (was {options.ForwardLimit}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
