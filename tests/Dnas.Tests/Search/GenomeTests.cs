using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Search;
using Xunit;
using Dnas.Data.Preprocess;

namespace Dnas.Tests.Search;

public class GenomeTests
{
    private static readonly SearchSpace Space = SearchSpace.Default;

    [Fact]
    public void Key_HasTheDocumentedForm()
    {
        var sp = Space;
        var e = new int[sp.SlotCount]; var k = new int[sp.SlotCount];
        for (int i = 0; i < e.Length; i++) { e[i] = i == 0 ? 1 : 6; k[i] = 3; }
        var g = new Genome(sp, 96, ColorMode.Rgb, 0.35, [1, 2, 3, 4, 3, 3, 1], e, k);
        Assert.Equal("r96-rgb-w0.35-d1,2,3,4,3,3,1-e1,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6-k3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3", g.Key);
        Assert.Equal(g.Key, Genome.Parse(sp, g.Key).Key);
    }

    [Fact]
    public void StandardShapedGenome_MatchesStandardSpec()
    {
        var sp = new SearchSpace([64], [ColorMode.Rgb], [1.0, 0.5],
            MobileNetV2Spec.Table.Select(t => new DepthRange(t.N == 1 ? 1 : 1, t.N)), [6], [3]);
        var e = Enumerable.Range(0, sp.SlotCount).Select(i => i == 0 ? 1 : 6).ToArray();
        var k = Enumerable.Repeat(3, sp.SlotCount).ToArray();
        foreach (double w in new[] { 1.0, 0.5 })
        {
            var g = new Genome(sp, 64, ColorMode.Rgb, w, MobileNetV2Spec.Table.Select(t => t.N).ToArray(), e, k);
            var spec = g.ToSpec(10);
            var std = MobileNetV2Spec.Standard(w, 3, 10);
            Assert.Equal(std.StemChannels, spec.StemChannels);
            Assert.Equal(std.HeadChannels, spec.HeadChannels);
            Assert.Equal(std.Blocks, spec.Blocks);
            Assert.Equal(std.Macs(64, 64), spec.Macs(64, 64));
        }
    }

    [Fact]
    public void RandomGenomes_BuildValidSpecs()
    {
        var rng = new Rng(11);
        var strides = MobileNetV2Spec.Table.Select(t => t.S).ToArray();
        for (int n = 0; n < 300; n++)
        {
            var g = Genome.Random(Space, rng);
            var spec = g.ToSpec(7);
            Assert.Equal(g.Depths.Sum(), spec.Blocks.Count);
            Assert.Equal(g.Color == ColorMode.Gray ? 1 : 3, spec.InChannels);
            Assert.Equal(7, spec.Classes);
            Assert.Equal(0, spec.StemChannels % 8);
            Assert.Equal(0, spec.HeadChannels % 8);
            Assert.All(spec.Blocks, b => Assert.Equal(0, b.Out % 8));
            int at = 0;
            for (int s = 0; s < SearchSpace.StageCount; s++)
            {
                Assert.InRange(g.Depths[s], Space.Depths[s].Min, Space.Depths[s].Max);
                for (int b = 0; b < g.Depths[s]; b++, at++)
                {
                    var blk = spec.Blocks[at];
                    Assert.Equal(b == 0 ? strides[s] : 1, blk.Stride);
                    Assert.Equal(MobileNetV2Spec.MakeDivisible(MobileNetV2Spec.Table[s].C * g.Width), blk.Out);
                    Assert.Contains(blk.Kernel, Space.Kernels);
                    if (s == 0) Assert.Equal(1, blk.Expand); else Assert.Contains(blk.Expand, Space.Expansions);
                }
            }
            Assert.True(spec.Macs(g.Resolution, g.Resolution) > 0);
            Assert.Equal(g.Key, Genome.Parse(Space, g.Key).Key);
        }
    }

    [Fact]
    public void Sampling_MutationAndCrossover_AreDeterministic()
    {
        static List<string> Trace(ulong seed)
        {
            var rng = new Rng(seed);
            var list = new List<string>();
            var a = Genome.Random(Space, rng); var b = Genome.Random(Space, rng);
            for (int i = 0; i < 50; i++)
            {
                var (c, d) = Genome.Crossover(a, b, rng);
                a = c.Mutate(rng, 0.2); b = d.Mutate(rng, 0.2);
                list.Add(a.Key); list.Add(b.Key);
            }
            return list;
        }
        Assert.Equal(Trace(3), Trace(3));
        Assert.NotEqual(Trace(3), Trace(4));
    }

