using Dnas.Hardware;

namespace Dnas.Quantize;

/// <summary>Post-training int8 quantization of a folded graph from calibrated ranges, per the
/// TFLite int8 spec (docs/TFLITE.md):
/// <list type="bullet">
/// <item>input: 1/255, −128 (uint8 pixel p ↦ int8 p − 128, the training input p/255);</item>
/// <item>convolution and ADD outputs, logits: asymmetric from the calibrated range. For a fused
/// ReLU6 output the calibrated range lies inside [0, 6] and is used as it is (zero point −128):
/// converters give 6/255, which wastes levels when the layer never reaches 6; the kernel's
/// RELU6 clamp then saturates at 127, the top of the calibrated range, which is what the
/// calibration saw anyway;</item>
/// <item>MEAN: output parameters equal to its input's (an average stays in its input's range);</item>
/// <item>SOFTMAX output: exactly 1/256, −128;</item>
/// <item>weights: symmetric [−127, 127], per output channel for CONV_2D (dim 0) and
/// DEPTHWISE_CONV_2D (dim 3), per tensor for FULLY_CONNECTED; biases int32 with scale
/// input_scale · weight_scale[c].</item>
/// </list></summary>
public static class Quantizer
{
    public static QuantizedGraph Quantize(FoldedGraph model, IReadOnlyList<TensorRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ranges);
        var g = model.Graph;
        if (ranges.Count != g.Tensors.Count)
            throw new ArgumentException($"{ranges.Count} calibrated ranges for {g.Tensors.Count} tensors", nameof(ranges));
        var p = new QuantParams[g.Tensors.Count];
        p[g.InputTensor] = QuantParams.Input;
        var ops = new List<QuantizedOp>(model.Ops.Count);
        foreach (var op in model.Ops)
        {
            p[op.Output] = op.Kind switch
            {
                OpKind.Mean => p[op.Op.Inputs[0]],
                OpKind.Softmax => QuantParams.Softmax,
                _ => QuantParams.FromRange(ranges[op.Output]),
            };
            if (op.Weights.Length > 0) ops.Add(QuantizeConstants(op, p[op.Op.Inputs[0]].Scale));
            else ops.Add(new QuantizedOp(op, [], [], [], []));
        }
        return new QuantizedGraph(model, p, ranges.ToArray(), ops);
    }

    private static QuantizedOp QuantizeConstants(FoldedOp op, float inputScale)
    {
        int outCh = op.OutChannels;
        bool perTensor = op.Kind == OpKind.FullyConnected;
        bool depthwise = op.Kind == OpKind.Depthwise;
        var w = op.Weights;
        int per = w.Length / outCh;
        // Channel of weight i: innermost for [1,K,K,C], outermost for [O,K,K,I] and [O,I].
        int ChannelOf(int i) => perTensor ? 0 : depthwise ? i % outCh : i / per;
        var maxAbs = new float[perTensor ? 1 : outCh];
        for (int i = 0; i < w.Length; i++)
        {
            if (!float.IsFinite(w[i])) throw new InvalidDataException($"quantize: op '{op.Name}' has a non-finite weight at {i}; the weights are broken, fine-tune again");
            int c = ChannelOf(i);
            maxAbs[c] = Math.Max(maxAbs[c], Math.Abs(w[i]));
        }
        // An all-zero channel keeps scale 1 (its weights quantize to 0 either way); TFLite needs positive scales.
        var scales = new float[maxAbs.Length];
        for (int c = 0; c < scales.Length; c++) scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        var q = new sbyte[w.Length];
        for (int i = 0; i < w.Length; i++)
            q[i] = (sbyte)Math.Clamp(Math.Round(w[i] / (double)scales[ChannelOf(i)], MidpointRounding.AwayFromZero), -127, 127);
        var bias = new int[outCh];
        var biasScales = new float[outCh];
        for (int c = 0; c < outCh; c++)
        {
            float s = inputScale * scales[perTensor ? 0 : c];
            biasScales[c] = s;
            double b = Math.Round(op.Bias[c] / (double)s, MidpointRounding.AwayFromZero);
            if (!(b >= int.MinValue && b <= int.MaxValue))
                throw new InvalidDataException($"quantize: bias {c} of op '{op.Name}' ({op.Bias[c]}) does not fit int32 at scale {s}; the layer's input range or weights are degenerate");
            bias[c] = (int)b;
        }
        return new QuantizedOp(op, q, scales, bias, biasScales);
    }
}
