using System.CommandLine;
using Dnas.Config;

namespace Dnas.Cli;

/// <summary><c>dnas init [-c|--config dnas.yaml] [--force]</c>: writes the commented default
/// configuration (<see cref="DefaultConfig"/>). An existing file is someone's tuned settings, so
/// it is replaced only with <c>--force</c>.</summary>
internal static class InitCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "the configuration file to write",
            DefaultValueFactory = _ => "dnas.yaml",
        };
        var force = new Option<bool>("--force")
        {
            Description = "overwrite the file if it exists",
        };
        var command = new Command("init", "Write a commented default dnas.yaml (every section and key, with what it accepts).")
        {
            config,
            force,
        };
        command.SetAction(parse => Run(parse.GetValue(config)!, parse.GetValue(force), stdout, stderr));
        return command;
    }

    private static int Run(string path, bool force, TextWriter stdout, TextWriter stderr)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            stderr.WriteLine($"dnas: error: {full} is a folder; name the configuration file to write, e.g. -c {Path.Combine(path, "dnas.yaml")}");
            return Program.DataError;
        }
        if (File.Exists(full) && !force)
        {
            stderr.WriteLine($"dnas: error: {full} already exists; not overwritten (pass --force to replace it with the default)");
            return Program.DataError;
        }
        // Written beside the target and renamed, so an interrupted init never leaves half a file.
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(temp, DefaultConfig.Text);
            File.Move(temp, full, overwrite: force);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            stderr.WriteLine($"dnas: error: cannot write {full}: {e.Message}");
            return Program.DataError;
        }
        stdout.WriteLine($"wrote {full}");
        return Program.Ok;
    }
}
