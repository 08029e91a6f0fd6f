using Dnas.Config;
using Xunit;

namespace Dnas.Tests.Config;

/// <summary>Parsing configuration snippets that follow a minimal <c>data:</c> section.</summary>
internal static class ConfigSnippet
{
    /// <summary>Two lines, so a snippet's first line is line 3 of the file.</summary>
    public const string Data = "data:\n  source: synthetic\n";

    public static DnasConfig Parse(string yaml) => DnasConfig.Parse(Data + yaml, "dnas.yaml", Path.GetTempPath());

    /// <summary>The configuration and its errors (warnings left out).</summary>
    public static (DnasConfig Config, List<Diagnostic> Errors) Check(string yaml)
    {
        var (config, diagnostics) = DnasConfig.TryParse(Data + yaml, "dnas.yaml", Path.GetTempPath());
        return (config, diagnostics.Where(d => d.Severity == Severity.Error).ToList());
    }

    /// <summary>The errors, at least one.</summary>
    public static List<Diagnostic> Errors(string yaml)
    {
        var errors = Check(yaml).Errors;
        Assert.NotEmpty(errors);
        return errors;
    }
}
