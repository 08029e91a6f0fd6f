using System.CommandLine;
using System.Reflection;

namespace Dnas.Cli;

/// <summary>The `dnas` command line: a thin shell over the Dnas library.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("dnas: data-aware neural architecture search for TinyML vision models on microcontrollers.");
        return root.Parse(args).Invoke();
    }

    public static string InformationalVersion =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
