using System.Security.Cryptography;
using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace LargeFileGateway.Access;

/// <summary>
/// The JwtBearer handler's settings from <c>Gateway:Access:Token</c> alone: issuer, audience and keys are configured,
/// never fetched (no Authority, no metadata address), so validation needs no network.
/// </summary>
internal static class TokenValidation
{
    public static void Configure(JwtBearerOptions jwt, TokenAccessOptions options)
    {
        // Claims keep their JWT names (sub, iss, prefixes) instead of the legacy WS-* URIs.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = SigningKeys(options),
            ClockSkew = options.ClockSkew,
        };
    }

    private static List<SecurityKey> SigningKeys(TokenAccessOptions options)
    {
        var keys = new List<SecurityKey>();
        foreach (var (keyId, secret) in options.SigningKeys)
        {
            keys.Add(new SymmetricSecurityKey(Convert.FromBase64String(secret)) { KeyId = keyId });
        }

        foreach (var (keyId, pemOrPath) in options.PublicKeys)
        {
            keys.Add(PublicKey(keyId, ReadPem(pemOrPath)));
        }

        return keys;
    }

    /// <summary>PEM text as given, or the content of the file it names.</summary>
    public static string ReadPem(string pemOrPath)
        => pemOrPath.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? pemOrPath : File.ReadAllText(pemOrPath);

    /// <summary>An RSA or an ECDSA public key from PEM (SubjectPublicKeyInfo, or PKCS#1 for RSA).</summary>
    /// <exception cref="CryptographicException">Neither.</exception>
    public static SecurityKey PublicKey(string keyId, string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa) { KeyId = keyId };
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa) { KeyId = keyId };
        }
        catch (ArgumentException ex)
        {
            ecdsa.Dispose();
            throw new CryptographicException("Not an RSA or ECDSA public key in PEM.", ex);
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
            throw;
        }
    }
}
