using System.Globalization;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>The resident set size of a process, as the kernel reports it in <c>/proc/PID/status</c> (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS in bytes, or null when the process is gone.</summary>
    public static long? ResidentSetBytes(int processId)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{processId}/status");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        foreach (var line in lines)
        {
            // "VmRSS:	   51200 kB"
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
