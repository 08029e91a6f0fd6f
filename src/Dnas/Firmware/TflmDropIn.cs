using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.TfLite;

namespace Dnas.Firmware;

/// <summary>The TensorFlow Lite Micro drop-in: model data, settings, an op resolver with exactly
/// the model's operators, an example main_functions in the shape of TFLM's person_detection,
/// and a recommended arena size.</summary>
public static class TflmDropIn
{
    /// <summary>MicroMutableOpResolver call and kernel header per operator (int8 registrations
    /// where TFLM declares them).</summary>
    public static (string Call, string? Header) Registration(TfLiteOp op) => op switch
    {
        TfLiteOp.Conv2D => ("AddConv2D(tflite::Register_CONV_2D_INT8())", "tensorflow/lite/micro/kernels/conv.h"),
        TfLiteOp.DepthwiseConv2D => ("AddDepthwiseConv2D(tflite::Register_DEPTHWISE_CONV_2D_INT8())", "tensorflow/lite/micro/kernels/depthwise_conv.h"),
        TfLiteOp.FullyConnected => ("AddFullyConnected(tflite::Register_FULLY_CONNECTED_INT8())", "tensorflow/lite/micro/kernels/fully_connected.h"),
        TfLiteOp.Softmax => ("AddSoftmax(tflite::Register_SOFTMAX_INT8())", "tensorflow/lite/micro/kernels/softmax.h"),
        TfLiteOp.AveragePool2D => ("AddAveragePool2D(tflite::Register_AVERAGE_POOL_2D_INT8())", "tensorflow/lite/micro/kernels/pooling.h"),
        TfLiteOp.MaxPool2D => ("AddMaxPool2D(tflite::Register_MAX_POOL_2D_INT8())", "tensorflow/lite/micro/kernels/pooling.h"),
        TfLiteOp.Add => ("AddAdd(tflite::Register_ADD_INT8())", "tensorflow/lite/micro/kernels/add.h"),
        TfLiteOp.Mean => ("AddMean()", null),
        TfLiteOp.Pad => ("AddPad()", null),
        TfLiteOp.Reshape => ("AddReshape()", null),
        _ => throw new FirmwareException($"no TFLite Micro registration known for {TfLiteNames.Op((int)op)}"),
    };

    /// <summary>Recommended TFLM arena: the activations as TFLM's greedy planner lays them out
    /// (the same <see cref="ArenaPlanner"/>, without our in-place RESHAPE), plus TFLM's persistent
    /// allocations, estimated for a 64-bit host: 8 bytes per output channel of each convolution
    /// and fully connected layer (per-channel multiplier and shift), 64 bytes per tensor
    /// (TfLiteEvalTensor and TfLiteTensor bookkeeping), 256 bytes per operator (node, op data),
    /// and 2 KB of fixed interpreter state; rounded up to 1 KB. An estimate: check
    /// MicroInterpreter::arena_used_bytes() on the device.</summary>
    public static long ArenaEstimate(ModelGraph graph)
    {
        var noReuse = graph.Planned.Select(p => p with { ReuseOf = null }).ToList();
        long activations = ArenaPlanner.Plan(noReuse).ArenaBytes;
        var model = graph.Model;
        long perChannel = 0;
        foreach (var op in model.SubGraph.Operators)
        {
            var code = (TfLiteOp)model.CodeOf(op);
            if (code is TfLiteOp.Conv2D or TfLiteOp.DepthwiseConv2D or TfLiteOp.FullyConnected)
                perChannel += 8L * model.Tensor(op.Outputs[0]).Shape[^1];
        }
        long bookkeeping = 64L * model.SubGraph.Tensors.Count + 256L * model.SubGraph.Operators.Count + 2048;
        return ArenaPlanner.Align(activations + perChannel + bookkeeping, 1024);
    }

    internal static IEnumerable<(string, string)> Render(Dictionary<string, object> common, FirmwareRequest request,
        IReadOnlyList<string> labels, PreprocessSpec spec, FirmwareFigures figures)
    {
        string name = (string)common["Name"];
        var ops = figures.Operators.Count;
        var codes = request.Model.SubGraph.Operators.Select(o => (TfLiteOp)request.Model.CodeOf(o)).Distinct().OrderBy(o => (int)o).ToList();
        var model = new Dictionary<string, object>(common)
        {
            ["ModelDataHex"] = CArrays.Hex(request.ModelBytes),
            ["ModelBytes"] = request.ModelBytes.Length,
            ["ColorName"] = spec.Color == ColorMode.Gray ? "gray" : "RGB",
            ["InputIsGray"] = spec.Color == ColorMode.Gray ? "true" : "false",
            ["InputScale"] = ((string)common["InputScale"]) + "f",
            ["Labels"] = labels.Select(CArrays.StringLiteral).ToList(),
            ["TflmArenaSize"] = figures.TflmArenaBytes,
            ["ArenaNote"] = "Estimated: TFLM's greedy plan of the activations + per-channel quantization data + bookkeeping (see README.md).",
            ["OpCount"] = ops,
            ["Registrations"] = codes.Select(c => Registration(c).Call).ToList(),
            ["KernelHeaders"] = codes.Select(c => Registration(c).Header).OfType<string>().Distinct().ToList(),
        };
        yield return ($"{name}_model_data.h", TemplateRenderer.Render("model_data.h.hbs", model));
        yield return ($"{name}_model_data.cc", TemplateRenderer.Render("model_data.cc.hbs", model));
        yield return ($"{name}_model_settings.h", TemplateRenderer.Render("model_settings.h.hbs", model));
        yield return ($"{name}_model_settings.cc", TemplateRenderer.Render("model_settings.cc.hbs", model));
        yield return ($"{name}_op_resolver.h", TemplateRenderer.Render("op_resolver.h.hbs", model));
        yield return ($"{name}_main_functions.h", TemplateRenderer.Render("main_functions.h.hbs", model));
        yield return ($"{name}_main_functions.cc", TemplateRenderer.Render("main_functions.cc.hbs", model));
    }
}
