using System.Diagnostics;
using System.Text;

namespace Dnas.Tests.Build;

/// <summary>Runs the <c>dotnet</c> CLI (or an installed tool) as a child process, as a user
/// would from a shell: MSBuild variables inherited from the test host's own build are dropped,
/// NuGet packages go to <see cref="PackagesFolder"/> (so the machine's global cache never
/// keeps a stale copy of our 0.1.0 packages), and no MSBuild node or build server stays behind.</summary>
internal sealed class DotnetCli(string packagesFolder)
{
    public string PackagesFolder { get; } = packagesFolder;

    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed)
    {
        public Result AssertOk(string what)
        {
            if (ExitCode != 0) throw new Xunit.Sdk.XunitException($"{what} failed with exit code {ExitCode}:\n{Tail(Output)}");
            return this;
        }
    }

    /// <summary>The last 12,000 characters: enough to see why a build failed.</summary>
    public static string Tail(string text) => text.Length <= 12_000 ? text : "...\n" + text[^12_000..];

    public Result Dotnet(string workingDirectory, params string[] args) => Run("dotnet", workingDirectory, args);

    public Result Run(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var key in info.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key == "DOTNET_HOST_PATH") info.Environment.Remove(key);
        info.Environment["NUGET_PACKAGES"] = PackagesFolder;
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', args)} did not finish in 15 minutes:\n{Tail(output.ToString())}");
        }
        process.WaitForExit();
        lock (output) return new Result(process.ExitCode, output.ToString(), clock.Elapsed);
    }
}
