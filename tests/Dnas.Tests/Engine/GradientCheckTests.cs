using Dnas.Engine;
using Dnas.Engine.Reference;
using Xunit;
using static Dnas.Tests.Engine.GradCheck;

namespace Dnas.Tests.Engine;

/// <summary>Every op's backward against finite differences of its forward, in double
/// (the generic reference kernels instantiated at double). The fast float kernels are then
/// held to these references by the kernel tests.</summary>
public class GradientCheckTests
{
    [Theory]
    [InlineData(2, 7, 5, 3, 4, 3, 2)] // the stem: 3x3 stride 2, 3 channels, odd sizes
    [InlineData(1, 6, 6, 1, 5, 3, 2)] // gray stem, even size (SAME pads bottom/right only)
    [InlineData(2, 5, 4, 3, 2, 1, 1)] // 1x1
    [InlineData(1, 5, 7, 2, 3, 5, 1)]
    public void Conv(int n, int h, int w, int ci, int co, int k, int s)
    {
        int oh = Padding.SameOutput(h, s), ow = Padding.SameOutput(w, s);
        var x = Random(n * h * w * ci, 1); var wt = Random(co * k * k * ci, 2); var r = Random(n * oh * ow * co, 3);
        var y = new double[r.Length];
        double L() { ConvReference.Forward<double>(x, wt, y, n, h, w, ci, co, k, s); return Dot(y, r); }
        var dx = new double[x.Length]; var dw = new double[wt.Length];
        ConvReference.BackwardInput<double>(r, wt, dx, n, h, w, ci, co, k, s);
        ConvReference.BackwardWeight<double>(r, x, dw, n, h, w, ci, co, k, s);
        Check("conv dx", x, dx, L);
        Check("conv dw", wt, dw, L);
    }

    [Theory]
    [InlineData(2, 7, 5, 3, 3, 1)]
    [InlineData(1, 8, 8, 5, 3, 2)]
    [InlineData(1, 9, 7, 2, 5, 2)]
    [InlineData(2, 5, 6, 3, 7, 1)]
    public void Depthwise(int n, int h, int w, int c, int k, int s)
    {
        int oh = Padding.SameOutput(h, s), ow = Padding.SameOutput(w, s);
        var x = Random(n * h * w * c, 4); var wt = Random(k * k * c, 5); var r = Random(n * oh * ow * c, 6);
        var y = new double[r.Length];
        double L() { DepthwiseReference.Forward<double>(x, wt, y, n, h, w, c, k, s); return Dot(y, r); }
        var dx = new double[x.Length]; var dw = new double[wt.Length];
        DepthwiseReference.BackwardInput<double>(r, wt, dx, n, h, w, c, k, s);
        DepthwiseReference.BackwardWeight<double>(r, x, dw, n, h, w, c, k, s);
        Check("dw dx", x, dx, L);
        Check("dw dw", wt, dw, L);
    }

    [Fact]
    public void MatMulPair()
    {
        // C = A·Bᵀ (forward), dA = dC·B (NN), dB = dCᵀ·A (TN): the 1x1 conv and linear layers.
        int m = 7, n = 5, k = 3;
        var a = Random(m * k, 7); var b = Random(n * k, 8); var r = Random(m * n, 9);
        var c = new double[m * n];
        double L() { GemmReference.MatMulNT<double>(a, b, c, m, n, k, false); return Dot(c, r); }
        var da = new double[a.Length]; var db = new double[b.Length];
        GemmReference.MatMulNN<double>(r, b, da, m, k, n, false);
        GemmReference.MatMulTN<double>(r, a, db, n, k, m, false);
        Check("gemm dA", a, da, L);
        Check("gemm dB", b, db, L);
    }

