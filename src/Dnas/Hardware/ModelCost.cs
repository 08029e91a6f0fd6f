using Dnas.Engine.Models;

namespace Dnas.Hardware;

/// <summary>Camera pixel formats the firmware's preprocessing accepts.</summary>
public enum PixelFormat
{
    Rgb565,
    Rgb888,
    Yuv422,
    Gray8,
}

/// <summary>The camera frame the firmware receives before crop/resize; it lives in SRAM next
/// to the arena.</summary>
public readonly record struct CameraFrame(int Width, int Height, PixelFormat Format)
{
    public static int BytesPerPixel(PixelFormat format) => format switch
    {
        PixelFormat.Rgb565 => 2,
        PixelFormat.Rgb888 => 3,
        PixelFormat.Yuv422 => 2,
        PixelFormat.Gray8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown pixel format"),
    };

    public long Bytes => (long)Width * Height * BytesPerPixel(Format);
}

/// <summary>The model input: resolution and colour channels (1 gray, 3 RGB).</summary>
public readonly record struct ModelInput(int Width, int Height, int Channels);

/// <summary>One row of the per-layer table. Shapes are NHWC ([1, C] after the pool).</summary>
public sealed record LayerCost(
    string Name, OpKind Kind, IReadOnlyList<int> InputShape, IReadOnlyList<int> OutputShape,
    int Kernel, int Stride, long Macs, long Params, long WeightBytes, long BiasBytes, long QuantBytes, double Cycles)
{
    public long ConstantBytes => WeightBytes + BiasBytes + QuantBytes;
}

/// <summary>Flash, SRAM and latency of an int8 MobileNetV2 on a target.
/// Flash = int8 weights + int32 biases + requantization data + the target's code estimate
/// (flatbuffer/metadata overhead is not counted). SRAM = the arena from <see cref="ArenaPlanner"/>
/// over the execution graph (activations only; kernel scratch buffers are not modelled) + the
/// camera frame. Latency = Σ op cycles / clock, with the target's (estimated) coefficients.</summary>
public sealed class ModelCost
{
    public TargetProfile Target { get; }
    public ModelInput Input { get; }
    public CameraFrame Camera { get; }
    public ExecutionGraph Graph { get; }
    public IReadOnlyList<PlannedTensor> ArenaTensors { get; }
    public ArenaPlan Plan { get; }
    public IReadOnlyList<LayerCost> Layers { get; }
    public bool InPlaceAdd { get; }

    public long Macs { get; }
    public long Params { get; }
    public long WeightBytes { get; }
    public long BiasBytes { get; }
    public long QuantBytes { get; }
    public double Cycles { get; }

    /// <summary>Constant data of the model: weights + biases + quantization data.</summary>
    public long ModelDataBytes => WeightBytes + BiasBytes + QuantBytes;
    public long FlashBytes => ModelDataBytes + Target.CodeSizeBytes;
    public long ArenaBytes => Plan.ArenaBytes;
    public long CameraBytes => Camera.Bytes;
    public long SramBytes => ArenaBytes + CameraBytes;
    public double LatencySeconds => Cycles / Target.ClockHz;
    public bool FitsFlash => FlashBytes <= Target.FlashBytes;
    public bool FitsSram => SramBytes <= Target.SramBytes;

    private ModelCost(TargetProfile target, ModelInput input, CameraFrame camera, ExecutionGraph graph,
        IReadOnlyList<PlannedTensor> arenaTensors, ArenaPlan plan, IReadOnlyList<LayerCost> layers, bool inPlaceAdd)
    {
        Target = target; Input = input; Camera = camera; Graph = graph; ArenaTensors = arenaTensors;
        Plan = plan; Layers = layers; InPlaceAdd = inPlaceAdd;
        foreach (var l in layers)
        {
            Macs += l.Macs; Params += l.Params; WeightBytes += l.WeightBytes;
            BiasBytes += l.BiasBytes; QuantBytes += l.QuantBytes; Cycles += l.Cycles;
        }
    }

