using System.Globalization;

namespace Dnas.Config;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>One message about the user's input, printed in the canonical (MSBuild / compiler)
/// form so editors and CI logs can jump to it:
/// <c>dnas.yaml(12,5): error DNAS002: unknown key 'sorce' in data; did you mean 'source'?</c>.
/// Without a line the origin is just the file (<c>photos/cat.png: warning DNAS101: ...</c>), and
/// without a file it is <c>dnas</c>. Lines and columns are 1-based. The codes are listed in
/// <see cref="DiagnosticCodes"/>.</summary>
public sealed record Diagnostic(Severity Severity, string Code, string Message, string? File = null, int Line = 0, int Column = 0)
{
    public static Diagnostic Error(string code, string message, string? file = null, int line = 0, int column = 0) =>
        new(Severity.Error, code, message, file, line, column);

    public static Diagnostic Warning(string code, string message, string? file = null, int line = 0, int column = 0) =>
        new(Severity.Warning, code, message, file, line, column);

    /// <summary>The part before the first ": ".</summary>
    public string Origin
    {
        get
        {
            if (string.IsNullOrEmpty(File)) return "dnas";
            if (Line <= 0) return File;
            return Column > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{File}({Line},{Column})")
                : string.Create(CultureInfo.InvariantCulture, $"{File}({Line})");
        }
    }

    public override string ToString() =>
        $"{Origin}: {(Severity == Severity.Error ? "error" : "warning")} {Code}: {Message}";
}

/// <summary>An error that carries one or more <see cref="Diagnostic"/>s; the message is their
/// canonical text, one per line.</summary>
public class DiagnosticException : Exception
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public DiagnosticException(IReadOnlyList<Diagnostic> diagnostics, Exception? inner = null)
        : base(string.Join(Environment.NewLine, diagnostics), inner)
    {
        if (diagnostics.Count == 0) throw new ArgumentException("at least one diagnostic is needed", nameof(diagnostics));
        Diagnostics = diagnostics;
    }

    public DiagnosticException(Diagnostic diagnostic, Exception? inner = null) : this([diagnostic], inner) { }
}

/// <summary><c>dnas.yaml</c> is missing, not YAML, or does not validate. Every problem found is
/// in <see cref="DiagnosticException.Diagnostics"/> (validation goes on after the first).</summary>
public sealed class ConfigException : DiagnosticException
{
    public ConfigException(IReadOnlyList<Diagnostic> diagnostics, Exception? inner = null) : base(diagnostics, inner) { }
    public ConfigException(Diagnostic diagnostic, Exception? inner = null) : base(diagnostic, inner) { }
}

/// <summary>The diagnostic codes. DNAS0xx: the configuration file; DNAS1xx: the data; DNAS2xx: the pipeline stages.
/// (DNAS4xx belong to the build integration and are defined in src/Dnas.Build.)</summary>
public static class DiagnosticCodes
{
    /// <summary>The configuration file cannot be read or is not valid YAML.</summary>
    public const string YamlSyntax = "DNAS001";
    /// <summary>A key nobody knows (the nearest valid name is suggested).</summary>
    public const string UnknownKey = "DNAS002";
    /// <summary>A value of the wrong type (a list where a number belongs...).</summary>
    public const string WrongType = "DNAS003";
    /// <summary>A value outside its allowed range.</summary>
    public const string OutOfRange = "DNAS004";
    /// <summary>A required key is missing.</summary>
    public const string MissingKey = "DNAS005";
    /// <summary>A file or folder named in the configuration does not exist.</summary>
    public const string PathNotFound = "DNAS006";
    /// <summary>Split fractions that do not sum to 1.</summary>
    public const string SplitSum = "DNAS007";
    /// <summary>A value that is not one of the allowed names (the nearest is suggested).</summary>
    public const string UnknownChoice = "DNAS008";
    /// <summary>A key that exists but does not apply here (e.g. <c>csv</c> with an image folder).</summary>
    public const string NotApplicable = "DNAS009";
    /// <summary>Keys that exclude each other.</summary>
    public const string Conflict = "DNAS010";
    /// <summary>The configuration file does not exist.</summary>
    public const string ConfigNotFound = "DNAS011";
    /// <summary>The target cannot hold even the smallest system in the search space (SRAM, flash or the latency limit).</summary>
    public const string TargetTooSmall = "DNAS012";

    /// <summary>A bad data item, skipped (warning).</summary>
    public const string BadItem = "DNAS101";
    /// <summary>The summary of skipped bad items (warning).</summary>
    public const string BadItemSummary = "DNAS102";
    /// <summary>More bad items than the configured fraction allows.</summary>
    public const string TooManyBad = "DNAS103";
    /// <summary>A class without any usable item.</summary>
    public const string EmptyClass = "DNAS104";
    /// <summary>A data source that cannot be read at all (missing folder, CSV without the needed columns, bad IDX...).</summary>
    public const string SourceUnreadable = "DNAS105";
    /// <summary>A data source that is not available in this build.</summary>
    public const string SourceUnavailable = "DNAS106";
    /// <summary>No items at all.</summary>
    public const string NoItems = "DNAS107";
    /// <summary>A class that has no item in one of the splits (warning).</summary>
    public const string EmptySplit = "DNAS108";
    /// <summary>The prepared store cannot be written or read.</summary>
    public const string StoreIo = "DNAS110";

    /// <summary>A stage was interrupted: continue it with --resume or start it over with --restart.</summary>
    public const string Unfinished = "DNAS201";
    /// <summary>A checkpoint or stage output that cannot be read back (damaged, other version or configuration).</summary>
    public const string BadCheckpoint = "DNAS202";
    /// <summary>The search found no candidate within the target's limits.</summary>
    public const string NoFeasible = "DNAS203";
    /// <summary>A stage needs the output of an earlier one that is missing (e.g. report before search).</summary>
    public const string MissingStage = "DNAS204";
    /// <summary>The firmware cannot be generated or written (an unsupported model, a generated file the user changed, an unwritable folder).</summary>
    public const string FirmwareFailed = "DNAS205";
}
