using Dnas.Engine.Models;
using Dnas.Hardware;
using Xunit;

namespace Dnas.Tests.Hardware;

public class HardwareModelCostTests
{
    private static readonly CameraFrame Qqvga565 = new(160, 120, PixelFormat.Rgb565);

    // stem 8; block0 t1 8->8 s1 (residual); block1 t6 8->16 s2; block2 t6 k5 16->16 s1 (residual); head 32; 2 classes
    private static MobileNetV2Spec Small() => new(3, 8, [new BlockSpec(1, 3, 8, 1), new BlockSpec(6, 3, 16, 2), new BlockSpec(6, 5, 16, 1)], 32, 2);

    /// <summary>Every coefficient 1, no overhead, no code, 1 kHz: cycles count MACs + elements.</summary>
    private static TargetProfile Unit(double overhead = 0) =>
        new("unit", "test", 1 << 20, 1 << 20, 1000, 1, 1, 1, 1, overhead, 1, 1, 1, 0);

    [Fact]
    public void GraphOfASmallSpecIsInExecutionOrder()
    {
        var g = ExecutionGraph.Build(Small(), 8, 8);
        Assert.Equal(new[]
        {
            "stem", "blocks.0.dw", "blocks.0.project", "blocks.0.add",
            "blocks.1.expand", "blocks.1.dw", "blocks.1.project",
            "blocks.2.expand", "blocks.2.dw", "blocks.2.project", "blocks.2.add",
            "head", "pool", "classifier", "softmax",
        }, g.Ops.Select(o => o.Name));
        Assert.Equal(new[]
        {
            OpKind.ConvKxK, OpKind.Depthwise, OpKind.Conv1x1, OpKind.Add, OpKind.Conv1x1, OpKind.Depthwise, OpKind.Conv1x1,
            OpKind.Conv1x1, OpKind.Depthwise, OpKind.Conv1x1, OpKind.Add, OpKind.Conv1x1, OpKind.Mean, OpKind.FullyConnected, OpKind.Softmax,
        }, g.Ops.Select(o => o.Kind));
        Assert.Equal(new long[] { 3456, 1152, 1024, 0, 6144, 1728, 3072, 6144, 9600, 6144, 0, 2048, 0, 64, 0 }, g.Ops.Select(o => o.Macs));
        Assert.Equal(40576, Small().Macs(8, 8));
        Assert.Equal("[1,8,8,3]", g.Tensors[g.InputTensor].ShapeText);
        Assert.Equal("[1,4,4,8]", g.Tensors[g.Ops[0].Output].ShapeText);
        Assert.Equal("[1,2,2,48]", g.Tensors[g.Ops[5].Output].ShapeText);
        Assert.Equal("[1,2,2,96]", g.Tensors[g.Ops[8].Output].ShapeText);
        Assert.Equal("[1,32]", g.Tensors[g.Ops[12].Output].ShapeText);
        Assert.Equal("[1,2]", g.Tensors[g.OutputTensor].ShapeText);
        Assert.Equal(2, g.Tensors[g.OutputTensor].Bytes);
        // residual add reads the projection output first, then the block input
        var add0 = g.Ops[3];
        Assert.Equal(new[] { g.Ops[2].Output, g.Ops[0].Output }, add0.Inputs);
        var life = g.Lifetimes();
        Assert.Equal((0, 0), life[g.InputTensor]); // read by the stem only
        Assert.Equal((0, 3), life[g.Ops[0].Output]); // stem output read by b0.dw and b0.add
        Assert.Equal((14, 14), life[g.OutputTensor]);
    }

    [Fact]
    public void SmallSpecCostsByHand()
    {
        var cost = ModelCost.Compute(Small(), new ModelInput(8, 8, 3), Qqvga565, Unit(overhead: 10));
        // adds 4*4*8 + 2*2*16, pool reads 2*2*32, softmax 2, plus 15 ops x 10
        Assert.Equal(40576 + 128 + 64 + 128 + 2 + 150, cost.Cycles);
        Assert.Equal(cost.Cycles / 1000.0, cost.LatencySeconds, 12);
        var stem = cost.Layers[0];
        Assert.Equal(8 * 3 * 3 * 3, stem.WeightBytes);
        Assert.Equal(8 * 4, stem.BiasBytes);
        Assert.Equal(8 * 8, stem.QuantBytes);
        Assert.Equal(8 * 27 + 8, stem.Params);
        var dw = cost.Layers.Single(l => l.Name == "blocks.2.dw");
        Assert.Equal(25 * 96, dw.WeightBytes);
        Assert.Equal(5, dw.Kernel);
        Assert.Equal(new[] { 1, 2, 2, 96 }, dw.InputShape);
        var fc = cost.Layers.Single(l => l.Kind == OpKind.FullyConnected);
        Assert.Equal(64, fc.WeightBytes);
        Assert.Equal(8, fc.BiasBytes);
        Assert.Equal(8, fc.QuantBytes); // per-tensor
        Assert.Equal(38400, cost.CameraBytes);
        Assert.Equal(cost.ArenaBytes + 38400, cost.SramBytes);
        Assert.Equal(cost.WeightBytes + cost.BiasBytes + cost.QuantBytes, cost.FlashBytes);
        Assert.Equal(cost.Layers.Sum(l => l.ConstantBytes), cost.ModelDataBytes);
    }

