using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Dnas.Build;

/// <summary>Runs <c>dnas run</c> for one configuration out of process, the way Grpc.Tools runs
/// protoc: the bundled CLI is started through the dotnet host MSBuild itself runs on
/// (<c>$(DOTNET_HOST_PATH)</c>), so the search's threads, memory and dependencies never enter
/// MSBuild's process and nothing stays loaded or locked by a reused node. The CLI prints its
/// diagnostics in the canonical <c>file(line,col): error DNASnnn: text</c> form, which
/// <see cref="TaskLoggingHelper.LogMessageFromText"/> turns into real MSBuild errors and
/// warnings with file and position; every other line is logged as a message. The generated
/// files are read from the manifest the CLI writes into the run folder.</summary>
public sealed class DnasGenerate : ToolTask
{
    /// <summary>The configuration file (dnas.yaml); passed as a full path so the diagnostics
    /// name it in full and IDEs can open it.</summary>
    [Required] public string Config { get; set; } = "";

    /// <summary>The run folder: the pipeline's cache of stage results (<c>--out</c>).</summary>
    [Required] public string RunDirectory { get; set; } = "";

    /// <summary>Where the firmware is generated (<c>--firmware-dir</c>); empty: the run folder's <c>firmware/</c>.</summary>
    public string? FirmwareDirectory { get; set; }

    /// <summary>The bundled CLI, <c>tools/Dnas.Cli.dll</c> of the package.</summary>
    [Required] public string ToolAssembly { get; set; } = "";

    /// <summary><c>$(DOTNET_HOST_PATH)</c>: the dotnet host running this build; empty means
    /// the first <c>dotnet</c> on PATH.</summary>
    public string? DotnetHostPath { get; set; }

    /// <summary>A built-in board overriding the configuration's (<c>--target</c>); empty for none.</summary>
    public string? Board { get; set; }

    /// <summary>Further arguments for <c>dnas run</c>, passed as written (e.g. <c>--seed 7</c>).</summary>
    public string? AdditionalArguments { get; set; }

    /// <summary>The files the run generated, full paths, in the manifest's order.</summary>
    [Output] public ITaskItem[] GeneratedFiles { get; private set; } = [];

    private static readonly string HostName = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";

    protected override string ToolName => HostName;

    // The CLI's progress lines go to standard error and its summary to standard output: both
    // are worth seeing in a normal build log, since the search can take minutes.
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

    /// <summary>The manifest <c>dnas run</c> writes: the generated files' full paths, one a line.</summary>
    public static string ManifestPath(string runDirectory) => Path.Combine(runDirectory, "generated.txt");

    protected override string GenerateFullPathToTool()
    {
        if (!string.IsNullOrEmpty(DotnetHostPath)) return DotnetHostPath!;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Combine(dir, HostName);
            if (File.Exists(candidate)) return candidate;
        }
        return HostName;
    }

    protected override bool ValidateParameters()
    {
        if (!File.Exists(ToolAssembly))
        {
            Log.LogError(null, "DNAS402", null, ToolAssembly, 0, 0, 0, 0,
                "the bundled dnas CLI {0} is missing; restore the Dnas.Build package again (dotnet restore --force)", ToolAssembly);
            return false;
        }
        return base.ValidateParameters();
    }

    protected override string GenerateCommandLineCommands()
    {
        var b = new CommandLineBuilder();
        b.AppendFileNameIfNotNull(Path.GetFullPath(ToolAssembly));
        b.AppendSwitch("run");
        b.AppendSwitchIfNotNull("--config ", Path.GetFullPath(Config));
        b.AppendSwitchIfNotNull("--out ", Path.TrimEndingDirectorySeparator(Path.GetFullPath(RunDirectory)));
        if (!string.IsNullOrWhiteSpace(FirmwareDirectory))
            b.AppendSwitchIfNotNull("--firmware-dir ", Path.TrimEndingDirectorySeparator(Path.GetFullPath(FirmwareDirectory!)));
        if (!string.IsNullOrWhiteSpace(Board)) b.AppendSwitchIfNotNull("--target ", Board!.Trim());
        if (!string.IsNullOrWhiteSpace(AdditionalArguments)) b.AppendTextUnquoted(" " + AdditionalArguments!.Trim());
        return b.ToString();
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance) =>
        Log.LogMessageFromText(singleLine, messageImportance);

    /// <summary>A failed run has already said why in its diagnostics; only a failure without
    /// any (a crash) gets a line of its own, never ToolTask's generic MSB6006.</summary>
    protected override bool HandleTaskExecutionErrors()
    {
        if (!Log.HasLoggedErrors)
            Log.LogError(null, "DNAS403", null, Config, 0, 0, 0, 0,
                "dnas run exited with code {0} for this configuration; the messages above say why", ExitCode);
        return false;
    }

    public override bool Execute()
    {
        if (!base.Execute()) return false;
        string manifest = ManifestPath(RunDirectory);
        if (!File.Exists(manifest))
        {
            Log.LogError(null, "DNAS404", null, manifest, 0, 0, 0, 0,
                "dnas run finished but wrote no manifest of generated files; is the bundled CLI ({0}) from another version?", ToolAssembly);
            return false;
        }
        GeneratedFiles = File.ReadAllLines(manifest)
            .Where(l => l.Length > 0)
            .Select(f => (ITaskItem)new TaskItem(f, new Dictionary<string, string> { ["DnasModel"] = Path.GetFullPath(Config) }))
            .ToArray();
        return true;
    }
}