    [Theory]
    [InlineData(12, 5)]
    [InlineData(3, 17)]
    public void BatchNormTraining(int p, int c)
    {
        var x = Random(p * c, 10, -2, 3); var g = Random(c, 11, 0.5, 1.5); var be = Random(c, 12); var r = Random(p * c, 13);
        var y = new double[p * c]; var mean = new double[c]; var inv = new double[c];
        var rm = new double[c]; var rv = new double[c];
        double L() { BatchNormReference.ForwardTrain<double>(x, y, p, c, g, be, mean, inv, rm, rv, 0.1, 1e-5); return Dot(y, r); }
        L();
        var dx = new double[x.Length]; var dg = new double[c]; var db = new double[c];
        BatchNormReference.Backward<double>(r, x, dx, p, c, g, mean, inv, dg, db);
        Check("bn dx", x, dx, L);
        Check("bn dgamma", g, dg, L);
        Check("bn dbeta", be, db, L);
    }

    [Fact]
    public void Relu6AndPooling()
    {
        // Inputs kept away from the kinks at 0 and 6, where the derivative is undefined.
        var x = Random(60, 14, -3, 9);
        for (int i = 0; i < x.Length; i++) if (Math.Abs(x[i]) < 0.01 || Math.Abs(x[i] - 6) < 0.01) x[i] += 0.05;
        var r = Random(60, 15); var y = new double[60];
        double L() { ElementwiseReference.Relu6Forward<double>(x, y); return Dot(y, r); }
        L();
        var dx = new double[60];
        ElementwiseReference.Relu6Backward<double>(r, y, dx);
        Check("relu6", x, dx, L);

        int n = 2, hw = 6, c = 5;
        var xp = Random(n * hw * c, 16); var rp = Random(n * c, 17); var yp = new double[n * c];
        double Lp() { ElementwiseReference.GlobalAvgPoolForward<double>(xp, yp, n, hw, c); return Dot(yp, rp); }
        var dxp = new double[xp.Length];
        ElementwiseReference.GlobalAvgPoolBackward<double>(rp, dxp, n, hw, c);
        Check("avgpool", xp, dxp, Lp);
    }

    [Fact]
    public void Losses()
    {
        // The engine's losses are float32 with double inside; checked here with a looser
        // tolerance suited to float inputs (step 1e-3 on values of order 1).
        int n = 3, k = 4;
        var z = new float[] { 0.5f, -1f, 2f, 0.1f, 1f, 1f, -0.5f, 0.3f, -2f, 0.7f, 0.2f, 1.5f };
        int[] labels = [2, 0, 3];
        var teacher = new float[] { 1f, 0f, -1f, 2f, 0.3f, -0.2f, 0.9f, 0f, 0.5f, 0.5f, -1f, 1f };
        foreach (var kind in new[] { "ce", "soft", "soft-T2", "kl" })
        {
            var g = new Tensor(0);
            float Eval(float[] logits, Tensor grad) => kind switch
            {
                "ce" => Loss.SoftmaxCrossEntropy(new Tensor(logits, n, k), labels, grad),
                "soft" => Loss.SoftTarget(new Tensor(logits, n, k), new Tensor(teacher, n, k), grad),
                "soft-T2" => Loss.SoftTarget(new Tensor(logits, n, k), new Tensor(teacher, n, k), grad, temperature: 2f),
                _ => Loss.SoftTarget(new Tensor(logits, n, k), new Tensor(teacher, n, k), grad, kl: true),
            };
            Eval(z, g);
            var analytic = g.Span.ToArray();
            var scratch = new Tensor(0);
            for (int i = 0; i < z.Length; i++)
            {
                float saved = z[i], e = 1e-3f;
                z[i] = saved + e; double lp = Eval(z, scratch);
                z[i] = saved - e; double lm = Eval(z, scratch);
                z[i] = saved;
                double numeric = (lp - lm) / (2 * e);
                Assert.True(Math.Abs(numeric - analytic[i]) < 2e-4, $"{kind}[{i}]: numeric {numeric}, analytic {analytic[i]}");
            }
        }
        // KL of identical distributions is zero; soft-target CE equals the teacher's entropy there.
        var same = new Tensor(0);
        Assert.True(Math.Abs(Loss.SoftTarget(new Tensor(teacher, n, k), new Tensor(teacher, n, k), same, kl: true)) < 1e-6);
    }
}
