using Dnas.Int8;
using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.Int8;

/// <summary>The float32 kernels (for the exported float model) against plain double arithmetic.</summary>
public sealed class FloatKernelTests
{
    [Fact]
    public void FloatGraphMatchesDoubleReference()
    {
        var rng = new Random(9);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int s = 5, c = 3, m = 2, k = 3, classes = 3;
        var convW = R(c * 9 * c); var convB = R(c);
        var dwW = R(9 * c * m); var dwB = R(c * m);
        var fcW = R(classes * c * m); var fcB = R(classes);
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, s, s, c], TfLiteType.Float32);
        int cw = b.AddConstant("conv/w", [c, k, k, c], convW), cb = b.AddConstant("conv/b", [c], convB);
        int a1 = b.AddTensor("conv", [1, s, s, c], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.Conv2D, [x, cw, cb], [a1], new Conv2DOptions(TfLitePadding.Same, 1, 1, TfLiteActivation.Relu6));
        int a2 = b.AddTensor("add", [1, s, s, c], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.Add, [a1, x], [a2], new AddOptions());
        int dw = b.AddConstant("dw/w", [1, k, k, c * m], dwW), db = b.AddConstant("dw/b", [c * m], dwB);
        int a3 = b.AddTensor("dw", [1, 3, 3, c * m], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.DepthwiseConv2D, [a2, dw, db], [a3], new DepthwiseConv2DOptions(TfLitePadding.Same, 2, 2, m));
        int axes = b.AddConstant("axes", [2], [1, 2]);
        int a4 = b.AddTensor("mean", [1, c * m], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.Mean, [a3, axes], [a4], new ReducerOptions());
        int fw = b.AddConstant("fc/w", [classes, c * m], fcW), fb = b.AddConstant("fc/b", [classes], fcB);
        int a5 = b.AddTensor("fc", [1, classes], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.FullyConnected, [a4, fw, fb], [a5], new FullyConnectedOptions());
        int y = b.AddTensor("softmax", [1, classes], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.Softmax, [a5], [y], new SoftmaxOptions(1f));
        b.SetInputs(x).SetOutputs(y);
        var model = TfLiteReader.Read(TfLiteWriter.Write(b.Build()));
        Assert.All(model.OperatorCodes, code => Assert.Equal(1, code.Version));
        var interpreter = new Int8Interpreter(model);
        var input = R(s * s * c);
        input.CopyTo(interpreter.InputFloat());
        interpreter.Invoke();

        // Double reference.
        double In(double[] t, int size, int ch, int yy, int xx, int cc) => yy < 0 || xx < 0 || yy >= size || xx >= size ? 0 : t[(yy * size + xx) * ch + cc];
        var xd = input.Select(v => (double)v).ToArray();
        var add = new double[s * s * c];
        for (int yy = 0; yy < s; yy++)
            for (int xx = 0; xx < s; xx++)
                for (int o = 0; o < c; o++)
                {
                    double acc = convB[o];
                    for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) for (int i = 0; i < c; i++)
                        acc += In(xd, s, c, yy + ky - 1, xx + kx - 1, i) * convW[((o * k + ky) * k + kx) * c + i];
                    add[(yy * s + xx) * c + o] = Math.Clamp(acc, 0, 6) + xd[(yy * s + xx) * c + o];
                }
        var mean = new double[c * m];
        for (int yy = 0; yy < 3; yy++)
            for (int xx = 0; xx < 3; xx++)
                for (int o = 0; o < c * m; o++)
                {
                    double acc = dwB[o];
                    for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++)
                        acc += In(add, s, c, yy * 2 + ky - 1, xx * 2 + kx - 1, o / m) * dwW[(ky * k + kx) * c * m + o];
                    mean[o] += acc / 9;
                }
        var logits = Enumerable.Range(0, classes).Select(o => fcB[o] + Enumerable.Range(0, c * m).Sum(i => mean[i] * fcW[o * c * m + i])).ToArray();
        double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
        var expected = logits.Select(l => Math.Exp(l - max) / sum).ToArray();
        var got = interpreter.OutputFloat().ToArray();
        for (int i = 0; i < classes; i++) Assert.Equal(expected[i], got[i], 5);
    }
}