    public static TheoryData<double, int> StandardConfigs()
    {
        var data = new TheoryData<double, int>();
        foreach (double w in new[] { 0.35, 0.5, 1.0 })
            foreach (int r in new[] { 32, 96, 160 })
                data.Add(w, r);
        return data;
    }

    [Theory]
    [MemberData(nameof(StandardConfigs))]
    public void NoTwoLiveTensorsOverlapForStandardSpecs(double width, int resolution)
    {
        foreach (int channels in new[] { 1, 3 })
        {
            var spec = MobileNetV2Spec.Standard(width, channels, 2);
            var g = ExecutionGraph.Build(spec, resolution, resolution);
            foreach (bool inPlace in new[] { false, true })
            {
                var ts = g.PlannedTensors(inPlace);
                var plan = ArenaPlanner.Plan(ts);
                Assert.Empty(ArenaPlanner.Verify(ts, plan));
                // independent check against the graph itself: at every op, its live tensors are disjoint
                var life = g.Lifetimes();
                for (int op = 0; op < g.Ops.Count; op++)
                {
                    var live = Enumerable.Range(0, ts.Count).Where(t => life[t].First <= op && op <= life[t].Last).ToArray();
                    foreach (int a in live)
                        foreach (int b in live)
                        {
                            if (a >= b || (ts[b].ReuseOf == a || ts[a].ReuseOf == b)) continue;
                            bool overlap = plan.Offsets[a] < plan.Offsets[b] + ts[b].Size && plan.Offsets[b] < plan.Offsets[a] + ts[a].Size;
                            Assert.False(overlap, $"{ts[a].Name} and {ts[b].Name} overlap at op {op}");
                        }
                    long liveBytes = live.Where(t => ts[t].ReuseOf is null || !live.Contains(ts[t].ReuseOf!.Value)).Sum(t => ArenaPlanner.Align(ts[t].Size, 16));
                    Assert.True(plan.ArenaBytes >= liveBytes);
                }
                if (inPlace)
                    foreach (var op in g.Ops.Where(o => o.Kind == OpKind.Add))
                        Assert.Equal(plan.Offsets[op.Inputs[0]], plan.Offsets[op.Output]);
            }
            var withAlias = ArenaPlanner.Plan(g.PlannedTensors(true)).ArenaBytes;
            var without = ArenaPlanner.Plan(g.PlannedTensors(false)).ArenaBytes;
            Assert.True(withAlias <= without, $"in-place {withAlias} > plain {without}");
        }
    }

    [Theory]
    [MemberData(nameof(StandardConfigs))]
    public void MacsAndParamsMatchSpecAndEngine(double width, int resolution)
    {
        var spec = MobileNetV2Spec.Standard(width, 3, 5);
        int h = resolution, w = resolution + 32; // non-square catches a swapped height/width
        var cost = ModelCost.Compute(spec, new ModelInput(w, h, 3), Qqvga565, Targets.Nano33Ble);
        Assert.Equal(spec.Macs(h, w), cost.Layers.Sum(l => l.Macs));
        Assert.Equal(spec.Macs(h, w), cost.Macs);

        var model = new MobileNetV2(spec);
        long expected = 0;
        foreach (var conv in model.ConvLayers())
        {
            string name = conv.Weight.Name[..^".weight".Length];
            var layer = cost.Layers.Single(l => l.Name == name);
            Assert.Equal(conv.Weight.Length + conv.OutChannels, layer.Params); // weights + folded bias; BN gone
            Assert.Equal(conv.Weight.Length, layer.WeightBytes);
            Assert.Equal(4L * conv.OutChannels, layer.BiasBytes);
            Assert.Equal(8L * conv.OutChannels, layer.QuantBytes);
            Assert.Equal(conv.Kernel, layer.Kernel);
            Assert.Equal(conv.Stride, layer.Stride);
            expected += conv.Weight.Length + conv.OutChannels;
        }
        expected += model.Classifier.Weight.Length + model.Classifier.Bias.Length;
        long engineParams = model.Parameters().Sum(p => (long)p.Length);
        long bnParams = model.ConvLayers().Sum(c => 2L * c.OutChannels);
        long foldedBiases = model.ConvLayers().Sum(c => (long)c.OutChannels);
        Assert.Equal(engineParams - bnParams + foldedBiases, expected);
        Assert.Equal(expected, cost.Params);
    }

