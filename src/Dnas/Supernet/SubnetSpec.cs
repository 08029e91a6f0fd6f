using Dnas.Engine.Models;

namespace Dnas.Supernet;

/// <summary>One block's elastic choices: expansion ratio and depthwise kernel size.</summary>
public readonly record struct BlockChoice(int Expand, int Kernel);

/// <summary>A subnet of the elastic MobileNetV2: input channels (1 gray, 3 RGB), global width
/// multiplier, active depth of each of the 7 stages, and the choices of every active block
/// in order (stage 0's single block has no expansion layer: its expansion is fixed at 1).</summary>
public sealed record SubnetSpec(int InChannels, double Width, IReadOnlyList<int> Depths, IReadOnlyList<BlockChoice> Blocks, int Classes)
{
    /// <summary>A stable text key, e.g. <c>c3 w0.35 d1,2,3,4,3,3,1 b1/3,6/5,...</c>, for caches and logs.</summary>
    public string Key =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"c{InChannels} w{Width} d{string.Join(",", Depths)} b{string.Join(",", Blocks.Select(b => $"{b.Expand}/{b.Kernel}"))}");

    /// <summary>The engine network this subnet is: standard stage strides and channel rounding.</summary>
    public MobileNetV2Spec ToMobileNetV2Spec()
    {
        var table = MobileNetV2Spec.Table;
        if (Depths.Count != table.Length)
            throw new ArgumentException($"a subnet gives the depth of all {table.Length} stages, got {Depths.Count}");
        int active = Depths.Sum();
        if (Blocks.Count != active)
            throw new ArgumentException($"{active} active blocks need {active} block choices, got {Blocks.Count}");
        var blocks = new List<BlockSpec>(active);
        int b = 0;
        for (int st = 0; st < table.Length; st++)
        {
            if (Depths[st] < 1) throw new ArgumentException($"stage {st} must keep at least one block, got depth {Depths[st]}");
            int outCh = MobileNetV2Spec.MakeDivisible(table[st].C * Width);
            for (int j = 0; j < Depths[st]; j++, b++)
            {
                var c = Blocks[b];
                if (st == 0 && c.Expand != 1)
                    throw new ArgumentException($"stage 0's block has expansion 1 (no expansion layer); got {c}");
                blocks.Add(new BlockSpec(c.Expand, c.Kernel, outCh, j == 0 ? table[st].S : 1));
            }
        }
        return new MobileNetV2Spec(InChannels, MobileNetV2Spec.MakeDivisible(32 * Width), blocks,
            MobileNetV2Spec.MakeDivisible(1280 * Math.Max(1.0, Width)), Classes);
    }
}
