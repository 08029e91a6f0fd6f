using System.Globalization;
using System.Text;
using System.Text.Json;
using Dnas.Int8;

namespace Dnas.TfLite;

/// <summary>What <c>dnas inspect</c> shows of a .tflite: operators with versions, tensors with
/// shapes, types, quantization and buffer sizes, the activation arena from the memory planner,
/// and the recorded data configuration.</summary>
public sealed record TfLiteInspection(
    string File, uint Version, string? Description, int FileBytes,
    IReadOnlyList<TfLiteInspection.OperatorInfo> Operators, IReadOnlyList<TfLiteInspection.TensorInfo> Tensors,
    IReadOnlyList<int> Inputs, IReadOnlyList<int> Outputs, int BufferCount, long ConstantBytes,
    long? ArenaBytes, string? ArenaProblem, TfLiteDataConfig? DataConfig, IReadOnlyList<string> Metadata)
{
    public sealed record OperatorInfo(int Index, string Name, int Code, int Version, int[] Inputs, int[] Outputs, string Options);

    public sealed record TensorInfo(int Index, string Name, int[] Shape, string Type, uint Buffer, long DataBytes,
        int ScaleCount, int ZeroPointCount, int QuantizedDimension, float? Scale, long? ZeroPoint);

    /// <exception cref="TfLiteFormatException">The bytes are not a readable TFLite model.</exception>
    public static TfLiteInspection Of(string file, byte[] bytes)
    {
        var model = TfLiteReader.Read(bytes);
        var g = model.SubGraph;
        var ops = g.Operators.Select((o, i) =>
        {
            var code = model.OperatorCodes[o.OpcodeIndex];
            return new OperatorInfo(i, code.Name, code.BuiltinCode, code.Version, o.Inputs, o.Outputs, o.Options?.ToString() ?? "");
        }).ToList();
        var tensors = g.Tensors.Select((t, i) =>
        {
            var q = t.Quantization;
            return new TensorInfo(i, t.Name, t.Shape, TfLiteNames.Type(t.Type), t.Buffer, model.DataOf(t).Length,
                q?.Scale.Length ?? 0, q?.ZeroPoint.Length ?? 0, q?.QuantizedDimension ?? 0,
                q is { Scale.Length: > 0 } ? q.Scale[0] : null, q is { ZeroPoint.Length: > 0 } ? q.ZeroPoint[0] : null);
        }).ToList();
        long? arena = null;
        string? problem = null;
        try { arena = Int8Interpreter.PlanMemory(model).ArenaBytes; }
        catch (Int8ModelException e) { problem = e.Message; }
        TfLiteDataConfig? config = null;
        try { config = model.DataConfig; }
        catch (TfLiteFormatException e) { problem = (problem == null ? "" : problem + "; ") + e.Message; }
        return new TfLiteInspection(file, model.Version, model.Description, bytes.Length, ops, tensors, g.Inputs, g.Outputs,
            model.Buffers.Count, model.Buffers.Sum(b => (long)b.Data.Length), arena, problem, config,
            model.Metadata.Select(m => m.Name).ToList());
    }

    private static string Shape(int[] shape) => "[" + string.Join(",", shape) + "]";

    public string ToText()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine($"{File}: TFLite schema v{Version}, {FileBytes} bytes{(Description is null ? "" : $", \"{Description}\"")}");
        s.AppendLine($"inputs:  {string.Join(", ", Inputs.Select(i => $"{Tensors[i].Name} {Shape(Tensors[i].Shape)} {Tensors[i].Type}"))}");
        s.AppendLine($"outputs: {string.Join(", ", Outputs.Select(i => $"{Tensors[i].Name} {Shape(Tensors[i].Shape)} {Tensors[i].Type}"))}");
        s.AppendLine($"operators ({Operators.Count}):");
        foreach (var o in Operators)
            s.AppendLine($"  {o.Index,3} {o.Name} v{o.Version}  in [{string.Join(",", o.Inputs)}] out [{string.Join(",", o.Outputs)}]");
        s.AppendLine($"tensors ({Tensors.Count}):");
        foreach (var t in Tensors)
        {
            string quant = t.ScaleCount == 0 ? "" : t.ScaleCount == 1
                ? string.Create(inv, $"  scale {t.Scale:G6} zp {t.ZeroPoint}")
                : $"  {t.ScaleCount} scales / {t.ZeroPointCount} zero points on dim {t.QuantizedDimension}";
            string data = t.DataBytes > 0 ? $"  buffer {t.Buffer}: {t.DataBytes} bytes" : "";
            s.AppendLine($"  {t.Index,3} {t.Name} {Shape(t.Shape)} {t.Type}{quant}{data}");
        }
        s.AppendLine($"buffers: {BufferCount}, constant data {ConstantBytes} bytes");
        s.AppendLine(ArenaBytes is { } a ? $"arena estimate: {a} bytes (activations, greedy plan, 16-byte aligned)" : $"arena estimate: unavailable ({ArenaProblem})");
        if (Metadata.Count > 0) s.AppendLine($"metadata: {string.Join(", ", Metadata)}");
        if (DataConfig is { } c)
            s.AppendLine(string.Create(inv, $"data configuration: {c.Resolution}x{c.Resolution} {c.ColourMode}, input scale {c.InputScale:G6} zero point {c.InputZeroPoint}, preprocessing {c.Preprocessing}, labels [{string.Join(", ", c.Labels)}]"));
        else s.AppendLine("data configuration: not recorded");
        return s.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });
}
