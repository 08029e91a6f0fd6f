namespace Dnas.Engine.Models;

/// <summary>One inverted-residual block: expansion ratio t, depthwise kernel, output channels, stride.</summary>
public readonly record struct BlockSpec(int Expand, int Kernel, int Out, int Stride);

/// <summary>The shape of a MobileNetV2: stem channels, the block list, head channels, classes.
/// The standard network comes from <see cref="Standard"/>; the supernet describes its
/// subnets with the same type (per-block expansion and kernel, per-stage depth).</summary>
public sealed record MobileNetV2Spec(int InChannels, int StemChannels, IReadOnlyList<BlockSpec> Blocks, int HeadChannels, int Classes)
{
    /// <summary>The (t, c, n, s) table of Sandler et al. 2018, as torchvision has it.</summary>
    public static readonly (int T, int C, int N, int S)[] Table =
    [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ];

    /// <summary>torchvision's _make_divisible: round to the nearest multiple of
    /// <paramref name="divisor"/>, never below it, and never more than 10% below v.</summary>
    public static int MakeDivisible(double v, int divisor = 8)
    {
        int rounded = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * v) rounded += divisor;
        return rounded;
    }

    /// <summary>Standard MobileNetV2 at width multiplier <paramref name="width"/>, 3x3 depthwise kernels.</summary>
    public static MobileNetV2Spec Standard(double width, int inChannels, int classes)
    {
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width multiplier must be positive");
        if (inChannels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "input must have 1 (gray) or 3 (RGB) channels");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "need at least one class");
        var blocks = new List<BlockSpec>();
        foreach (var (t, c, n, s) in Table)
        {
            int outCh = MakeDivisible(c * width);
            for (int i = 0; i < n; i++) blocks.Add(new BlockSpec(t, 3, outCh, i == 0 ? s : 1));
        }
        return new MobileNetV2Spec(inChannels, MakeDivisible(32 * width), blocks, MakeDivisible(1280 * Math.Max(1.0, width)), classes);
    }

    /// <summary>Multiply-accumulates of one forward pass at the given input resolution.</summary>
    public long Macs(int height, int width)
    {
        long macs = 0;
        int h = Padding.SameOutput(height, 2), w = Padding.SameOutput(width, 2);
        macs += (long)h * w * StemChannels * 9 * InChannels;
        int c = StemChannels;
        foreach (var b in Blocks)
        {
            int hidden = c * b.Expand;
            if (b.Expand != 1) macs += (long)h * w * c * hidden;
            h = Padding.SameOutput(h, b.Stride); w = Padding.SameOutput(w, b.Stride);
            macs += (long)h * w * hidden * b.Kernel * b.Kernel;
            macs += (long)h * w * hidden * b.Out;
            c = b.Out;
        }
        macs += (long)h * w * c * HeadChannels;
        macs += (long)HeadChannels * Classes;
        return macs;
    }
}
