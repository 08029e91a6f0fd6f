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

/// <summary>A small MobileNetV2 briefly trained on a synthetic two-class problem it learns in a
/// few dozen steps (class 1 is brighter noise than class 0; the ranges overlap), with held-out
/// labelled batches. Pixels are p/255 as in the pipeline.</summary>
internal sealed class TrainedFixture
{
    public required MobileNetV2 Net { get; init; }
    public required IReadOnlyList<Dnas.Search.LabelledBatch> Train { get; init; }
    public required IReadOnlyList<Dnas.Search.LabelledBatch> Test { get; init; }

    public static TrainedFixture Create(int channels, int resolution, int steps, ulong seed = 11)
    {
        var rng = new Rng(seed);
        List<Dnas.Search.LabelledBatch> Batches(int count, int batch)
        {
            var list = new List<Dnas.Search.LabelledBatch>();
            for (int b = 0; b < count; b++)
            {
                var t = new Tensor(batch, resolution, resolution, channels);
                var labels = new int[batch];
                var s = t.Span;
                int per = resolution * resolution * channels;
                for (int i = 0; i < batch; i++)
                {
                    labels[i] = rng.NextInt(2);
                    // Mean brightness 60..140 (class 0) or 120..200 (class 1), noise ±60: the
                    // overlap leaves images near the decision boundary, where int8 can disagree.
                    int mean = (labels[i] == 1 ? 120 : 60) + rng.NextInt(81);
                    for (int k = 0; k < per; k++)
                        s[i * per + k] = Math.Clamp(mean - 60 + rng.NextInt(121), 0, 255) / 255f;
                }
                list.Add(new Dnas.Search.LabelledBatch(t, labels));
            }
            return list;
        }
        var train = Batches(16, 16);
        var test = Batches(4, 50);
        var net = new MobileNetV2(QuantizeFixtures.SmallSpec(channels, classes: 2));
        net.Initialize(seed);
        var (trainer, _) = Dnas.Pipeline.FinetuneStage.Trainer(net, new Dnas.Config.FinetuneConfig { LearningRate = 0.005 }, steps);
        for (int step = 0; step < steps; step++)
        {
            var b = train[step % train.Count];
            trainer.Step(b.Images, b.Labels);
        }
        return new TrainedFixture { Net = net, Train = train, Test = test };
    }
}
