using Dnas.Config;
using Dnas.Int8;
using Dnas.Pipeline;
using Dnas.Quantize;
using Dnas.TfLite;
using Dnas.Tests.Data;
using Dnas.Tests.Pipeline;
using Xunit;

namespace Dnas.Tests.Quantize;

/// <summary>The export stage in the pipeline: files, record, cache, and the CLI command.</summary>
public class ExportStageTests
{
    [Fact]
    public void ExportWritesBothModelsMeasuresAgreementAndIsCached()
    {
        using var dir = new TempDir();
        var config = RunPipelineTests.Tiny(dir.Path);
        config = config with { Quantize = new QuantizeConfig { CalibrationImages = 24 } };
        RunPipeline.Run(config, PipelineStage.Export, new(), new RunPipelineTests.Recorder());
        var folder = new RunFolder(config.OutputDirectory);
        var genome = SearchStage.Chosen(config, folder);
        var record = StageRecord.Load(folder.StageRecord(ExportStage.Name))!;
        Assert.Equal(genome.Key, (string?)record.Results["key"]);
        Assert.Equal(24, (int)record.Results["calibration_images"]!);
        Assert.Equal(new FileInfo(folder.Int8Model).Length, (long)record.Results["model_bytes"]!);
        foreach (var split in new[] { "val", "test" })
        {
            var r = record.Results[split]!;
            Assert.Equal(32, (int)r["images"]!);
            Assert.InRange((double)r["agreement"]!, 0.0, 1.0);
            Assert.InRange((double)r["int8_accuracy"]!, 0.0, 1.0);
        }

        var int8 = TfLiteReader.ReadFile(folder.Int8Model);
        Assert.Equal(genome.Resolution, int8.DataConfig!.Resolution);
        Assert.Equal(genome.Color == Dnas.Data.Preprocess.ColorMode.Gray ? "gray" : "rgb", int8.DataConfig.ColourMode);
        Assert.Equal(["no_person", "person"], int8.DataConfig.Labels);
        Assert.Equal(TfLiteType.Int8, int8.Tensor(int8.SubGraph.Inputs[0]).Type);
        Assert.Equal(TfLiteType.Float32, TfLiteReader.ReadFile(folder.FloatModel).Tensor(0).Type);
        // The arena the interpreter plans is the hardware model's (TFLite Micro planning, no in-place ADD).
        Assert.Equal(Int8Interpreter.PlanMemory(int8).ArenaBytes, (long)record.Results["arena_bytes"]!);
        Assert.Equal((long)record.Results["arena_bytes"]!, (long)record.Results["hardware_model_arena_bytes_tflm"]!);

        // Unchanged inputs: reused. New quantization settings: only the export runs again.
        var again = new RunPipelineTests.Recorder();
        RunPipeline.Run(config, PipelineStage.Export, new(), again);
        Assert.Equal([("prepare", true), ("supernet", true), ("search", true), ("finetune", true), ("export", true)], again.Finished);
        var changed = new RunPipelineTests.Recorder();
        RunPipeline.Run(config with { Quantize = new QuantizeConfig { CalibrationImages = 8, Ranges = RangeMethod.Percentile, Percentile = 99.9 } },
            PipelineStage.Export, new(), changed);
        Assert.Equal([("prepare", true), ("supernet", true), ("search", true), ("finetune", true), ("export", false)], changed.Finished);
        Assert.Equal("percentile 99.9", (string?)StageRecord.Load(folder.StageRecord(ExportStage.Name))!.Results["ranges"]);
    }

    [Fact]
    public void ExportBeforeFinetuningIsAnError()
    {
        using var dir = new TempDir();
        var config = RunPipelineTests.Tiny(dir.Path);
        RunPipeline.Run(config, PipelineStage.Search, new(), new RunPipelineTests.Recorder());
        using var data = RunData.Open(new RunFolder(config.OutputDirectory).Data);
        var e = Assert.Throws<PipelineException>(() => ExportStage.Run(config, new RunFolder(config.OutputDirectory), data, new()));
        Assert.Equal(DiagnosticCodes.MissingStage, e.Diagnostics[0].Code);
        Assert.Contains("dnas finetune", e.Message);
    }
}