    [Fact]
    public void FlashAndLatencyAreMonotoneInWidthAndResolution()
    {
        foreach (var target in Targets.All)
        {
            ModelCost C(double width, int res) => ModelCost.Compute(MobileNetV2Spec.Standard(width, 3, 2), new ModelInput(res, res, 3), Qqvga565, target);
            double[] widths = [0.35, 0.5, 0.75, 1.0];
            int[] resolutions = [32, 64, 96, 128, 160];
            foreach (int r in new[] { 32, 96, 160 })
            {
                var row = widths.Select(w => C(w, r)).ToArray();
                for (int i = 1; i < row.Length; i++)
                {
                    Assert.True(row[i].FlashBytes > row[i - 1].FlashBytes, $"{target.Name} flash at width {widths[i]}, res {r}");
                    Assert.True(row[i].LatencySeconds > row[i - 1].LatencySeconds, $"{target.Name} latency at width {widths[i]}, res {r}");
                    Assert.True(row[i].ArenaBytes >= row[i - 1].ArenaBytes, $"{target.Name} arena at width {widths[i]}, res {r}");
                }
            }
            foreach (double w in new[] { 0.35, 1.0 })
            {
                var col = resolutions.Select(r => C(w, r)).ToArray();
                for (int i = 1; i < col.Length; i++)
                {
                    Assert.True(col[i].FlashBytes >= col[i - 1].FlashBytes, $"{target.Name} flash at res {resolutions[i]}");
                    Assert.True(col[i].LatencySeconds > col[i - 1].LatencySeconds, $"{target.Name} latency at res {resolutions[i]}");
                    Assert.True(col[i].ArenaBytes > col[i - 1].ArenaBytes, $"{target.Name} arena at res {resolutions[i]}");
                }
            }
        }
    }

    [Fact]
    public void InputAndCameraAreValidated()
    {
        var spec = MobileNetV2Spec.Standard(0.35, 1, 2);
        Assert.Throws<ArgumentException>(() => ModelCost.Compute(spec, new ModelInput(96, 96, 3), Qqvga565, Targets.Rp2040));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelCost.Compute(spec, new ModelInput(96, 96, 2), Qqvga565, Targets.Rp2040));
        var gray = ModelCost.Compute(spec, new ModelInput(96, 96, 1), new CameraFrame(96, 96, PixelFormat.Gray8), Targets.Rp2040);
        Assert.Equal(96 * 96, gray.CameraBytes);
        var rgb = ModelCost.Compute(MobileNetV2Spec.Standard(0.35, 3, 2), new ModelInput(96, 96, 3), new CameraFrame(96, 96, PixelFormat.Gray8), Targets.Rp2040);
        // only the stem differs: 16 filters x 3x3 x 2 more input channels, 48x48 output pixels
        Assert.Equal(16 * 9 * 2, rgb.WeightBytes - gray.WeightBytes);
        Assert.Equal(48L * 48 * 16 * 9 * 2, rgb.Macs - gray.Macs);
        Assert.True(rgb.ArenaBytes >= gray.ArenaBytes);
        Assert.Equal(320 * 240 * 3, new CameraFrame(320, 240, PixelFormat.Rgb888).Bytes);
        Assert.Equal(320 * 240 * 2, new CameraFrame(320, 240, PixelFormat.Yuv422).Bytes);
    }

    [Fact]
    public void InPlaceAddIsOptional()
    {
        var spec = MobileNetV2Spec.Standard(0.35, 3, 2);
        var a = ModelCost.Compute(spec, new ModelInput(96, 96, 3), Qqvga565, Targets.Nano33Ble, inPlaceAdd: true);
        var b = ModelCost.Compute(spec, new ModelInput(96, 96, 3), Qqvga565, Targets.Nano33Ble, inPlaceAdd: false);
        Assert.True(a.InPlaceAdd);
        Assert.False(b.InPlaceAdd);
        Assert.Contains(a.ArenaTensors, t => t.ReuseOf is not null);
        Assert.DoesNotContain(b.ArenaTensors, t => t.ReuseOf is not null);
        Assert.True(a.ArenaBytes <= b.ArenaBytes);
        Assert.Equal(a.FlashBytes, b.FlashBytes);
    }

    [Fact]
    public void TableListsEveryLayerAndTheTotals()
    {
        var cost = ModelCost.Compute(Small(), new ModelInput(8, 8, 3), Qqvga565, Targets.Nano33Ble);
        var lines = cost.ToTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cost.Layers.Count + 3, lines.Length);
        Assert.StartsWith("blocks.2.dw", lines[9]);
        Assert.Contains("[1,2,2,96]", lines[9]);
        Assert.StartsWith("total", lines[^2]);
        Assert.Contains(" 40576 ", lines[^2]);
        Assert.StartsWith("target nano33ble: flash ", lines[^1]);
        Assert.Contains($"camera {160 * 120 * 2} B", lines[^1]);
    }
}

