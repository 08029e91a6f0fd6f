using Dnas.Engine;
using Dnas.Engine.Models;

namespace Dnas.Supernet;

/// <summary>A subnet inherits batch-norm running statistics that belong to no subnet in
/// particular (the shared layers saw many widths and depths), so before it is evaluated its
/// statistics are re-estimated: reset, then a cumulative average of the batch statistics over a
/// few training batches (momentum 1/(k+1) on batch k, PyTorch's momentum=None). Weights do not
/// change.</summary>
public static class BnRecalibration
{
    public static void Recalibrate(MobileNetV2 net, IEnumerable<Tensor> batches)
    {
        var layers = net.ConvLayers().ToArray();
        foreach (var l in layers)
        {
            Array.Clear(l.RunningMean);
            Array.Fill(l.RunningVar, 1f);
        }
        int k = 0;
        try
        {
            foreach (var batch in batches)
            {
                foreach (var l in layers) l.Momentum = 1f / (k + 1);
                net.Forward(batch, training: true);
                k++;
            }
        }
        finally
        {
            foreach (var l in layers) l.Momentum = Engine.Layers.ConvBn.BnMomentum;
        }
        if (k == 0) throw new ArgumentException("batch-norm recalibration needs at least one batch", nameof(batches));
    }
}
