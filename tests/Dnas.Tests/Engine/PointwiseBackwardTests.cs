using Dnas.Engine;
using Dnas.Engine.Kernels;
using Dnas.Engine.Reference;
using Xunit;
using static Dnas.Tests.Engine.KernelAssert;

namespace Dnas.Tests.Engine;

/// <summary>The fused 1x1 conv + BN backward against the unfused reference path:
/// BN backward, then dW = dZᵀ·X and dX = dZ·W with the reference GEMMs.</summary>
public class PointwiseBackwardTests
{
    [Theory]
    [InlineData(1, 8, 8, true)]
    [InlineData(37, 17, 3, false)]
    [InlineData(1000, 48, 8, true)]
    [InlineData(5000, 7, 33, true)]
    [InlineData(2304, 96, 16, false)]
    public void MatchesUnfusedReference(int p, int o, int i, bool relu6)
    {
        var z = RandomFloats(p * o, 1, -2f, 4f); var x = RandomFloats(p * i, 2); var w = RandomFloats(o * i, 3);
        var dy = RandomFloats(p * o, 4); var gamma = RandomFloats(o, 5, 0.5f, 1.5f); var beta = RandomFloats(o, 6);
        var y = new float[p * o]; var mean = new float[o]; var inv = new float[o]; var rm = new float[o]; var rv = new float[o];
        var ss = new float[2 * o];
        BatchNorm.ForwardTrain(z, y, p, o, gamma, beta, mean, inv, rm, rv, 0.1f, 1e-5f, relu6, ss);

        var dz = (float[])dy.Clone();
        var dgRef = new float[o]; var dbRef = new float[o];
        // Unfused reference: mask from the stored output y, then plain BN backward.
        if (relu6) ElementwiseReference.Relu6Backward<float>(dz, y, dz);
        BatchNormReference.Backward<float>(dz, z, dz, p, o, gamma, mean, inv, dgRef, dbRef);
        var dwRef = new float[o * i]; var dxRef = new float[p * i];
        GemmReference.MatMulTN<float>(dz, x, dwRef, o, i, p, false);
        GemmReference.MatMulNN<float>(dz, w, dxRef, p, i, o, false);

        var coef = new float[3 * o]; var dg = new float[o]; var db = new float[o];
        var dyCopy = (float[])dy.Clone();
        BatchNorm.BackwardCoefficients(dyCopy, z, ss, p, o, gamma, mean, inv, dg, db, relu6, coef);
        var dw = new float[o * i]; Array.Fill(dw, 0.5f); // accumulates
        var dx = new float[p * i];
        PointwiseBackward.Run(dyCopy, z, ss, mean, coef, relu6, x, w, dw, dx, p, o, i);
        for (int j = 0; j < dw.Length; j++) dw[j] -= 0.5f;
        Assert.Equal(dy, dyCopy); // dY left as it was
        Close("dgamma", dgRef, dg, 1e-5);
        Close("dW", dwRef, dw, 1e-4);
        Close("dX", dxRef, dx, 1e-3);
    }
}

/// <summary>The fused 1x1 backward reading a deferred input. It sets the thread count, so it runs
/// in the isolated collection (no determinism test sees the switch).</summary>
[Collection(IsolatedCollection.Name)]
public class PointwiseBackwardMappedTests
{
    /// <summary>x read through a batch-norm map (a deferred output, mapped block by block) gives
    /// the bits of mapping x first, with 1, 2 and 3 threads.</summary>
    [Theory]
    [InlineData(1000, 48, 8, true)]
    [InlineData(5000, 7, 33, false)]
    [InlineData(9000, 24, 144, true)]
    public void MappedInputEqualsMappingFirst(int p, int o, int i, bool mapRelu6)
    {
        var xIn = RandomFloats(p * i, 2, -2f, 4f); var w = RandomFloats(o * i, 3);
        var dy = RandomFloats(p * o, 4); var map = RandomFloats(2 * i, 7, -1.5f, 1.5f);
        var bn = new BnFixture(p, o, 1, relu6: true, dy);
        var x = new float[p * i];
        BatchNorm.ApplyMap(xIn, x, p, i, map, mapRelu6);
        int threads = Workers.Threads;
        foreach (int t in new[] { 1, 2, 3 })
        {
            Workers.Threads = t;
            try
            {
                var dwRef = new float[o * i]; var dxRef = new float[p * i];
                PointwiseBackward.Run(dy, bn.Z, bn.ScaleShift, bn.Mean, bn.Coef, true, x, w, dwRef, dxRef, p, o, i);
                var dwMap = new float[o * i]; var dxMap = new float[p * i];
                PointwiseBackward.Run(dy, bn.Z, bn.ScaleShift, bn.Mean, bn.Coef, true, xIn, w, dwMap, dxMap, p, o, i, map, mapRelu6);
                Assert.Equal(dwRef, dwMap);
                Assert.Equal(dxRef, dxMap);
            }
            finally { Workers.Threads = threads; }
        }
    }

    /// <summary>The previous layer's batch-norm sums gathered while dX is written give that
    /// layer's coefficients as a separate pass over dX and its Z would, with 1, 2 and 3 threads.</summary>
    [Theory]
    [InlineData(1000, 48, 8, true)]
    [InlineData(9000, 24, 144, false)]
    [InlineData(20000, 16, 96, true)]
    public void GatheredSumsMatchASeparatePass(int p, int o, int i, bool ownerRelu6)
    {
        var x = RandomFloats(p * i, 12); var w = RandomFloats(o * i, 13); var dy = RandomFloats(p * o, 14);
        var bn = new BnFixture(p, o, 11, relu6: true, dy);
        var owner = new BnFixture(p, i, 17, ownerRelu6); // the batch norm over [P, I] whose dY is this dX
        int threads = Workers.Threads;
        foreach (int t in new[] { 1, 2, 3 })
        {
            Workers.Threads = t;
            try
            {
                var dx = new float[p * i];
                var partials = owner.NewPartials();
                PointwiseBackward.Run(dy, bn.Z, bn.ScaleShift, bn.Mean, bn.Coef, true, x, w, new float[o * i], dx, p, o, i,
                    dxSums: owner.Request(partials));
                owner.AssertSameCoefficients(dx, partials);
            }
            finally { Workers.Threads = threads; }
        }
    }
}
