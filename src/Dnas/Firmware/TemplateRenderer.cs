using System.Collections.Concurrent;
using HandlebarsDotNet;

namespace Dnas.Firmware;

/// <summary>Renders the Handlebars templates of the repository's <c>templates/</c> folder
/// (embedded in the library as <c>Dnas.Templates.&lt;file&gt;</c>). Templates only place
/// ready-made names, numbers and array texts; every decision is made in C# before. Output is
/// C, so nothing is HTML-escaped.</summary>
public static class TemplateRenderer
{
    private static readonly IHandlebars Engine = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
    private static readonly ConcurrentDictionary<string, HandlebarsTemplate<object, object>> Compiled = new();

    /// <summary>Names of the embedded templates.</summary>
    public static IReadOnlyList<string> Names =>
        typeof(TemplateRenderer).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Dnas.Templates.", StringComparison.Ordinal))
            .Select(n => n["Dnas.Templates.".Length..]).Order(StringComparer.Ordinal).ToList();

    public static string Render(string template, object model)
    {
        var compiled = Compiled.GetOrAdd(template, Load);
        return compiled(model);
    }

    private static HandlebarsTemplate<object, object> Load(string template)
    {
        string resource = "Dnas.Templates." + template;
        using var stream = typeof(TemplateRenderer).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"template {template} is not embedded in the Dnas library (expected templates/{template} in the repository)");
        using var reader = new StreamReader(stream);
        return Engine.Compile(reader.ReadToEnd());
    }
}

/// <summary>The hand-written C of the repository's firmware/ folder (kernels and
/// preprocessing), embedded in the library so every output folder is self-contained.</summary>
public static class FirmwareSources
{
    public static readonly IReadOnlyList<string> Names = ["dnas_kernels.h", "dnas_kernels.c", "dnas_preprocess.h", "dnas_preprocess.c"];

    public static string Text(string name)
    {
        using var stream = typeof(FirmwareSources).Assembly.GetManifestResourceStream("Dnas.FirmwareSources." + name)
            ?? throw new InvalidOperationException($"firmware source {name} is not embedded in the Dnas library (expected firmware/{name} in the repository)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
