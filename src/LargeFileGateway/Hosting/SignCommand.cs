using System.Globalization;
using LargeFileGateway.Access;
using LargeFileGateway.Configuration;

namespace LargeFileGateway.Hosting;

/// <summary>
/// <c>LargeFileGateway sign &lt;key&gt; --expires-in 2h [--kid K] [--ip CIDR] [--rate BYTES] [--prefix] [--base-url URL] [--host H]</c>:
/// prints a ready signed link on stdout. The keys come from the configuration the server reads (appsettings.json,
/// <c>--config FILE</c>, the environment, <c>--Gateway:...</c> arguments), so a link minted here opens on that server.
/// Errors go to stderr with exit code 2.
/// </summary>
internal static class SignCommand
{
    public const string Name = "sign";
    public const int Succeeded = 0;
    public const int Failed = 2;

    private const string Usage = "usage: LargeFileGateway sign <key> --expires-in <90s|30m|2h|7d> [--kid K] [--ip CIDR] [--rate BYTES] [--prefix] [--base-url URL] [--host H] [--config FILE]";
    private const string KeysKey = AccessOptions.SectionName + ":Keys";

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Name;

    /// <summary>Runs the command on the arguments after <c>sign</c>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        if (!TryParse(args, out var request, out var problem))
        {
            error.WriteLine(problem);
            error.WriteLine(Usage);
            return Failed;
        }

        var configuration = Load(request.ConfigurationArgs);
        if (!TryChooseKey(configuration, request.KeyId, out var keyId, out var secret, out problem))
        {
            error.WriteLine(problem);
            return Failed;
        }