    [Fact]
    public void Mutation_ZeroKeeps_OneChangesEveryMultiChoiceGene()
    {
        var rng = new Rng(2);
        var g = Genome.Random(Space, rng);
        Assert.Equal(g.Key, g.Mutate(rng, 0).Key);
        var m = g.Mutate(rng, 1);
        Assert.NotEqual(g.Resolution, m.Resolution);
        Assert.NotEqual(g.Color, m.Color);
        Assert.NotEqual(g.Width, m.Width);
        for (int s = 0; s < SearchSpace.StageCount; s++)
            if (Space.Depths[s].Count > 1) Assert.NotEqual(g.Depths[s], m.Depths[s]); else Assert.Equal(g.Depths[s], m.Depths[s]);
        for (int i = 0; i < Space.SlotCount; i++)
        {
            Assert.NotEqual(g.Kernels[i], m.Kernels[i]);
            if (i == 0) Assert.Equal(1, m.Expansions[i]); else Assert.NotEqual(g.Expansions[i], m.Expansions[i]);
        }
    }

    [Fact]
    public void Crossover_ChildrenTakeEachGeneFromAParent_AndComplementEachOther()
    {
        var rng = new Rng(8);
        for (int n = 0; n < 50; n++)
        {
            var a = Genome.Random(Space, rng); var b = Genome.Random(Space, rng);
            var (c, d) = Genome.Crossover(a, b, rng);
            Assert.True((c.Resolution, d.Resolution) == (a.Resolution, b.Resolution) || (c.Resolution, d.Resolution) == (b.Resolution, a.Resolution));
            for (int s = 0; s < SearchSpace.StageCount; s++)
                Assert.Equal(new[] { a.Depths[s], b.Depths[s] }.Order(), new[] { c.Depths[s], d.Depths[s] }.Order());
            for (int i = 0; i < Space.SlotCount; i++)
            {
                Assert.Equal(new[] { a.Kernels[i], b.Kernels[i] }.Order(), new[] { c.Kernels[i], d.Kernels[i] }.Order());
                Assert.Equal(new[] { a.Expansions[i], b.Expansions[i] }.Order(), new[] { c.Expansions[i], d.Expansions[i] }.Order());
            }
        }
    }

    [Fact]
    public void FixedData_NeverChangesResolutionOrColour()
    {
        var sp = Space.WithFixedData(80, ColorMode.Gray);
        Assert.True(sp.IsDataFixed);
        Assert.False(Space.IsDataFixed);
        var rng = new Rng(4);
        var pop = Enumerable.Range(0, 20).Select(_ => Genome.Random(sp, rng)).ToList();
        for (int i = 0; i < 500; i++)
        {
            var (c, d) = Genome.Crossover(pop[rng.NextInt(pop.Count)], pop[rng.NextInt(pop.Count)], rng);
            pop[rng.NextInt(pop.Count)] = c.Mutate(rng, 1.0);
            pop[rng.NextInt(pop.Count)] = d.Mutate(rng, 0.5);
        }
        Assert.All(pop, g => { Assert.Equal(80, g.Resolution); Assert.Equal(ColorMode.Gray, g.Color); Assert.Equal(1, g.InChannels); });
        Assert.True(pop.Select(g => g.Key).Distinct().Count() > 10);
    }

    [Fact]
    public void KeyIgnoresInactiveSlots_ParseRejectsForeignKeys()
    {
        var rng = new Rng(9);
        var g = Genome.Random(Space, rng);
        // Change an inactive slot of stage 3 if there is one.
        int s = 3, off = Space.SlotOffset(s);
        if (g.Depths[s] < Space.Depths[s].Max)
        {
            var k = g.Kernels.ToArray();
            int slot = off + Space.Depths[s].Max - 1;
            k[slot] = k[slot] == 3 ? 5 : 3;
            var h = new Genome(Space, g.Resolution, g.Color, g.Width, g.Depths, g.Expansions, k);
            Assert.Equal(g.Key, h.Key);
            Assert.Equal(g, h);
        }
        Assert.Throws<FormatException>(() => Genome.Parse(Space, "nonsense"));
        Assert.Throws<FormatException>(() => Genome.Parse(Space, g.Key.Replace("-w", "-w9")));
        Assert.Throws<FormatException>(() => Genome.Parse(Space.WithFixedData(80, ColorMode.Gray), g.Key.Replace($"r{g.Resolution}", "r96")));
    }

    [Fact]
    public void SearchSpace_RejectsBadDefinitions()
    {
        DepthRange[] d = [new(1, 1), new(1, 2), new(2, 3), new(2, 4), new(2, 3), new(2, 3), new(1, 1)];
        Assert.Throws<ArgumentException>(() => new SearchSpace([], [ColorMode.Rgb], [1.0], d, [6], [3]));
        Assert.Throws<ArgumentException>(() => new SearchSpace([64, 64], [ColorMode.Rgb], [1.0], d, [6], [3]));
        Assert.Throws<ArgumentException>(() => new SearchSpace([64], [ColorMode.Rgb], [1.0], d, [6], [4]));
        Assert.Throws<ArgumentException>(() => new SearchSpace([64], [ColorMode.Rgb], [1.0], d.Take(6), [6], [3]));
        d[0] = new(1, 2);
        Assert.Throws<ArgumentException>(() => new SearchSpace([64], [ColorMode.Rgb], [1.0], d, [6], [3]));
        Assert.Equal(17, SearchSpace.Default.SlotCount);
        Assert.True(SearchSpace.Default.Cardinality() > 1e9);
    }
}
