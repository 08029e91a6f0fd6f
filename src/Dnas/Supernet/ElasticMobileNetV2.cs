using Dnas.Engine;
using Dnas.Engine.Layers;
using Dnas.Engine.Models;

namespace Dnas.Supernet;

/// <summary>One weight-sharing MobileNetV2 for every data configuration and subnet: the
/// largest network's weights, from which a subnet takes the first k channels of every layer,
/// the first d blocks of every stage, and the centre KxK of every depthwise kernel. Gray input
/// uses the stem weights summed over the RGB channels, which is exactly a gray image fed as
/// three equal channels. A subnet is an ordinary engine <see cref="MobileNetV2"/>: weights are
/// copied in with <see cref="LoadInto"/>, and its gradients added back with
/// <see cref="AccumulateGradients"/>, so training a subnet is the engine's own forward/backward.</summary>
public sealed class ElasticMobileNetV2
{
    public double MaxWidth { get; }
    public IReadOnlyList<int> MaxDepths { get; }
    public int MaxExpand { get; }
    public int MaxKernel { get; }
    public int Classes { get; }

    /// <summary>The largest network (RGB input): it holds the shared weights.</summary>
    public MobileNetV2 Full { get; }
    private readonly int[] _stageStart; // first block slot of each stage in Full.Blocks

    public ElasticMobileNetV2(double maxWidth, IReadOnlyList<int> maxDepths, int maxExpand, int maxKernel, int classes)
    {
        var table = MobileNetV2Spec.Table;
        if (maxDepths.Count != table.Length) throw new ArgumentException($"give the maximum depth of all {table.Length} stages, got {maxDepths.Count}");
        if (maxDepths[0] != 1) throw new ArgumentException("stage 0 has exactly one block");
        if (maxKernel is not (3 or 5 or 7)) throw new ArgumentOutOfRangeException(nameof(maxKernel), maxKernel, "kernel sizes are 3, 5 or 7");
        MaxWidth = maxWidth; MaxDepths = maxDepths.ToArray(); MaxExpand = maxExpand; MaxKernel = maxKernel; Classes = classes;
        var choices = new List<BlockChoice>();
        _stageStart = new int[table.Length];
        for (int st = 0; st < table.Length; st++)
        {
            _stageStart[st] = choices.Count;
            for (int j = 0; j < maxDepths[st]; j++) choices.Add(new BlockChoice(st == 0 ? 1 : maxExpand, maxKernel));
        }
        Full = new MobileNetV2(new SubnetSpec(3, maxWidth, MaxDepths, choices, classes).ToMobileNetV2Spec());
    }

    /// <summary>Builds an engine network shaped like <paramref name="subnet"/> (weights not yet
    /// loaded), optionally on activation buffers shared with other subnets.</summary>
    public MobileNetV2 Create(SubnetSpec subnet, ActivationBuffers? buffers = null)
    {
        Validate(subnet);
        return new MobileNetV2(subnet.ToMobileNetV2Spec(), buffers);
    }

    /// <summary>Copies the shared weights and BN statistics into <paramref name="net"/>, built by <see cref="Create"/>.</summary>
    public void LoadInto(MobileNetV2 net, SubnetSpec subnet)
    {
        foreach (var (full, sub) in Pairs(net, subnet)) Transfer(full, sub, toSubnet: true);
        Full.Classifier.Weight.Value.AsSpan().CopyTo(net.Classifier.Weight.Value); // same head width: same shape
        Full.Classifier.Bias.Value.AsSpan().CopyTo(net.Classifier.Bias.Value);
    }

    /// <summary>Adds <paramref name="net"/>'s parameter gradients into the shared weights'
    /// gradients at the positions the subnet took them from (the gray stem's gradient goes to all
    /// three RGB channels, each of which contributed with weight one).</summary>
    public void AccumulateGradients(MobileNetV2 net, SubnetSpec subnet)
    {
        foreach (var (full, sub) in Pairs(net, subnet)) Transfer(full, sub, toSubnet: false);
        Full.Classifier.Weight.AccumulateGrad(net.Classifier.Weight.Grad);
        Full.Classifier.Bias.AccumulateGrad(net.Classifier.Bias.Grad);
    }

