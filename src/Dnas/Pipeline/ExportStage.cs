using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dnas.Config;
using Dnas.Data.Sources;
using Dnas.Hardware;
using Dnas.Quantize;
using Dnas.Search;
using Dnas.TfLite;

namespace Dnas.Pipeline;

/// <summary>Stage 5: the fine-tuned winner, batch norm folded, calibrated on training images,
/// quantized to int8 and written as <c>model.tflite</c> (int8) and <c>model.float.tflite</c>
/// (float32, same graph); then the int8 model, read back from its bytes and run by the int8
/// interpreter, is compared with the float graph on the validation and test splits.</summary>
public static class ExportStage
{
    public const string Name = "export";

    /// <summary>The fine-tuned model (the finetune stage's input hash identifies it: fine-tuning
    /// is deterministic) and the quantization settings.</summary>
    public static string InputHash(DnasConfig config, RunFolder folder) =>
        StageRecord.Hash(Name, StageRecord.Load(folder.StageRecord(FinetuneStage.Name))?.InputHash ?? "", config.Quantize.ToString());

    public static StageRecord Run(DnasConfig config, RunFolder folder, RunData data, StageOptions options,
        IProgress<StageProgress>? progress = null, Action<string>? note = null, CancellationToken cancel = default)
    {
        _ = StageRecord.Load(folder.StageRecord(FinetuneStage.Name))
            ?? throw new PipelineException(Diagnostic.Error(DiagnosticCodes.MissingStage, $"no fine-tuned model in {folder.Root}; run 'dnas finetune' (or 'dnas run') first"));
        var genome = SearchStage.Chosen(config, folder);
        string hash = InputHash(config, folder);
        var start = StageGuard.Decide(folder, Name, hash, options, note);
        if (start == StageStart.Reuse && File.Exists(folder.Int8Model) && File.Exists(folder.FloatModel))
            return StageRecord.Load(folder.StageRecord(Name))!;

        var clock = Stopwatch.StartNew();
        var net = FinetuneStage.LoadModel(folder, genome, data.Classes.Count);
        var folded = FoldedGraph.Fold(net, genome.Resolution, genome.Resolution);
        var q = config.Quantize;
        var calibration = data.Batches(Split.Train, genome.Resolution, genome.Color, q.CalibrationImages);
        int calibrationImages = calibration.Sum(b => b.Labels.Length);
        progress?.Report(new StageProgress(Name, 0, 1, $"calibrating on {calibrationImages} images"));
        var quantized = Quantizer.Quantize(folded, Calibration.Collect(folded, calibration.Select(b => b.Images).ToArray(), q));
        cancel.ThrowIfCancellationRequested();

        var dataConfig = TfLiteExport.DataConfig(folded.Graph, genome.Color, data.Classes);
        string description = $"dnas {StageRecord.ToolVersion}: {genome.Key}";
        byte[] int8Bytes = TfLiteWriter.Write(TfLiteExport.Int8(quantized, dataConfig, description));
        byte[] floatBytes = TfLiteWriter.Write(TfLiteExport.Float(folded, dataConfig, description));
        AtomicFile.Write(folder.Int8Model, s => s.Write(int8Bytes));
        AtomicFile.Write(folder.FloatModel, s => s.Write(floatBytes));

        // Measure what was written: the file read back, not the in-memory graph.
        var classifier = new InterpreterClassifier(TfLiteReader.Read(File.ReadAllBytes(folder.Int8Model)));
        // The search costs the arena of the generated C engine (in-place residual ADD); a TFLite
        // runtime keeps the ADD's inputs and output apart: record both next to the interpreter's.
        ModelCost Cost(bool inPlaceAdd) => ModelCost.Compute(folded.Spec, new ModelInput(genome.Resolution, genome.Resolution, genome.InChannels),
            config.Target.CameraFor(genome.Resolution, genome.Color), config.Target.Profile, inPlaceAdd);
        var results = new JsonObject
        {
            ["key"] = genome.Key,
            ["calibration_images"] = calibrationImages,
            ["ranges"] = q.Ranges == RangeMethod.MinMax ? "minmax" : string.Create(CultureInfo.InvariantCulture, $"percentile {q.Percentile:R}"),
            ["model_bytes"] = int8Bytes.Length,
            ["float_model_bytes"] = floatBytes.Length,
            ["arena_bytes"] = classifier.ArenaBytes,
            ["hardware_model_arena_bytes"] = Cost(inPlaceAdd: true).ArenaBytes,
            ["hardware_model_arena_bytes_tflm"] = Cost(inPlaceAdd: false).ArenaBytes,
        };
        foreach (var split in new[] { Split.Val, Split.Test })
        {
            var batches = data.Batches(split, genome.Resolution, genome.Color);
            int total = batches.Sum(b => b.Labels.Length);
            if (total == 0) continue;
            string name = split == Split.Val ? "val" : "test";
            var r = Int8Agreement.Measure(folded, classifier, batches,
                done => progress?.Report(new StageProgress(Name, done, total, $"int8 vs float on {name}")));
            results[name] = new JsonObject
            {
                ["images"] = r.Images,
                ["float_accuracy"] = Math.Round(r.FloatAccuracy, 5),
                ["int8_accuracy"] = Math.Round(r.Int8Accuracy, 5),
                ["agreement"] = Math.Round(r.Agreement, 5),
                ["max_probability_error"] = Math.Round(r.MaxProbabilityError, 5),
                ["mean_probability_error"] = Math.Round(r.MeanProbabilityError, 5),
            };
            note?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"export: {name}: int8 {r.Int8Accuracy * 100:0.00}% vs float {r.FloatAccuracy * 100:0.00}% ({r.DropPoints:+0.00;-0.00;0.00} points), top-1 agreement {r.Agreement * 100:0.00}% on {r.Images} images"));
        }
        var record = new StageRecord(Name, hash, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, results);
        record.Save(folder.StageRecord(Name));
        return record;
    }
}
