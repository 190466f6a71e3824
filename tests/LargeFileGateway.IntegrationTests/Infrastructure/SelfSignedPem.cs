using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>A self-signed server certificate for 127.0.0.1 and localhost, written as PEM files as certbot writes them.</summary>
public static class SelfSignedPem
{
    /// <summary>Writes the certificate to <paramref name="certificatePath"/> and its key to <paramref name="keyPath"/>; returns the thumbprint.</summary>
    public static string Write(string certificatePath, string keyPath, string commonName = "gateway-test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Directory.CreateDirectory(Path.GetDirectoryName(certificatePath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate.Thumbprint;
    }

    /// <summary>Trusts only what <see cref="Write"/> makes (its subject), in place of a chain to a root.</summary>
    public static bool IsTestCertificate(X509Certificate? certificate)
        => certificate?.Subject.StartsWith("CN=gateway-", StringComparison.Ordinal) == true;

    /// <summary>The thumbprint of the certificate a TLS server on <paramref name="port"/> presents to a new handshake.</summary>
    public static async Task<string> ServedThumbprintAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var tls = new System.Net.Security.SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) => IsTestCertificate(certificate));
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
        return tls.RemoteCertificate is X509Certificate2 served ? served.Thumbprint : X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData()).Thumbprint;
    }
}
