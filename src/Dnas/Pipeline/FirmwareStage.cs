using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dnas.Config;
using Dnas.Firmware;
using Dnas.TfLite;

namespace Dnas.Pipeline;

/// <summary>Stage 6: the firmware generator (<see cref="FirmwareGenerator"/>) on the run
/// folder's int8 <c>model.tflite</c>, into <c>&lt;run&gt;/firmware</c> or the folder given with
/// <c>dnas run --firmware-dir</c>. Cached like the other stages: reused while the exported model
/// and the folder are unchanged and every file it wrote is still there (a build's clean deletes
/// them). Files a user changed since they were generated are not overwritten
/// (<see cref="FirmwareOutput"/>) unless <c>--force</c>.</summary>
public static class FirmwareStage
{
    public const string Name = "firmware";

    /// <summary>The prefix of the generated files and symbols (<c>model_model.c</c>,
    /// <c>model_invoke()</c>), the same as <c>dnas firmware</c> on a run folder.</summary>
    public const string FirmwareName = "model";

    public static string InputHash(RunFolder folder, string directory) =>
        StageRecord.Hash(Name, StageRecord.Load(folder.StageRecord(ExportStage.Name))?.InputHash ?? "", directory);

    /// <summary>The files the stage wrote (full paths), from its record.</summary>
    public static IReadOnlyList<string> Files(StageRecord record) =>
        record.Results["files"] is JsonArray files ? files.Select(f => (string?)f ?? "").Where(f => f.Length > 0).ToList() : [];

    public static StageRecord Run(RunFolder folder, string? directory, StageOptions options, Action<string>? note = null)
    {
        _ = StageRecord.Load(folder.StageRecord(ExportStage.Name))
            ?? throw new PipelineException(Diagnostic.Error(DiagnosticCodes.MissingStage, $"no exported model in {folder.Root}; run 'dnas export' (or 'dnas run') first"));
        string dir = Path.GetFullPath(directory ?? folder.Firmware);
        string hash = InputHash(folder, dir);
        var start = StageGuard.Decide(folder, Name, hash, options, note);
        if (start == StageStart.Reuse && StageRecord.Load(folder.StageRecord(Name)) is { } done && Files(done) is { Count: > 0 } files && files.All(File.Exists))
            return done;

        var clock = Stopwatch.StartNew();
        GeneratedFirmware generated;
        IReadOnlyList<string> written;
        try
        {
            byte[] bytes = File.ReadAllBytes(folder.Int8Model);
            generated = FirmwareGenerator.Generate(new FirmwareRequest(TfLiteReader.Read(bytes), bytes, folder.Int8Model, FirmwareName));
            written = FirmwareOutput.Write(dir, generated.Files, options.Force);
        }
        catch (Exception e) when (e is FirmwareException or TfLiteFormatException or IOException or UnauthorizedAccessException)
        {
            throw new PipelineException(Diagnostic.Error(DiagnosticCodes.FirmwareFailed, e.Message, folder.Int8Model), e);
        }
        // The generator's manifest of what it wrote belongs to the output too: a clean that
        // removes the files removes it as well.
        var all = written.Select(Path.GetFullPath).Append(Path.Combine(dir, FirmwareOutput.ManifestName)).ToList();
        var f = generated.Figures;
        var record = new StageRecord(Name, hash, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, new JsonObject
        {
            ["directory"] = dir,
            ["files"] = new JsonArray(all.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["arena_bytes"] = f.ArenaBytes,
            ["constant_bytes"] = f.ConstantBytes,
            ["tflm_arena_bytes"] = f.TflmArenaBytes,
            ["tflm_model_bytes"] = f.TflmModelBytes,
        });
        record.Save(folder.StageRecord(Name));
        return record;
    }
}