    private void Validate(SubnetSpec s)
    {
        if (s.Classes != Classes) throw new ArgumentException($"the supernet has {Classes} classes, the subnet {s.Classes}");
        if (s.InChannels is not (1 or 3)) throw new ArgumentException($"input must be gray (1) or RGB (3), got {s.InChannels} channels");
        if (s.Width > MaxWidth) throw new ArgumentException($"width {s.Width} is above the supernet's {MaxWidth}");
        if (Math.Max(1.0, s.Width) != Math.Max(1.0, MaxWidth)) throw new ArgumentException("the head width (1280·max(1,w)) must equal the supernet's");
        for (int st = 0; st < MaxDepths.Count; st++)
            if (s.Depths.Count != MaxDepths.Count || s.Depths[st] > MaxDepths[st])
                throw new ArgumentException($"stage {st} depth {(st < s.Depths.Count ? s.Depths[st] : -1)} exceeds the supernet's {MaxDepths[st]}");
        foreach (var b in s.Blocks)
            if (b.Expand > MaxExpand || b.Kernel > MaxKernel || b.Kernel % 2 == 0)
                throw new ArgumentException($"block choice {b} is outside the supernet (expansion ≤ {MaxExpand}, odd kernel ≤ {MaxKernel})");
    }

    /// <summary>Each subnet conv layer with the shared layer it comes from.</summary>
    private IEnumerable<(ConvBn Full, ConvBn Sub)> Pairs(MobileNetV2 net, SubnetSpec subnet)
    {
        Validate(subnet);
        yield return (Full.Stem, net.Stem);
        int b = 0;
        for (int st = 0; st < subnet.Depths.Count; st++)
            for (int j = 0; j < subnet.Depths[st]; j++, b++)
            {
                var fb = Full.Blocks[_stageStart[st] + j];
                var sb = net.Blocks[b];
                if (sb.Expand != null) yield return (fb.Expand ?? throw new InvalidOperationException("stage 0 has no expansion"), sb.Expand);
                yield return (fb.Dw, sb.Dw);
                yield return (fb.Project, sb.Project);
            }
        yield return (Full.Head, net.Head);
    }

    /// <summary>Weights (or, backwards, gradients) between a shared layer and a subnet layer:
    /// first O output channels, first I input channels, centre KxK of the kernel; the BN
    /// scale/shift and running statistics of the first O channels.</summary>
    private static void Transfer(ConvBn full, ConvBn sub, bool toSubnet)
    {
        int kf = full.Kernel, ks = sub.Kernel, off = (kf - ks) / 2;
        int oS = sub.OutChannels, oF = full.OutChannels;
        if (sub.Kind == ConvKind.Depthwise)
        {
            // [1,K,K,C]
            for (int ky = 0; ky < ks; ky++)
                for (int kx = 0; kx < ks; kx++)
                    for (int c = 0; c < oS; c++)
                        Move(full.Weight, ((ky + off) * kf + kx + off) * oF + c, sub.Weight, (ky * ks + kx) * oS + c, toSubnet);
        }
        else
        {
            // [O,K,K,I]; a gray stem (I = 1) against the RGB one (I = 3) sums / spreads over I.
            int iS = sub.InChannels, iF = full.InChannels;
            bool gray = iS == 1 && iF == 3 && sub.Kind == ConvKind.Full;
            for (int o = 0; o < oS; o++)
                for (int ky = 0; ky < ks; ky++)
                    for (int kx = 0; kx < ks; kx++)
                    {
                        int fBase = ((o * kf + ky + off) * kf + kx + off) * iF, sBase = ((o * ks + ky) * ks + kx) * iS;
                        if (!gray)
                            for (int i = 0; i < iS; i++) Move(full.Weight, fBase + i, sub.Weight, sBase + i, toSubnet);
                        else if (toSubnet)
                            sub.Weight.Value[sBase] = full.Weight.Value[fBase] + full.Weight.Value[fBase + 1] + full.Weight.Value[fBase + 2];
                        else
                            for (int i = 0; i < 3; i++) full.Weight.Grad[fBase + i] += sub.Weight.Grad[sBase];
                    }
        }
        for (int c = 0; c < oS; c++)
        {
            Move(full.Gamma, c, sub.Gamma, c, toSubnet);
            Move(full.Beta, c, sub.Beta, c, toSubnet);
        }
        if (toSubnet)
        {
            full.RunningMean.AsSpan(0, oS).CopyTo(sub.RunningMean);
            full.RunningVar.AsSpan(0, oS).CopyTo(sub.RunningVar);
        }
    }

    private static void Move(Parameter full, int fi, Parameter sub, int si, bool toSubnet)
    {
        if (toSubnet) sub.Value[si] = full.Value[fi];
        else full.Grad[fi] += sub.Grad[si];
    }
}