    /// <summary>Costs <paramref name="spec"/> at <paramref name="input"/> on
    /// <paramref name="target"/>. <paramref name="inPlaceAdd"/>: see
    /// <see cref="ExecutionGraph.PlannedTensors"/> (true for our generated C engine).</summary>
    public static ModelCost Compute(MobileNetV2Spec spec, ModelInput input, CameraFrame camera, TargetProfile target,
        bool inPlaceAdd = true, int alignment = ArenaPlanner.DefaultAlignment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(input), input.Channels, "input must have 1 (gray) or 3 (RGB) channels");
        if (input.Channels != spec.InChannels)
            throw new ArgumentException($"input has {input.Channels} channels but the model expects {spec.InChannels}", nameof(input));
        if (input.Width < 1 || input.Height < 1)
            throw new ArgumentOutOfRangeException(nameof(input), $"input resolution must be positive, got {input.Width}x{input.Height}");
        if (camera.Width < 0 || camera.Height < 0)
            throw new ArgumentOutOfRangeException(nameof(camera), $"camera frame size must not be negative, got {camera.Width}x{camera.Height}");
        target.Validate();

        var graph = ExecutionGraph.Build(spec, input.Height, input.Width);
        var tensors = graph.PlannedTensors(inPlaceAdd);
        var plan = ArenaPlanner.Plan(tensors, alignment);
        var layers = new List<LayerCost>(graph.Ops.Count);
        foreach (var op in graph.Ops)
        {
            var inT = graph.Tensors[op.Inputs[0]];
            var outT = graph.Tensors[op.Output];
            long elements = op.Kind == OpKind.Mean ? inT.Elements : outT.Elements;
            layers.Add(new LayerCost(op.Name, op.Kind, inT.Shape, outT.Shape, op.Kernel, op.Stride, op.Macs, op.Params,
                op.WeightBytes, op.BiasBytes, op.QuantBytes, target.Cycles(op.Kind, op.Macs, elements)));
        }
        return new ModelCost(target, input, camera, graph, tensors, plan, layers, inPlaceAdd);
    }

    /// <summary>The per-layer table and the totals as fixed-width text (for logs and reports).</summary>
    public string ToTable()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        static string Shape(IReadOnlyList<int> s) => "[" + string.Join(",", s) + "]";
        sb.AppendLine(string.Format(inv, "{0,-18} {1,-14} {2,-16} {3,-16} {4,3} {5,3} {6,12} {7,9} {8,9} {9,7} {10,7} {11,12}",
            "layer", "kind", "input", "output", "k", "s", "MACs", "params", "weights", "bias", "quant", "cycles"));
        foreach (var l in Layers)
            sb.AppendLine(string.Format(inv, "{0,-18} {1,-14} {2,-16} {3,-16} {4,3} {5,3} {6,12} {7,9} {8,9} {9,7} {10,7} {11,12:F0}",
                l.Name, l.Kind, Shape(l.InputShape), Shape(l.OutputShape), l.Kernel, l.Stride, l.Macs, l.Params,
                l.WeightBytes, l.BiasBytes, l.QuantBytes, l.Cycles));
        sb.AppendLine(string.Format(inv, "{0,-18} {1,-14} {2,-16} {3,-16} {4,3} {5,3} {6,12} {7,9} {8,9} {9,7} {10,7} {11,12:F0}",
            "total", "", "", "", "", "", Macs, Params, WeightBytes, BiasBytes, QuantBytes, Cycles));
        sb.AppendLine(string.Format(inv, "target {0}: flash {1} B of {2} B (model {3} B + code {4} B); SRAM {5} B of {6} B (arena {7} B{8} + camera {9} B); latency {10:F1} ms at {11:F0} MHz",
            Target.Name, FlashBytes, Target.FlashBytes, ModelDataBytes, Target.CodeSizeBytes, SramBytes, Target.SramBytes,
            ArenaBytes, InPlaceAdd ? ", in-place ADD" : "", CameraBytes, LatencySeconds * 1000, Target.ClockHz / 1e6));
        return sb.ToString();
    }
}
