using Dnas.Engine;
using Dnas.Engine.Models;

namespace Dnas.Tests.Quantize;

/// <summary>Small MobileNetV2s with random weights and random batch-norm statistics (so folding
/// has something to fold), and random images, all from fixed seeds.</summary>
internal static class QuantizeFixtures
{
    /// <summary>Stem 8, blocks with and without expansion, kernel 3/5, strides 1 and 2, and two
    /// residual blocks (stride 1, equal channels).</summary>
    public static MobileNetV2Spec SmallSpec(int inChannels, int classes = 3) => new(inChannels, 8,
        [new BlockSpec(1, 3, 8, 1), new BlockSpec(3, 5, 12, 2), new BlockSpec(4, 3, 12, 1), new BlockSpec(3, 3, 16, 2), new BlockSpec(2, 5, 16, 1)],
        32, classes);

    public static MobileNetV2 RandomNet(MobileNetV2Spec spec, ulong seed)
    {
        var net = new MobileNetV2(spec);
        net.Initialize(seed);
        var rng = new Rng(seed + 100);
        foreach (var l in net.ConvLayers())
            for (int c = 0; c < l.OutChannels; c++)
            {
                l.Gamma.Value[c] = (float)(0.5 + rng.NextDouble());
                l.Beta.Value[c] = (float)(rng.NextDouble() - 0.5);
                l.RunningMean[c] = (float)(rng.NextDouble() - 0.5);
                l.RunningVar[c] = (float)(0.2 + rng.NextDouble());
            }
        var fc = net.Classifier;
        for (int i = 0; i < fc.Weight.Value.Length; i++) fc.Weight.Value[i] = (float)(rng.NextGaussian() * 0.2);
        for (int i = 0; i < fc.Bias.Value.Length; i++) fc.Bias.Value[i] = (float)(rng.NextDouble() - 0.5);
        return net;
    }

    /// <summary>Images of pixel values p/255 (what the pipeline feeds the network).</summary>
    public static Tensor RandomImages(int n, int h, int w, int c, ulong seed)
    {
        var rng = new Rng(seed);
        var t = new Tensor(n, h, w, c);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextInt(256) / 255f;
        return t;
    }
}
