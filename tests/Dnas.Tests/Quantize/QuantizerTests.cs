using Dnas.Config;
using Dnas.Hardware;
using Dnas.Quantize;
using Xunit;

namespace Dnas.Tests.Quantize;

public class QuantizerTests
{
    private static (FoldedGraph Folded, QuantizedGraph Quantized) Quantized(int channels, QuantizeConfig settings)
    {
        var net = QuantizeFixtures.RandomNet(QuantizeFixtures.SmallSpec(channels), 21);
        var folded = FoldedGraph.Fold(net, 32, 32);
        var batches = new[] { QuantizeFixtures.RandomImages(4, 32, 32, channels, 1), QuantizeFixtures.RandomImages(4, 32, 32, channels, 2) };
        var ranges = Calibration.Collect(folded, batches, settings);
        return (folded, Quantizer.Quantize(folded, ranges));
    }

    [Theory]
    [InlineData(-1f, 3f)]
    [InlineData(0f, 5.2f)]
    [InlineData(-0.37f, 0.011f)]
    [InlineData(-4f, 0f)]
    public void ZeroIsExactAndTheRangeIsCovered(float min, float max)
    {
        var p = QuantParams.FromRange(new TensorRange(min, max));
        Assert.Equal(0f, p.Dequantize(p.Quantize(0f)));
        Assert.InRange(p.ZeroPoint, -128, 127);
        Assert.True(Math.Abs(p.Dequantize(p.Quantize(min)) - min) <= p.Scale, $"min {min}");
        Assert.True(Math.Abs(p.Dequantize(p.Quantize(max)) - max) <= p.Scale, $"max {max}");
        if (min == 0) Assert.Equal(-128, p.ZeroPoint);
    }

    [Fact]
    public void ParametersFollowTheInt8Spec()
    {
        var (folded, q) = Quantized(3, QuantizeConfig.Default);
        var g = q.Graph;
        Assert.Equal(QuantParams.Input, q.Tensors[g.InputTensor]);
        Assert.Equal(1f / 256f, q.Tensors[g.OutputTensor].Scale);
        Assert.Equal(-128, q.Tensors[g.OutputTensor].ZeroPoint);
        foreach (var op in q.Ops)
        {
            switch (op.Op.Kind)
            {
                case OpKind.Mean:
                    Assert.Equal(q.Tensors[op.Op.Inputs[0]], q.Tensors[op.Op.Output]);
                    break;
                case OpKind.ConvKxK or OpKind.Conv1x1 or OpKind.Depthwise or OpKind.FullyConnected:
                    bool fc = op.Op.Kind == OpKind.FullyConnected;
                    Assert.Equal(fc ? 1 : op.Float.OutChannels, op.WeightScales.Length);
                    Assert.Equal(op.Op.Kind == OpKind.Depthwise ? 3 : 0, op.QuantizedDimension);
                    Assert.All(op.Weights, w => Assert.InRange(w, (sbyte)-127, (sbyte)127));
                    // Each scale is max|w|/127, so every channel uses ±127 somewhere.
                    int per = op.Weights.Length / op.Float.OutChannels;
                    for (int c = 0; c < op.WeightScales.Length; c++)
                    {
                        var channel = fc ? op.Weights : op.Op.Kind == OpKind.Depthwise
                            ? op.Weights.Where((_, i) => i % op.Float.OutChannels == c).ToArray()
                            : op.Weights.Skip(c * per).Take(per).ToArray();
                        Assert.Contains(channel, w => Math.Abs((int)w) == 127);
                    }
                    // Dequantized weights are within half a step of the folded ones.
                    for (int i = 0; i < op.Weights.Length; i++)
                    {
                        int c = fc ? 0 : op.Op.Kind == OpKind.Depthwise ? i % op.Float.OutChannels : i / per;
                        Assert.True(Math.Abs(op.Weights[i] * op.WeightScales[c] - op.Float.Weights[i]) <= op.WeightScales[c] * 0.5001f, $"{op.Op.Name} weight {i}");
                    }
                    float inScale = q.Tensors[op.Op.Inputs[0]].Scale;
                    for (int c = 0; c < op.Bias.Length; c++)
                    {
                        Assert.Equal(inScale * op.WeightScales[fc ? 0 : c], op.BiasScales[c]);
                        Assert.True(Math.Abs(op.Bias[c] * (double)op.BiasScales[c] - op.Float.Bias[c]) <= op.BiasScales[c] * 0.5001, $"{op.Op.Name} bias {c}");
                    }
                    if (op.Float.Relu6) Assert.Equal(-128, q.Tensors[op.Op.Output].ZeroPoint); // calibrated [0, max]
                    break;
            }
        }
        Assert.Equal(folded.Ops.Count, q.Ops.Count);
    }

    [Fact]
    public void RangesContainZeroAndPercentileRangesLieInsideMinMax()
    {
        var (_, minmax) = Quantized(1, QuantizeConfig.Default);
        var (_, pct) = Quantized(1, new QuantizeConfig { Ranges = RangeMethod.Percentile, Percentile = 99.0 });
        bool narrower = false;
        for (int t = 0; t < minmax.Ranges.Count; t++)
        {
            var a = minmax.Ranges[t];
            var b = pct.Ranges[t];
            Assert.True(a.Min <= 0 && a.Max >= 0);
            Assert.True(b.Min <= 0 && b.Max >= 0);
            Assert.True(b.Min >= a.Min && b.Max <= a.Max, $"tensor {t}: percentile [{b.Min}, {b.Max}] outside min/max [{a.Min}, {a.Max}]");
            narrower |= b.Max < a.Max || b.Min > a.Min;
        }
        Assert.True(narrower, "the 99th percentile should cut some tensor's outliers");
    }

    [Fact]
    public void PercentileOfAHistogram()
    {
        // 1000 values in 10 bins over [0, 10): 990 in bin 0..8 evenly-ish, 10 outliers in the last bin.
        var hist = new long[] { 110, 110, 110, 110, 110, 110, 110, 110, 110, 10 };
        var (lo, hi) = Calibration.PercentileRange(hist, 0f, 10f, 99.0);
        Assert.Equal(0f, lo);
        Assert.Equal(9f, hi); // the top 1% (10 values) is exactly the last bin
        (lo, hi) = Calibration.PercentileRange(hist, 0f, 10f, 100.0);
        Assert.Equal((0f, 10f), (lo, hi));
    }
}
