namespace Dnas.Engine;

/// <summary>Switches for the engine's cross-layer fusions inside a MobileNetV2 block, all on by
/// default. They move work between kernels, never change what is computed: a deferred output is
/// bit-identical to a written one, and gathered batch-norm sums are the same sums added in
/// another order. Only the <c>ablation</c> benchmark turns one off, to measure what it is worth
/// in the same process, step by step against the default.</summary>
internal static class Fusion
{
    /// <summary>Expansion and depthwise outputs stay as Z plus the batch-norm map (see <see cref="Layers.ConvBn"/>).</summary>
    public static bool DeferOutputs { get; set; } = true;

    /// <summary>Each layer's backward gathers the batch-norm sums of the layer before it while writing its dY.</summary>
    public static bool GatherGradSums { get; set; } = true;
}
