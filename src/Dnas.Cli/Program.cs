using System.CommandLine;
using System.Reflection;

namespace Dnas.Cli;

/// <summary>The `dnas` command line: a thin shell over the Dnas library.
/// Exit codes: 0 success, 1 a data or configuration error (diagnostics on standard error in the
/// canonical <c>file(line,col): error CODE: text</c> form), 2 a usage error, 130 interrupted.</summary>
public static class Program
{
    public const int Ok = 0, DataError = 1, UsageError = 2, Interrupted = 130;

    public static int Main(string[] args) =>
        Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);

    /// <summary>Runs a command line with the given output streams; <paramref name="interactive"/>
    /// enables the progress bar on <paramref name="stderr"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        var root = new RootCommand("dnas: data-aware neural architecture search for TinyML vision models on microcontrollers.");
        root.Add(InitCommand.Create(stdout, stderr));
        root.Add(PrepareCommand.Create(stdout, stderr, interactive));
        root.Add(InspectCommand.Create(stdout, stderr));
        root.Add(FirmwareCommand.Create(stdout, stderr));
        foreach (var command in PipelineCommands.Create(stdout, stderr, interactive)) root.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"dnas: error: {error.Message}");
            stderr.WriteLine("Run 'dnas --help' (or 'dnas <command> --help') for usage.");
            return UsageError;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    public static string InformationalVersion =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
