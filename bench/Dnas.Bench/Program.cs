namespace Dnas.Bench;

/// <summary>Dispatches to one named benchmark: <c>Dnas.Bench &lt;benchmark&gt; [--option value ...]</c>.
/// Each benchmark prints its results on standard output (JSON lines where a script reads them)
/// and its progress on standard error.</summary>
public static class Program
{
    // To add a benchmark: a line here and a case in the switch below.
    private static readonly (string Name, string Summary)[] Benchmarks =
    [
        ("train-throughput", "MobileNetV2 training and inference images/s and peak RSS on synthetic data (one JSON line)"),
        ("fashion-mnist", "trains MobileNetV2 on Fashion-MNIST and reports test accuracy (one JSON line)"),
        ("gemm", "GFLOP/s of the GEMM kernels (NT, NN, TN) on MobileNetV2's 1x1-conv shapes"),
        ("depthwise", "GFLOP/s and GB/s of the depthwise kernels on MobileNetV2's shapes"),
        ("batchnorm", "GB/s and GFLOP/s of the fused batch norm + ReLU6 kernels (forward and backward)"),
        ("synthetic", "synthetic person / no-person scenes rendered per second at 96x96 (1 and 2 threads)"),
        ("prepare", "builds the prepared data store from generated 640x480 JPEGs (one JSON line)"),
        ("synthetic-samples", "writes synthetic sample images (PPM contact sheets) to --out DIR for a person to look at"),
        ("step-profile", "a training step's time per layer kind (stem, expand, depthwise, project, head)"),
        ("ablation", "one engine fusion (--fusion defer|gather) on vs off, steps interleaved in one process: median step times"),
        ("candidate-throughput", "supernet candidates scored per minute at 96x96 (BN recalibration + validation), on --config's trained run"),
        ("compare-runs", "finished runs side by side (--configs a.yaml,b.yaml --labels a,b [--svg out]): chosen systems, test accuracy, fronts in one plot"),
        ("armnn-models", "exports small briefly trained int8 MobileNetV2s (gray/RGB, residual adds) to --out DIR, for bench/armnn.sh"),
        ("int8-inputs", "writes --count seeded int8 images for --model's input to --out (raw, back to back)"),
        ("int8-outputs", "runs our Int8Interpreter on --model over raw int8 --inputs and writes raw int8 outputs to --out"),
        ("ranking", "Kendall tau between supernet accuracy and accuracy after fine-tuning, over candidates spanning the space"),
    ];

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help" or "list")
        {
            Usage(Console.Out);
            return args.Length == 0 ? 2 : 0;
        }
        var rest = args[1..];
        try
        {
            switch (args[0])
            {
                case "train-throughput": return TrainThroughput.Run(new BenchArgs(rest), Console.Out);
                case "fashion-mnist": return FashionMnist.Run(new BenchArgs(rest), Console.Out);
                case "gemm": new BenchArgs(rest).Finish(); GemmBench.Run(Console.Out); return 0;
                case "depthwise": new BenchArgs(rest).Finish(); DepthwiseBench.Run(Console.Out); return 0;
                case "batchnorm": return BatchNormBench.Run(new BenchArgs(rest), Console.Out);
                case "synthetic": new BenchArgs(rest).Finish(); SyntheticBench.Run(Console.Out); return 0;
                case "prepare": return PrepareBench.Run(new BenchArgs(rest), Console.Out);
                case "synthetic-samples": return SyntheticSamples.Run(new BenchArgs(rest), Console.Out);
                case "step-profile": return StepProfile.Run(new BenchArgs(rest), Console.Out);
                case "ablation": return Ablation.Run(new BenchArgs(rest), Console.Out);
                case "candidate-throughput": return SearchBench.CandidateThroughput(new BenchArgs(rest), Console.Out);
                case "ranking": return SearchBench.Ranking(new BenchArgs(rest), Console.Out);
                case "armnn-models": return Int8Files.ExportModels(new BenchArgs(rest), Console.Out);
                case "int8-inputs": return Int8Files.WriteInputs(new BenchArgs(rest), Console.Out);
                case "int8-outputs": return Int8Files.WriteOutputs(new BenchArgs(rest), Console.Out);
                case "compare-runs": return CompareRuns.Run(new BenchArgs(rest), Console.Out);
                default:
                    Console.Error.WriteLine($"Dnas.Bench: unknown benchmark '{args[0]}'");
                    Usage(Console.Error);
                    return 2;
            }
        }
        catch (BenchUsageException e)
        {
            Console.Error.WriteLine($"Dnas.Bench {args[0]}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Dnas.Bench {args[0]}: error: {e.Message}");
            return 1;
        }
    }

    private static void Usage(TextWriter w)
    {
        w.WriteLine("usage: Dnas.Bench <benchmark> [--option value ...]");
        w.WriteLine("benchmarks:");
        foreach (var (name, summary) in Benchmarks) w.WriteLine($"  {name,-18} {summary}");
        w.WriteLine("Options of each benchmark are listed in bench/README.md; an unknown option is an error.");
    }
}
