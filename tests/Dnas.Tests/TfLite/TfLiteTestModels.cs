using Dnas.TfLite;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.TfLite;

/// <summary>Models built in code (fixed seeds) and the shared real models.</summary>
internal static class TfLiteTestModels
{
    public static string SharedModel(string name) => SharedAssets.Path("models", name);

    public static string SharedData(string name) => SharedAssets.Path("data", name);

    public static readonly string[] RealModels =
        ["person_detect.tflite", "hello_world_int8.tflite", "vww_96_int8.tflite", "vww_96_float.tflite", "mobilenet_v2_quantized_1x3x224x224.tflite"];

    public static sbyte[] Weights(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();

    public static int[] Biases(Random rng, int count, int range) =>
        Enumerable.Range(0, count).Select(_ => rng.Next(-range, range + 1)).ToArray();

    private static float[] Scales(Random rng, int count, float lo, float hi) =>
        Enumerable.Range(0, count).Select(_ => lo + (hi - lo) * (float)rng.NextDouble()).ToArray();

    private static int PerChannelBias(TfLiteModelBuilder b, Random rng, string name, float inScale, float[] wScales) =>
        b.AddConstant(name, [wScales.Length], Biases(rng, wScales.Length, 3000),
            new TfLiteQuantization(wScales.Select(s => inScale * s).ToArray(), new long[wScales.Length], 0));

    /// <summary>A small int8 graph with every op kind of a MobileNetV2 (conv 3x3/2 + ReLU6, depthwise
    /// 3x3 + ReLU6, 1x1 projection, residual ADD, MEAN, FULLY_CONNECTED, SOFTMAX), random weights.
    /// Input [1, size, size, channels].</summary>
    public static TfLiteModel SmallInt8Net(int seed, int size = 8, int channels = 3, int width = 8, int classes = 4,
        TfLiteDataConfig? config = null)
    {
        var rng = new Random(seed);
        var b = new TfLiteModelBuilder("test net " + seed);
        float inScale = 1f / 128;
        int x = b.AddTensor("input", [1, size, size, channels], TfLiteType.Int8, new TfLiteQuantization(inScale, -1));
        int half = (size + 1) / 2;
        float relu6 = 6f / 255;

        var w1s = Scales(rng, width, 0.002f, 0.01f);
        int w1 = b.AddConstant("stem/weights", [width, 3, 3, channels], Weights(rng, width * 9 * channels), new TfLiteQuantization(w1s, new long[width], 0));
        int b1 = PerChannelBias(b, rng, "stem/bias", inScale, w1s);
        int a1 = b.AddTensor("stem/relu6", [1, half, half, width], TfLiteType.Int8, new TfLiteQuantization(relu6, -128));
        b.AddOperator(TfLiteOp.Conv2D, [x, w1, b1], [a1], new Conv2DOptions(TfLitePadding.Same, 2, 2, TfLiteActivation.Relu6));

        var w2s = Scales(rng, width, 0.005f, 0.02f);
        int w2 = b.AddConstant("dw/weights", [1, 3, 3, width], Weights(rng, 9 * width), new TfLiteQuantization(w2s, new long[width], 3));
        int b2 = PerChannelBias(b, rng, "dw/bias", relu6, w2s);
        int a2 = b.AddTensor("dw/relu6", [1, half, half, width], TfLiteType.Int8, new TfLiteQuantization(relu6, -128));
        b.AddOperator(TfLiteOp.DepthwiseConv2D, [a1, w2, b2], [a2], new DepthwiseConv2DOptions(TfLitePadding.Same, 1, 1, 1, TfLiteActivation.Relu6));

        var w3s = Scales(rng, width, 0.002f, 0.006f);
        int w3 = b.AddConstant("project/weights", [width, 1, 1, width], Weights(rng, width * width), new TfLiteQuantization(w3s, new long[width], 0));
        int b3 = PerChannelBias(b, rng, "project/bias", relu6, w3s);
        int a3 = b.AddTensor("project/out", [1, half, half, width], TfLiteType.Int8, new TfLiteQuantization(0.03f, 5));
        b.AddOperator(TfLiteOp.Conv2D, [a2, w3, b3], [a3], new Conv2DOptions(TfLitePadding.Valid, 1, 1));

        int a4 = b.AddTensor("add", [1, half, half, width], TfLiteType.Int8, new TfLiteQuantization(0.05f, -20));
        b.AddOperator(TfLiteOp.Add, [a3, a1], [a4], new AddOptions());

        int axes = b.AddConstant("mean/axes", [2], [1, 2]);
        int a5 = b.AddTensor("mean", [1, width], TfLiteType.Int8, new TfLiteQuantization(0.02f, -30));
        b.AddOperator(TfLiteOp.Mean, [a4, axes], [a5], new ReducerOptions(false));

        float w6s = 0.01f;
        int w6 = b.AddConstant("fc/weights", [classes, width], Weights(rng, classes * width), new TfLiteQuantization(w6s, 0));
        int b6 = b.AddConstant("fc/bias", [classes], Biases(rng, classes, 2000), new TfLiteQuantization(0.02f * w6s, 0));
        int a6 = b.AddTensor("logits", [1, classes], TfLiteType.Int8, new TfLiteQuantization(0.08f, 3));
        b.AddOperator(TfLiteOp.FullyConnected, [a5, w6, b6], [a6], new FullyConnectedOptions());

        int y = b.AddTensor("softmax", [1, classes], TfLiteType.Int8, new TfLiteQuantization(1f / 256, -128));
        b.AddOperator(TfLiteOp.Softmax, [a6], [y], new SoftmaxOptions(1f));
        b.SetInputs(x).SetOutputs(y);
        if (config != null) b.SetDataConfig(config);
        return b.Build();
    }
}
