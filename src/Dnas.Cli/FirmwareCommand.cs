using System.CommandLine;
using System.Globalization;
using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Firmware;
using Dnas.TfLite;

namespace Dnas.Cli;

/// <summary><c>dnas firmware --from-tflite FILE.tflite --out DIR [--name NAME]</c> generates the
/// firmware for any supported int8 .tflite; <c>dnas firmware [-c dnas.yaml] [--out RUN]</c> does it
/// for the run folder's model.tflite (written by the export stage) into RUN/firmware. Files the
/// user changed since dnas wrote them are not overwritten without <c>--force</c>. With the Arm
/// toolchain installed, the Cortex-M4 flash and RAM of the engine are measured and printed.</summary>
internal static class FirmwareCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config", "-c") { Description = "the configuration file (run-folder mode)", DefaultValueFactory = _ => "dnas.yaml" };
        var fromTflite = new Option<string?>("--from-tflite") { Description = "generate from this int8 .tflite instead of the run folder's model" };
        var output = new Option<string?>("--out") { Description = "with --from-tflite: the output folder; otherwise the run folder (default: dnas.yaml's 'output')" };
        var name = new Option<string?>("--name") { Description = "prefix of the generated files and symbols (default: the model file's name)" };
        var labels = new Option<string?>("--labels") { Description = "comma-separated class labels, one per output (default: the model's metadata, else class0, class1, ...)" };
        var preprocess = new Option<string?>("--preprocess") { Description = "preprocessing, e.g. \"96x96 gray area centre-crop\" (default: the model's metadata, else area resize with centre crop)" };
        var force = new Option<bool>("--force") { Description = "overwrite generated files even if they were changed since dnas wrote them" };
        var command = new Command("firmware", "Generate firmware: a TFLite Micro drop-in and a dependency-free C engine with matching preprocessing.")
        {
            config, fromTflite, output, name, labels, preprocess, force,
        };
        command.SetAction(parse => Run(parse.GetValue(config)!, parse.GetValue(fromTflite), parse.GetValue(output), parse.GetValue(name),
            parse.GetValue(labels), parse.GetValue(preprocess), parse.GetValue(force), stdout, stderr));
        return command;
    }

    private static int Run(string configPath, string? fromTflite, string? output, string? name, string? labels, string? preprocess, bool force,
        TextWriter stdout, TextWriter stderr)
    {
        string modelPath, outDir;
        Func<int, Dnas.Hardware.ModelCost?> hardwareModel = _ => null;
        if (fromTflite is not null)
        {
            if (output is null)
            {
                stderr.WriteLine("dnas: error: --from-tflite needs --out DIR (the folder to write the firmware into)");
                return Program.UsageError;
            }
            modelPath = Path.GetFullPath(fromTflite);
            outDir = Path.GetFullPath(output);
        }
        else
        {
            DnasConfig cfg;
            try { cfg = PipelineCommands.Load(configPath, new PipelineCommands.ConfigOverrides(output)); }
            catch (DiagnosticException e)
            {
                foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                return Program.DataError;
            }
            var run = new Dnas.Pipeline.RunFolder(cfg.OutputDirectory);
            modelPath = run.Int8Model;
            outDir = Path.Combine(run.Root, "firmware");
            hardwareModel = classes => HardwareModel(cfg, run, classes);
            if (!File.Exists(modelPath))
            {
                stderr.WriteLine($"dnas: error: {modelPath} does not exist: export the run's model first (dnas export), or use --from-tflite FILE --out DIR");
                return Program.DataError;
            }
        }
        PreprocessSpec? spec = null;
        try { if (preprocess is not null) spec = PreprocessSpec.Parse(preprocess); }
        catch (FormatException e)
        {
            stderr.WriteLine($"dnas: error: --preprocess: {e.Message}");
            return Program.UsageError;
        }
        try
        {
            if (!File.Exists(modelPath)) throw new FirmwareException($"{modelPath} does not exist");
            byte[] bytes = File.ReadAllBytes(modelPath);
            var model = TfLiteReader.Read(bytes);
            var labelList = labels?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var request = new FirmwareRequest(model, bytes, modelPath, name ?? Path.GetFileNameWithoutExtension(modelPath), labelList, spec);
            var generated = FirmwareGenerator.Generate(request);
            FirmwareOutput.Write(outDir, generated.Files, force);
            var f = generated.Figures;
            stdout.WriteLine($"wrote {generated.Files.Count} files to {outDir}");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"C engine: arena {f.ArenaBytes} B, constants {f.ConstantBytes} B; TFLM: model {f.TflmModelBytes} B, recommended arena {f.TflmArenaBytes} B"));
            if (CrossSize.Available)
            {
                var engine = CrossSize.Measure(outDir, [$"{generated.Name}_model.c", "dnas_kernels.c"]);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Cortex-M4 (arm-none-eabi-gcc -O2) engine: flash {engine.Flash} B (text {engine.Text} + data {engine.Data}), RAM {engine.Ram} B (data {engine.Data} + bss {engine.Bss})"));
                if (hardwareModel(f.OutputSize) is { } cost)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  vs the hardware model (ModelCost, {cost.Target.Name}): model data {f.ConstantBytes / (double)cost.ModelDataBytes:0.000}x of {cost.ModelDataBytes} B, " +
                        $"flash {engine.Flash / (double)cost.FlashBytes:0.000}x of {cost.FlashBytes} B (its code estimate {cost.Target.CodeSizeBytes} B), RAM {engine.Ram / (double)cost.ArenaBytes:0.000}x of its arena {cost.ArenaBytes} B"));
                else
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  vs the hardware model's counting for this file (weights + biases + per-channel quantization; arena): flash {engine.Flash / (double)f.ConstantBytes:0.000}x of {f.ConstantBytes} B, RAM {engine.Ram / (double)f.ArenaBytes:0.000}x of {f.ArenaBytes} B"));
            }
            else stdout.WriteLine("Cortex-M4 size: skipped (arm-none-eabi-gcc not installed)");
            return Program.Ok;
        }
        catch (Exception e) when (e is FirmwareException or TfLiteFormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"dnas: error: {e.Message}");
            return Program.DataError;
        }
    }

    /// <summary>The hardware model's cost of the run's chosen network (null when the run folder
    /// has no search result, e.g. a model.tflite put there by hand).</summary>
    private static Dnas.Hardware.ModelCost? HardwareModel(DnasConfig config, Dnas.Pipeline.RunFolder run, int classes)
    {
        Dnas.Search.Genome genome;
        try { genome = Dnas.Pipeline.SearchStage.Chosen(config, run); }
        catch (Exception e) when (e is Dnas.Pipeline.PipelineException or IOException or DiagnosticException) { return null; }
        return Dnas.Hardware.ModelCost.Compute(genome.ToSpec(classes), new Dnas.Hardware.ModelInput(genome.Resolution, genome.Resolution, genome.InChannels),
            config.Target.CameraFor(genome.Resolution, genome.Color), config.Target.Profile, inPlaceAdd: true);
    }
}
