using System.ComponentModel.DataAnnotations;
using System.Net;

namespace LargeFileGateway.Configuration;

/// <summary>A list of IP addresses, or of networks in CIDR notation; each bad entry is named by its key and index.</summary>
/// <param name="key">The configuration key of the list.</param>
/// <param name="networks">True for networks (10.0.0.0/24), false for addresses (10.0.0.5).</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class IPAddressListAttribute(string key, bool networks) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var entries = value as string[] ?? [];
        var errors = new List<string>();
        for (var i = 0; i < entries.Length; i++)
        {
            var valid = networks ? IPNetwork.TryParse(entries[i], out _) : IPAddress.TryParse(entries[i], out _);
            if (!valid)
            {
                errors.Add(networks
                    ? $"{key}:{i} must be a network in CIDR notation such as 10.0.0.0/24 (was '{entries[i]}')."
                    : $"{key}:{i} must be an IP address (was '{entries[i]}').");
            }
        }

        return errors.Count == 0 ? ValidationResult.Success : new ValidationResult(string.Join(" ", errors), [validationContext.MemberName!]);
    }
}
