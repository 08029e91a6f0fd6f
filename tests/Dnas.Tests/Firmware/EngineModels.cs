using Dnas.Quantize;
using Dnas.TfLite;
using Dnas.Tests.Quantize;

namespace Dnas.Tests.Firmware;

/// <summary>Self-contained int8 models for the engine tests (fixed seeds).</summary>
internal static class EngineModels
{
    /// <summary>Our exported MobileNetV2 (the quantize stage's export of a small random network:
    /// blocks with and without expansion, kernels 3 and 5, strides 1 and 2, residual ADDs, MEAN,
    /// FULLY_CONNECTED, SOFTMAX) with its spec for the hardware model.</summary>
    public static (TfLiteModel Model, byte[] Bytes, FoldedGraph Folded) Exported(int channels, int resolution)
    {
        var (folded, q) = TfLiteExportTests.Quantize(channels, resolution);
        var bytes = TfLiteWriter.Write(TfLiteExport.Int8(q, TfLiteExportTests.Data(folded, channels), "firmware test"));
        return (TfLiteReader.Read(bytes), bytes, folded);
    }

    /// <summary>Operators the MobileNetV2 export does not use: PAD then a VALID stride-2
    /// depthwise, a depthwise with depth multiplier 2, AVERAGE_POOL_2D and MAX_POOL_2D with SAME
    /// padding, a RESHAPE whose input stays alive (a copy), FULLY_CONNECTED with RELU,
    /// SOFTMAX with beta 0.5.</summary>
    public static (TfLiteModel Model, byte[] Bytes) ExtraOps(ulong seed = 5)
    {
        var rng = new Dnas.Engine.Rng(seed);
        var b = new TfLiteModelBuilder("firmware extra ops");
        TfLiteQuantization Act(float scale, long zp) => new(scale, zp);
        sbyte[] Weights(int n) { var w = new sbyte[n]; for (int i = 0; i < n; i++) w[i] = (sbyte)(rng.NextInt(255) - 127); return w; }
        int[] Bias(int n) { var v = new int[n]; for (int i = 0; i < n; i++) v[i] = rng.NextInt(4001) - 2000; return v; }
        float[] Scales(int n, float s) { var v = new float[n]; for (int i = 0; i < n; i++) v[i] = s * (float)(0.5 + rng.NextDouble()); return v; }

        int input = b.AddTensor("input", [1, 20, 18, 3], TfLiteType.Int8, Act(1f / 128, 0));
        // stem 3x3 s1 SAME, 3 -> 6, RELU6
        int stem = b.AddTensor("stem", [1, 20, 18, 6], TfLiteType.Int8, Act(6f / 255, -128));
        b.AddOperator(TfLiteOp.Conv2D, [input, b.AddConstant("stem_w", [6, 3, 3, 3], Weights(162), new TfLiteQuantization(Scales(6, 0.02f / 127), new long[6], 0)),
            b.AddConstant("stem_b", [6], Bias(6))], [stem], new Conv2DOptions(TfLitePadding.Same, 1, 1, TfLiteActivation.Relu6));
        // PAD (1, 1) then a VALID stride-2 depthwise
        int padded = b.AddTensor("padded", [1, 22, 20, 6], TfLiteType.Int8, Act(6f / 255, -128));
        b.AddOperator(TfLiteOp.Pad, [stem, b.AddConstant("paddings", [4, 2], new[] { 0, 0, 1, 1, 1, 1, 0, 0 })], [padded], new PadOptions());
        int dw = b.AddTensor("dw_s2", [1, 10, 9, 6], TfLiteType.Int8, Act(0.05f, 3));
        b.AddOperator(TfLiteOp.DepthwiseConv2D, [padded, b.AddConstant("dw_w", [1, 3, 3, 6], Weights(54), new TfLiteQuantization(Scales(6, 0.3f / 127), new long[6], 3)),
            b.AddConstant("dw_b", [6], Bias(6))], [dw], new DepthwiseConv2DOptions(TfLitePadding.Valid, 2, 2, 1, TfLiteActivation.None));
        // depthwise with depth multiplier 2, RELU
        int dm2 = b.AddTensor("dw_dm2", [1, 10, 9, 12], TfLiteType.Int8, Act(0.04f, -128));
        b.AddOperator(TfLiteOp.DepthwiseConv2D, [dw, b.AddConstant("dm2_w", [1, 3, 3, 12], Weights(108), new TfLiteQuantization(Scales(12, 0.3f / 127), new long[12], 3)),
            b.AddConstant("dm2_b", [12], Bias(12))], [dm2], new DepthwiseConv2DOptions(TfLitePadding.Same, 1, 1, 2, TfLiteActivation.Relu));
        // pools
        int avg = b.AddTensor("avg", [1, 5, 5, 12], TfLiteType.Int8, Act(0.04f, -128));
        b.AddOperator(TfLiteOp.AveragePool2D, [dm2], [avg], new Pool2DOptions(TfLitePadding.Same, 2, 2, 3, 3));
        int max = b.AddTensor("max", [1, 5, 5, 12], TfLiteType.Int8, Act(0.04f, -128));
        b.AddOperator(TfLiteOp.MaxPool2D, [avg], [max], new Pool2DOptions(TfLitePadding.Same, 1, 1, 2, 2, TfLiteActivation.Relu6));
        // RESHAPE while 'max' is still needed by MEAN (a copy, not in place)
        int flat = b.AddTensor("flat", [1, 300], TfLiteType.Int8, Act(0.04f, -128));
        b.AddOperator(TfLiteOp.Reshape, [max, b.AddConstant("shape", [2], new[] { 1, 300 })], [flat], new ReshapeOptions([1, 300]));
        int mean = b.AddTensor("mean", [1, 1, 1, 12], TfLiteType.Int8, Act(0.03f, -100));
        b.AddOperator(TfLiteOp.Mean, [max, b.AddConstant("axes", [2], new[] { 1, 2 })], [mean], new ReducerOptions(true));
        int meanFlat = b.AddTensor("mean_flat", [1, 12], TfLiteType.Int8, Act(0.03f, -100));
        b.AddOperator(TfLiteOp.Reshape, [mean, b.AddConstant("shape2", [2], new[] { 1, 12 })], [meanFlat], new ReshapeOptions([1, 12]));
        int fc = b.AddTensor("fc", [1, 7], TfLiteType.Int8, Act(0.1f, -128));
        b.AddOperator(TfLiteOp.FullyConnected, [flat, b.AddConstant("fc_w", [7, 300], Weights(2100), new TfLiteQuantization(0.01f / 127, 0)),
            b.AddConstant("fc_b", [7], Bias(7))], [fc], new FullyConnectedOptions(TfLiteActivation.Relu));
        int fc2 = b.AddTensor("fc2", [1, 7], TfLiteType.Int8, Act(0.1f, 2));
        b.AddOperator(TfLiteOp.FullyConnected, [meanFlat, b.AddConstant("fc2_w", [7, 12], Weights(84), new TfLiteQuantization(0.5f / 127, 0)), -1],
            [fc2], new FullyConnectedOptions());
        int sum = b.AddTensor("sum", [1, 7], TfLiteType.Int8, new TfLiteQuantization(0.15f, -5));
        b.AddOperator(TfLiteOp.Add, [fc, fc2], [sum], new AddOptions(TfLiteActivation.None));
        int prob = b.AddTensor("prob", [1, 7], TfLiteType.Int8, new TfLiteQuantization(1f / 256, -128));
        b.AddOperator(TfLiteOp.Softmax, [sum], [prob], new SoftmaxOptions(0.5f));
        b.SetInputs(input).SetOutputs(prob);
        var bytes = TfLiteWriter.Write(b.Build());
        return (TfLiteReader.Read(bytes), bytes);
    }
}
