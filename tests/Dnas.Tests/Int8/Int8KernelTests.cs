using Dnas.Int8;
using Dnas.Tests.TfLite;
using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.Int8;

/// <summary>Each int8 kernel alone against a plain double-precision computation on the
/// dequantized values, quantized with round-to-nearest: the fixed-point kernels may differ by
/// the one unit their double rounding allows, never more. Data movement ops must be exact.</summary>
public sealed class Int8KernelTests
{
    private static readonly TfLiteQuantization InQ = new(0.05f, 3), OutQ = new(0.11f, -7);

    private static sbyte[] RandomInt8(Random rng, long n) => Enumerable.Range(0, (int)n).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray();

    private static double Deq(sbyte q, TfLiteQuantization p) => p.Scale[0] * (q - p.ZeroPoint[0]);

    private static int Quant(double v, TfLiteQuantization p, double lo = double.NegativeInfinity, double hi = double.PositiveInfinity) =>
        (int)Math.Clamp(Math.Round(Math.Clamp(v, lo, hi) / p.Scale[0], MidpointRounding.AwayFromZero) + p.ZeroPoint[0], -128, 127);

    private static void AssertClose(int[] expected, sbyte[] actual, int tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0, at = -1;
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > worst) (worst, at) = (Math.Abs(expected[i] - actual[i]), i);
        Assert.True(worst <= tolerance, $"{what}: element {at} is {(at >= 0 ? actual[at] : 0)}, the double reference gives {(at >= 0 ? expected[at] : 0)}");
    }

    private static sbyte[] Run(TfLiteModel model, params sbyte[][] inputs)
    {
        var interpreter = new Int8Interpreter(TfLiteReader.Read(TfLiteWriter.Write(model)));
        for (int i = 0; i < inputs.Length; i++) inputs[i].CopyTo(interpreter.InputInt8(i));
        interpreter.Invoke();
        return interpreter.OutputInt8().ToArray();
    }

    [Theory]
    [InlineData(7, 5, 6, 3, 1, TfLitePadding.Same, TfLiteActivation.None)]
    [InlineData(8, 3, 4, 3, 2, TfLitePadding.Same, TfLiteActivation.Relu6)]
    [InlineData(9, 4, 3, 3, 2, TfLitePadding.Valid, TfLiteActivation.Relu)]
    [InlineData(5, 16, 17, 1, 1, TfLitePadding.Valid, TfLiteActivation.None)]
    public void ConvMatchesDoubleReference(int size, int inC, int outC, int k, int stride, TfLitePadding padding, TfLiteActivation act)
    {
        var rng = new Random(size * 100 + inC);
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, size, size, inC], TfLiteType.Int8, InQ);
        var ws = Enumerable.Range(0, outC).Select(_ => 0.002f + 0.02f * (float)rng.NextDouble()).ToArray();
        var w = TfLiteTestModels.Weights(rng, outC * k * k * inC);
        var bias = TfLiteTestModels.Biases(rng, outC, 5000);
        int wt = b.AddConstant("w", [outC, k, k, inC], w, new TfLiteQuantization(ws, new long[outC], 0));
        int bt = b.AddConstant("b", [outC], bias, new TfLiteQuantization(ws.Select(s => 0.05f * s).ToArray(), new long[outC], 0));
        int outSize = padding == TfLitePadding.Same ? (size + stride - 1) / stride : (size - k + stride) / stride;
        var outQ = act == TfLiteActivation.Relu6 ? new TfLiteQuantization(6f / 255, -128) : OutQ;
        int y = b.AddTensor("y", [1, outSize, outSize, outC], TfLiteType.Int8, outQ);
        b.AddOperator(TfLiteOp.Conv2D, [x, wt, bt], [y], new Conv2DOptions(padding, stride, stride, act)).SetInputs(x).SetOutputs(y);
        var input = RandomInt8(rng, size * size * inC);
        var got = Run(b.Build(), input);

        int pad = padding == TfLitePadding.Same ? Math.Max(0, ((outSize - 1) * stride + k - size) / 2) : 0;
        var (lo, hi) = act switch { TfLiteActivation.Relu6 => (0.0, 6.0), TfLiteActivation.Relu => (0.0, double.PositiveInfinity), _ => (double.NegativeInfinity, double.PositiveInfinity) };
        var expected = new int[outSize * outSize * outC];
        for (int oy = 0; oy < outSize; oy++)
            for (int ox = 0; ox < outSize; ox++)
                for (int oc = 0; oc < outC; oc++)
                {
                    double acc = bias[oc] * 0.05 * ws[oc];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy < 0 || ix < 0 || iy >= size || ix >= size) continue;
                            for (int ic = 0; ic < inC; ic++)
                                acc += Deq(input[(iy * size + ix) * inC + ic], InQ) * ws[oc] * w[((oc * k + ky) * k + kx) * inC + ic];
                        }
                    expected[(oy * outSize + ox) * outC + oc] = Quant(acc, outQ, lo, hi);
                }
        AssertClose(expected, got, 1, "CONV_2D");
    }

    [Theory]
    [InlineData(7, 4, 1, 1, TfLitePadding.Same)]
    [InlineData(8, 3, 2, 2, TfLitePadding.Same)]
    [InlineData(9, 1, 8, 2, TfLitePadding.Valid)]
    public void DepthwiseMatchesDoubleReference(int size, int inC, int multiplier, int stride, TfLitePadding padding)
    {
        var rng = new Random(size * 10 + multiplier);
        int outC = inC * multiplier, k = 3;
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, size, size, inC], TfLiteType.Int8, InQ);
        var ws = Enumerable.Range(0, outC).Select(_ => 0.002f + 0.02f * (float)rng.NextDouble()).ToArray();
        var w = TfLiteTestModels.Weights(rng, k * k * outC);
        var bias = TfLiteTestModels.Biases(rng, outC, 5000);
        int wt = b.AddConstant("w", [1, k, k, outC], w, new TfLiteQuantization(ws, new long[outC], 3));
        int bt = b.AddConstant("b", [outC], bias, new TfLiteQuantization(ws.Select(s => 0.05f * s).ToArray(), new long[outC], 0));
        int outSize = padding == TfLitePadding.Same ? (size + stride - 1) / stride : (size - k + stride) / stride;
        int y = b.AddTensor("y", [1, outSize, outSize, outC], TfLiteType.Int8, OutQ);
        b.AddOperator(TfLiteOp.DepthwiseConv2D, [x, wt, bt], [y], new DepthwiseConv2DOptions(padding, stride, stride, multiplier)).SetInputs(x).SetOutputs(y);
        var input = RandomInt8(rng, size * size * inC);
        var got = Run(b.Build(), input);
        int pad = padding == TfLitePadding.Same ? Math.Max(0, ((outSize - 1) * stride + k - size) / 2) : 0;
        var expected = new int[outSize * outSize * outC];
        for (int oy = 0; oy < outSize; oy++)
            for (int ox = 0; ox < outSize; ox++)
                for (int oc = 0; oc < outC; oc++)
                {
                    double acc = bias[oc] * 0.05 * ws[oc];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy < 0 || ix < 0 || iy >= size || ix >= size) continue;
                            acc += Deq(input[(iy * size + ix) * inC + oc / multiplier], InQ) * ws[oc] * w[(ky * k + kx) * outC + oc];
                        }
                    expected[(oy * outSize + ox) * outC + oc] = Quant(acc, OutQ);
                }
        AssertClose(expected, got, 1, "DEPTHWISE_CONV_2D");
    }

    [Fact]
    public void FullyConnectedMatchesDoubleReference()
    {
        var rng = new Random(3);
        int inD = 37, outD = 11;
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [2, inD], TfLiteType.Int8, InQ);
        var w = TfLiteTestModels.Weights(rng, outD * inD);
        var bias = TfLiteTestModels.Biases(rng, outD, 3000);
        int wt = b.AddConstant("w", [outD, inD], w, new TfLiteQuantization(0.01f, 0));
        int bt = b.AddConstant("b", [outD], bias, new TfLiteQuantization(0.05f * 0.01f, 0));
        int y = b.AddTensor("y", [2, outD], TfLiteType.Int8, OutQ);
        b.AddOperator(TfLiteOp.FullyConnected, [x, wt, bt], [y], new FullyConnectedOptions()).SetInputs(x).SetOutputs(y);
        var input = RandomInt8(rng, 2 * inD);
        var got = Run(b.Build(), input);
        var expected = new int[2 * outD];
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < outD; o++)
            {
                double acc = bias[o] * 0.05 * 0.01f;
                for (int i = 0; i < inD; i++) acc += Deq(input[n * inD + i], InQ) * 0.01f * w[o * inD + i];
                expected[n * outD + o] = Quant(acc, OutQ);
            }
        AssertClose(expected, got, 1, "FULLY_CONNECTED");
    }

    [Fact]
    public void AddMatchesDoubleReference()
    {
        var rng = new Random(4);
        var q2 = new TfLiteQuantization(0.031f, -20);
        var b = new TfLiteModelBuilder();
        int x1 = b.AddTensor("x1", [1, 4, 4, 9], TfLiteType.Int8, InQ);
        int x2 = b.AddTensor("x2", [1, 4, 4, 9], TfLiteType.Int8, q2);
        int y = b.AddTensor("y", [1, 4, 4, 9], TfLiteType.Int8, OutQ);
        b.AddOperator(TfLiteOp.Add, [x1, x2], [y], new AddOptions()).SetInputs(x1, x2).SetOutputs(y);
        var (a, c) = (RandomInt8(rng, 144), RandomInt8(rng, 144));
        var got = Run(b.Build(), a, c);
        AssertClose(a.Select((v, i) => Quant(Deq(v, InQ) + Deq(c[i], q2), OutQ)).ToArray(), got, 1, "ADD");
    }

    [Theory]
    [InlineData(false, TfLitePadding.Same)]
    [InlineData(false, TfLitePadding.Valid)]
    [InlineData(true, TfLitePadding.Same)]
    public void PoolingMatchesReference(bool max, TfLitePadding padding)
    {
        var rng = new Random(6);
        int size = 7, ch = 5, k = 3, s = 2;
        int outSize = padding == TfLitePadding.Same ? 4 : 3;
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, size, size, ch], TfLiteType.Int8, InQ);
        int y = b.AddTensor("y", [1, outSize, outSize, ch], TfLiteType.Int8, InQ);
        b.AddOperator(max ? TfLiteOp.MaxPool2D : TfLiteOp.AveragePool2D, [x], [y], new Pool2DOptions(padding, s, s, k, k)).SetInputs(x).SetOutputs(y);
        var input = RandomInt8(rng, size * size * ch);
        var got = Run(b.Build(), input);
        int pad = padding == TfLitePadding.Same ? ((outSize - 1) * s + k - size) / 2 : 0;
        var expected = new int[outSize * outSize * ch];
        for (int oy = 0; oy < outSize; oy++)
            for (int ox = 0; ox < outSize; ox++)
                for (int c = 0; c < ch; c++)
                {
                    var values = new List<int>();
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                            if (iy >= 0 && ix >= 0 && iy < size && ix < size) values.Add(input[(iy * size + ix) * ch + c]);
                        }
                    expected[(oy * outSize + ox) * ch + c] = max ? values.Max() : (int)Math.Round(values.Average(), MidpointRounding.AwayFromZero);
                }
        AssertClose(expected, got, 0, max ? "MAX_POOL_2D" : "AVERAGE_POOL_2D");
    }

    [Theory]
    [InlineData(7, 0.05f, 3)]
    [InlineData(4, 0.02f, -30)]
    public void MeanMatchesDoubleReference(int size, float outScale, long outZp)
    {
        var rng = new Random(size);
        var outQ = new TfLiteQuantization(outScale, outZp);
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, size, size, 6], TfLiteType.Int8, InQ);
        int axes = b.AddConstant("axes", [2], [1, 2]);
        int y = b.AddTensor("y", [1, 6], TfLiteType.Int8, outQ);
        b.AddOperator(TfLiteOp.Mean, [x, axes], [y], new ReducerOptions()).SetInputs(x).SetOutputs(y);
        var input = RandomInt8(rng, size * size * 6);
        var got = Run(b.Build(), input);
        var expected = Enumerable.Range(0, 6).Select(c =>
            Quant(Enumerable.Range(0, size * size).Average(i => Deq(input[i * 6 + c], InQ)), outQ)).ToArray();
        AssertClose(expected, got, 1, "MEAN");
    }

    [Theory]
    [InlineData(0.05f)]
    [InlineData(0.2f)]
    [InlineData(0.004f)]
    public void SoftmaxMatchesDoubleReference(float inScale)
    {
        var rng = new Random(7);
        var inQ = new TfLiteQuantization(inScale, 5);
        var outQ = new TfLiteQuantization(1f / 256, -128);
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [3, 10], TfLiteType.Int8, inQ);
        int y = b.AddTensor("y", [3, 10], TfLiteType.Int8, outQ);
        b.AddOperator(TfLiteOp.Softmax, [x], [y], new SoftmaxOptions(1f)).SetInputs(x).SetOutputs(y);
        var input = RandomInt8(rng, 30);
        var got = Run(b.Build(), input);
        var expected = new int[30];
        for (int r = 0; r < 3; r++)
        {
            var v = Enumerable.Range(0, 10).Select(i => Deq(input[r * 10 + i], inQ)).ToArray();
            double max = v.Max(), sum = v.Sum(e => Math.Exp(e - max));
            for (int i = 0; i < 10; i++) expected[r * 10 + i] = Quant(Math.Exp(v[i] - max) / sum, outQ);
        }
        AssertClose(expected, got, 1, "SOFTMAX");
    }

    [Fact]
    public void PadReshapeQuantizeDequantizeAreExact()
    {
        var rng = new Random(8);
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, 3, 2, 2], TfLiteType.Float32);
        int q = b.AddTensor("q", [1, 3, 2, 2], TfLiteType.Int8, InQ);
        int paddings = b.AddConstant("paddings", [4, 2], [0, 0, 1, 0, 0, 2, 0, 1]);
        int p = b.AddTensor("p", [1, 4, 4, 3], TfLiteType.Int8, InQ);
        int shape = b.AddConstant("shape", [2], [1, 48]);
        int r = b.AddTensor("r", [1, 48], TfLiteType.Int8, InQ);
        int d = b.AddTensor("d", [1, 48], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.Quantize, [x], [q]);
        b.AddOperator(TfLiteOp.Pad, [q, paddings], [p]);
        b.AddOperator(TfLiteOp.Reshape, [p, shape], [r], new ReshapeOptions([1, 48]));
        b.AddOperator(TfLiteOp.Dequantize, [r], [d]);
        b.SetInputs(x).SetOutputs(d);
        var interpreter = new Int8Interpreter(b.Build());
        var input = Enumerable.Range(0, 12).Select(_ => (float)(rng.NextDouble() * 14 - 7)).ToArray();
        input[0] = 0.025f * 3; // a tie: 1.5 units rounds away from zero
        input.CopyTo(interpreter.InputFloat());
        interpreter.Invoke();
        var output = interpreter.OutputFloat().ToArray();
        for (int y = 0; y < 4; y++)
            for (int xx = 0; xx < 4; xx++)
                for (int c = 0; c < 3; c++)
                {
                    bool inside = y >= 1 && xx < 2 && c < 2;
                    double expected = inside
                        ? 0.05f * (Math.Clamp(Math.Round(input[((y - 1) * 2 + xx) * 2 + c] / 0.05f, MidpointRounding.AwayFromZero) + 3, -128, 127) - 3)
                        : 0;
                    Assert.Equal(expected, output[(y * 4 + xx) * 3 + c], 5);
                }
    }

    [Fact]
    public void UnsupportedOperatorNamesIndexAndCode()
    {
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, 4], TfLiteType.Int8, InQ);
        int y = b.AddTensor("y", [4, 1], TfLiteType.Int8, InQ);
        int perm = b.AddConstant("perm", [2], [1, 0]);
        b.AddOperator(TfLiteOp.Transpose, [x, perm], [y]).SetInputs(x).SetOutputs(y);
        var e = Assert.Throws<Int8ModelException>(() => new Int8Interpreter(b.Build()));
        Assert.Contains("operator 0 (TRANSPOSE, code 39)", e.Message);
    }

    [Fact]
    public void MemoryPlanReusesDeadTensorsAndEvalDoesNotAllocate()
    {
        var model = TfLiteTestModels.SmallInt8Net(11, size: 16, width: 16);
        var plan = Int8Interpreter.PlanMemory(model);
        var g = model.SubGraph;
        long sumOfActivations = Enumerable.Range(0, g.Tensors.Count).Where(t => plan.Offsets[t] >= 0).Sum(t => (g.Tensors[t].Bytes + 15) / 16 * 16);
        Assert.True(plan.ArenaBytes < sumOfActivations, $"arena {plan.ArenaBytes} is not smaller than all activations ({sumOfActivations})");
        // Tensors read or written by one operator never share bytes.
        foreach (var op in g.Operators)
        {
            var live = op.Inputs.Concat(op.Outputs).Where(t => t >= 0 && plan.Offsets[t] >= 0).ToList();
            foreach (int a in live)
                foreach (int c in live.Where(c => c > a))
                    Assert.False(plan.Offsets[a] < plan.Offsets[c] + g.Tensors[c].Bytes && plan.Offsets[c] < plan.Offsets[a] + g.Tensors[a].Bytes,
                        $"tensors '{g.Tensors[a].Name}' and '{g.Tensors[c].Name}' overlap");
        }
        var interpreter = new Int8Interpreter(model);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) interpreter.Invoke();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
