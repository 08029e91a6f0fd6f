using Dnas.Engine;
using Dnas.Hardware;
using Dnas.Quantize;
using Xunit;

namespace Dnas.Tests.Quantize;

public class FoldingTests
{
    [Theory]
    [InlineData(1, 32, 32)]
    [InlineData(3, 32, 32)]
    [InlineData(1, 48, 40)]
    [InlineData(3, 27, 35)]
    [InlineData(3, 64, 64)]
    public void FoldedForwardEqualsTheEngineInInferenceMode(int channels, int height, int width)
    {
        var net = QuantizeFixtures.RandomNet(QuantizeFixtures.SmallSpec(channels), (ulong)(channels * 1000 + height));
        var x = QuantizeFixtures.RandomImages(3, height, width, channels, 5);
        var expected = net.Forward(x, training: false).Span.ToArray();

        var folded = FoldedGraph.Fold(net, height, width);
        var forward = new FloatForward(folded);
        forward.Run(x);
        var actual = forward.Logits.Span.ToArray();

        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(Math.Abs);
        Assert.True(scale > 1e-3, "the logits are too small for the comparison to mean anything");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"logit {i}: engine {expected[i]}, folded {actual[i]}");
        // Softmax of the folded graph sums to 1 per row.
        var p = forward.Probabilities.Span;
        for (int r = 0; r < 3; r++)
        {
            double sum = 0;
            for (int k = 0; k < 3; k++) sum += p[r * 3 + k];
            Assert.Equal(1.0, sum, 5);
        }
    }

    [Fact]
    public void FoldedOpsFollowTheExecutionGraphWithResidualAdds()
    {
        var spec = QuantizeFixtures.SmallSpec(3);
        var folded = FoldedGraph.Fold(QuantizeFixtures.RandomNet(spec, 1), 32, 32);
        var graph = ExecutionGraph.Build(spec, 32, 32);
        Assert.Equal(graph.Ops.Select(o => (o.Name, o.Kind)), folded.Ops.Select(o => (o.Name, o.Kind)));
        Assert.Equal(3, folded.Ops.Count(o => o.Kind == OpKind.Add)); // blocks 0, 2 and 4
        var dw = folded.Ops.First(o => o.Kind == OpKind.Depthwise);
        Assert.Equal(new[] { 1, 3, 3, 8 }, dw.WeightShape);
        var fc = folded.Ops.Single(o => o.Kind == OpKind.FullyConnected);
        Assert.Equal(new[] { 3, 32 }, fc.WeightShape);
        Assert.All(folded.Ops.Where(o => o.Kind is OpKind.Conv1x1 or OpKind.ConvKxK or OpKind.Depthwise),
            o => Assert.Equal(!o.Name.EndsWith(".project", StringComparison.Ordinal), o.Relu6));
    }

    [Fact]
    public void FoldingScalesEachOutputChannel()
    {
        var net = QuantizeFixtures.RandomNet(QuantizeFixtures.SmallSpec(1), 9);
        var stem = net.Stem;
        var folded = FoldedGraph.Fold(net, 16, 16).Ops[0];
        int per = stem.Weight.Value.Length / stem.OutChannels;
        for (int c = 0; c < stem.OutChannels; c++)
        {
            double a = stem.Gamma.Value[c] / Math.Sqrt(stem.RunningVar[c] + 1e-5);
            Assert.Equal(stem.Weight.Value[c * per] * a, folded.Weights[c * per], 5);
            Assert.Equal(stem.Beta.Value[c] - stem.RunningMean[c] * a, folded.Bias[c], 5);
        }
    }
}
