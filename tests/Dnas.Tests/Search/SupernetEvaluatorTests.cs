using Dnas.Engine;
using Dnas.Hardware;
using Dnas.Search;
using Dnas.Supernet;
using Dnas.Tests.Engine;
using Xunit;
using Dnas.Data.Preprocess;

namespace Dnas.Tests.Search;

/// <summary>The supernet evaluator end to end on a tiny space: genome → subnet → recalibrated
/// accuracy and hardware costs, driven by NSGA-II.</summary>
public class SupernetEvaluatorTests
{
    private static readonly SearchSpace Space = new([16, 24], [ColorMode.Gray, ColorMode.Rgb], [0.35, 0.5],
        [new(1, 1), new(1, 2), new(1, 2), new(1, 2), new(1, 2), new(1, 2), new(1, 1)], [3, 6], [3, 5]);

    private static IEnumerable<LabelledBatch> Batches(int res, ColorMode color, int seed, int count)
    {
        int c = color == ColorMode.Gray ? 1 : 3;
        for (int i = 0; i < count; i++)
        {
            var rng = new Rng((ulong)(seed * 100 + i));
            var labels = Enumerable.Range(0, 4).Select(_ => rng.NextInt(2)).ToArray();
            yield return new LabelledBatch(new Tensor(KernelAssert.RandomFloats(4 * res * res * c, seed * 100 + i), 4, res, res, c), labels);
        }
    }

    private static (ElasticMobileNetV2, SupernetEvaluator) Make()
    {
        var supernet = new ElasticMobileNetV2(0.5, [1, 2, 2, 2, 2, 2, 1], 6, 5, 2);
        supernet.Full.Initialize(7);
        var evaluator = new SupernetEvaluator(supernet, Targets.Nano33Ble, new CameraFrame(32, 32, PixelFormat.Rgb565),
            (r, c) => Batches(r, c, 1, 2), (r, c) => Batches(r, c, 2, 3));
        return (supernet, evaluator);
    }

    [Fact]
    public void GenomeAndSubnetDescribeTheSameNetwork()
    {
        var rng = new Rng(3);
        for (int i = 0; i < 50; i++)
        {
            var g = Genome.Random(Space, rng);
            Assert.Equal(g.ToSpec(2), SupernetEvaluator.ToSubnet(g, 2).ToMobileNetV2Spec(), new SpecComparer());
        }
    }

    private sealed class SpecComparer : IEqualityComparer<Dnas.Engine.Models.MobileNetV2Spec>
    {
        public bool Equals(Dnas.Engine.Models.MobileNetV2Spec? a, Dnas.Engine.Models.MobileNetV2Spec? b) =>
            a!.InChannels == b!.InChannels && a.StemChannels == b.StemChannels && a.HeadChannels == b.HeadChannels
            && a.Classes == b.Classes && a.Blocks.SequenceEqual(b.Blocks);
        public int GetHashCode(Dnas.Engine.Models.MobileNetV2Spec s) => s.Blocks.Count;
    }

    [Fact]
    public void ScoresAreDeterministicAndCostsComeFromTheHardwareModel()
    {
        var (_, evaluator) = Make();
        var g = Genome.Random(Space, new Rng(5));
        var a = evaluator.Evaluate(g, default);
        var b = evaluator.Evaluate(g, default);
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.InRange(a.Accuracy, 0, 1);
        var cost = ModelCost.Compute(g.ToSpec(2), new ModelInput(g.Resolution, g.Resolution, g.InChannels),
            new CameraFrame(32, 32, PixelFormat.Rgb565), Targets.Nano33Ble);
        Assert.Equal(cost.SramBytes, a.Cost("sram"));
        Assert.Equal(cost.FlashBytes, a.Cost("flash"));
    }

    [Fact]
    public void Nsga2SearchesTheSupernet()
    {
        var (_, evaluator) = Make();
        var nsga = new Nsga2(Space, evaluator, new Nsga2Options
        {
            PopulationSize = 6, MaxGenerations = 2, Seed = 3,
            Objectives = new SearchObjectives { Costs = ["sram"], Limits = new Dictionary<string, double> { ["sram"] = 256 * 1024 } },
        });
        var result = nsga.Run();
        Assert.True(result.Evaluated.Count >= 6);
        Assert.NotNull(result.Chosen);
        Assert.All(result.Evaluated, e => Assert.True(e.Score.Cost("sram") > 0));
        Assert.Contains(result.Evaluated, e => e.Genome.Color == ColorMode.Gray);
    }
}
