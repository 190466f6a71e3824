using System.Diagnostics;
using System.Text;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A command-line program the tests drive (curl, wget, aria2c, axel, nginx, the gateway itself): started with an
/// argument list (no shell), its output collected, every wait bounded, and stopped only by its own pid.
/// </summary>
public sealed class ExternalTool : IDisposable
{
    private static readonly string[] ExtraSearchFolders = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalTool(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the program wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The full path of <paramref name="name"/> (kept when already full), searching PATH and the sbin folders; fails loudly when missing.</summary>
    public static string Locate(string name)
    {
        if (Path.IsPathFullyQualified(name))
        {
            return name;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(ExtraSearchFolders))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed; tests/run.sh installs it with apt-get.");
    }

    public static ExternalTool Start(string name, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Locate(name))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var tool = new ExternalTool(process);
        process.OutputDataReceived += (_, e) => tool.Append(e.Data);
        process.ErrorDataReceived += (_, e) => tool.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    /// <summary>Runs the program to its end and returns its exit code; kills it and fails after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string name, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        using var tool = Start(name, arguments, workingDirectory);
        var exitCode = await tool.WaitForExitAsync(timeout);
        return (exitCode, tool.Output);
    }

    /// <summary>Waits for the program to end; kills it and throws after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} did not finish within {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until <paramref name="path"/> holds at least <paramref name="bytes"/> bytes (a download under way).</summary>
    public static async Task WaitForFileSizeAsync(string path, long bytes, TimeSpan timeout)
    {
        if (!await Eventually.TrueAsync(() => File.Exists(path) && new FileInfo(path).Length >= bytes, timeout))
        {
            throw new TimeoutException($"{path} did not reach {bytes} bytes within {timeout}.");
        }
    }

    /// <summary>Kills this process (SIGKILL, by its own pid) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
