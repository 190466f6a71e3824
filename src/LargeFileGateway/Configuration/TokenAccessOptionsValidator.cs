using System.Security.Cryptography;
using LargeFileGateway.Access;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The keys of the token part of <c>Gateway:Access</c> (its annotations are checked with the rest of the section),
/// checked at start so that a bad key is a startup error naming its key,
/// not a failure of the first request that carries a token.
/// </summary>
internal sealed class TokenAccessOptionsValidator : IValidateOptions<AccessOptions>
{
    private const string Section = AccessOptions.SectionName + ":Token";

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var token = options.Token;
        var result = new ValidateOptionsResultBuilder();
        foreach (var (keyId, secret) in token.SigningKeys)
        {
            var bytes = new byte[secret.Length];
            if (!Convert.TryFromBase64String(secret, bytes, out var length) || length < 32)
            {
                result.AddError($"{Section}:SigningKeys:{keyId} must be a base64 secret of at least 32 bytes (HS256 needs 256 bits).");
            }
        }

        foreach (var (keyId, pemOrPath) in token.PublicKeys)
        {
            try
            {
                using var key = TokenValidation.PublicKey(keyId, TokenValidation.ReadPem(pemOrPath)) as IDisposable;
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                result.AddError($"{Section}:PublicKeys:{keyId} must be an RSA or ECDSA public key in PEM, or the path of a readable PEM file ({ex.GetType().Name}).");
            }
        }

        foreach (var keyId in token.SigningKeys.Keys.Intersect(token.PublicKeys.Keys, StringComparer.Ordinal))
        {
            // The handler would try the HMAC secret for tokens of that kid and refuse every RS/ES token.
            result.AddError($"{Section}:SigningKeys:{keyId} and {Section}:PublicKeys:{keyId} use the same key id: give each key its own.");
        }

        var anyKey = token.SigningKeys.Count > 0 || token.PublicKeys.Count > 0;
        if (anyKey && !token.IsConfigured)
        {
            result.AddError($"{Section}:Issuer and {Section}:Audience must both be set when signing keys are.");
        }

        if (token.PrefixClaim is not { Length: > 0 })
        {
            result.AddError($"{Section}:PrefixClaim must name a claim.");
        }

        return result.Build();
    }
}