        var bindHost = bool.TryParse(configuration[$"{AccessOptions.SectionName}:BindHost"], out var bound) && bound;
        var baseUrl = request.BaseUrl ?? DefaultBaseUrl(configuration);
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            error.WriteLine($"--base-url must be an absolute http or https URL (was {baseUrl}).");
            return Failed;
        }

        if (request.Host is not null && !bindHost)
        {
            error.WriteLine($"--host is only part of a link when {AccessOptions.SectionName}:BindHost is true.");
            return Failed;
        }

        try
        {
            var signer = new LinkSigner(keyId, secret, bindHost);
            var host = bindHost ? request.Host ?? baseUri.Authority : null;
            var link = signer.Mint(request.Key, time.GetUtcNow() + request.ExpiresIn, request.Network, request.Rate, request.Prefix, host);
            output.WriteLine(baseUrl.TrimEnd('/') + link);
            return Succeeded;
        }
        catch (ArgumentException ex)
        {
            error.WriteLine(ex.Message);
            return Failed;
        }
    }

    private static bool TryParse(string[] args, out SignRequest request, out string problem)
    {
        request = new SignRequest();
        problem = string.Empty;
        string? key = null;
        var configurationArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (arg)
            {
                case "--prefix":
                    request.Prefix = true;
                    break;
                case "--expires-in":
                    if (!TryParseDuration(Value(), out var expiresIn))
                    {
                        problem = "--expires-in must be a positive number of seconds, minutes, hours or days: 90s, 30m, 2h, 7d.";
                        return false;
                    }

                    request.ExpiresIn = expiresIn;
                    break;
                case "--kid":
                    request.KeyId = Value();
                    break;
                case "--ip":
                    request.Network = Value();
                    break;
                case "--rate":
                    if (!long.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var rate) || rate <= 0)
                    {
                        problem = "--rate must be a positive number of bytes per second.";
                        return false;
                    }

                    request.Rate = rate;
                    break;
                case "--base-url":
                    request.BaseUrl = Value();
                    break;
                case "--host":
                    request.Host = Value();
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    // Configuration, as for the server: --config FILE, --Gateway:Access:Keys:k1=..., --Key Value.
                    configurationArgs.Add(option);
                    if (!option.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                    {
                        configurationArgs.Add(args[++i]);
                    }

                    break;
                default:
                    if (key is not null)
                    {
                        problem = $"One key per link: '{key}' and '{arg}'.";
                        return false;
                    }

                    key = arg;
                    break;
            }
        }

        if (key is null || request.ExpiresIn <= TimeSpan.Zero)
        {
            problem = key is null ? "Name the key (the file, or with --prefix the folder) to sign." : "--expires-in is required.";
            return false;
        }

        request.Key = key;
        request.ConfigurationArgs = [.. configurationArgs];
        return true;
    }

    private static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is not { Length: >= 2 } || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }

        var seconds = text[^1] switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, _ => 0L };
        if (seconds == 0 || amount > TimeSpan.MaxValue.TotalSeconds / seconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(amount * seconds);
        return true;
    }

    /// <summary>The layers of the server's configuration, lowest first (see <see cref="ConfigurationLayers"/>).</summary>
    private static ConfigurationManager Load(string[] configurationArgs)
    {
        var configuration = new ConfigurationManager();
        configuration.AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(configurationArgs);
        var environment = configuration["environment"] ?? "Production";
        configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), $"appsettings.{environment}.json"), optional: true);
        configuration.AddGatewayLayers(configurationArgs);
        return configuration;
    }

    private static bool TryChooseKey(ConfigurationManager configuration, string? wanted, out string keyId, out byte[] secret, out string problem)
    {
        var keys = configuration.GetSection(KeysKey).GetChildren().Where(key => !string.IsNullOrEmpty(key.Value)).ToList();
        keyId = wanted ?? string.Empty;
        secret = [];
        problem = string.Empty;
        if (keys.Count == 0)
        {
            problem = $"{KeysKey} names no key: configure one (in appsettings.json, --config FILE or Gateway__Access__Keys__k1=...) to sign links.";
            return false;
        }

        if (wanted is null && keys.Count > 1)
        {
            problem = $"{KeysKey} names several keys: choose one with --kid ({string.Join(", ", keys.Select(key => key.Key))}).";
            return false;
        }

        var chosen = wanted is null ? keys[0] : keys.FirstOrDefault(key => string.Equals(key.Key, wanted, StringComparison.Ordinal));
        if (chosen is null)
        {
            problem = $"{KeysKey} has no key '{wanted}' (it has {string.Join(", ", keys.Select(key => key.Key))}).";
            return false;
        }

        keyId = chosen.Key;
        if (!AccessOptionsValidator.TryDecodeSecret(chosen.Value, out secret))
        {
            problem = $"{KeysKey}:{keyId} must be a base64 secret of at least {AccessOptionsValidator.MinSecretBytes} bytes.";
            return false;
        }

        return true;
    }

    /// <summary>Where the configured server listens, as a client reaches it on this machine.</summary>
    private static string DefaultBaseUrl(ConfigurationManager configuration)
    {
        var url = configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(endpoint => endpoint["Url"]).FirstOrDefault(u => !string.IsNullOrEmpty(u));
        if (url is null && configuration["http_ports"]?.Split(';', ',').FirstOrDefault() is { Length: > 0 } port)
        {
            url = $"http://127.0.0.1:{port.Trim()}";
        }

        if (url is null)
        {
            return DefaultListenAddress.Url;
        }

        // A wildcard listen address is reached on loopback from here.
        foreach (var wildcard in new[] { "://0.0.0.0", "://[::]", "://*", "://+" })
        {
            url = url.Replace(wildcard, "://127.0.0.1", StringComparison.Ordinal);
        }

        return url;
    }

    private sealed class SignRequest
    {
        public string Key { get; set; } = string.Empty;

        public TimeSpan ExpiresIn { get; set; }

        public string? KeyId { get; set; }

        public string? Network { get; set; }

        public long? Rate { get; set; }

        public bool Prefix { get; set; }

        public string? BaseUrl { get; set; }

        public string? Host { get; set; }

        public string[] ConfigurationArgs { get; set; } = [];
    }
}
