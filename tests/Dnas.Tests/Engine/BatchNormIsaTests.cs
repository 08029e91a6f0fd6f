using Dnas.Engine.Kernels;
using Xunit;
using static Dnas.Tests.Engine.KernelAssert;

namespace Dnas.Tests.Engine;

/// <summary>Batch norm's column sums give the same bits on every vector path: each channel's sum
/// runs over the rows in order whatever the vector width, chunking or overlap. Isolated because
/// it flips <see cref="SimdIsa.Force"/>, which every kernel reads.</summary>
[Collection(IsolatedCollection.Name)]
public class BatchNormIsaTests
{
    [Theory]
    [InlineData(300, 7)]
    [InlineData(300, 24)]
    [InlineData(130, 96)]
    [InlineData(65, 144)]
    [InlineData(64, 1280)]
    public void EveryVectorPathGivesTheSameBits(int p, int c)
    {
        var x = RandomFloats(p * c, p + c, -3f, 5f);
        var dy = RandomFloats(p * c, 4);
        var gamma = RandomFloats(c, 2, 0.5f, 1.5f); var beta = RandomFloats(c, 3);
        float[][] Run(int isa)
        {
            SimdIsa.Force = isa;
            try
            {
                var y = new float[p * c]; var mean = new float[c]; var inv = new float[c]; var ss = new float[2 * c];
                BatchNorm.ForwardTrain(x, y, p, c, gamma, beta, mean, inv, new float[c], new float[c], 0.1f, 1e-5f, true, ss);
                var dx = new float[p * c]; var dg = new float[c]; var db = new float[c];
                BatchNorm.Backward(dy, x, ss, dx, p, c, gamma, mean, inv, dg, db, true);
                return [y, mean, inv, dx, dg, db];
            }
            finally { SimdIsa.Force = 0; }
        }
        var widest = Run(0);
        foreach (int isa in new[] { SimdIsa.V256, SimdIsa.Scalar })
        {
            var other = Run(isa);
            for (int i = 0; i < widest.Length; i++) Assert.Equal(widest[i], other[i]);
        }
    }
}
