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
        var z = RandomFloats(p * o, 1, -2f, 4f); var xIn = RandomFloats(p * i, 2, -2f, 4f); var w = RandomFloats(o * i, 3);
        var dy = RandomFloats(p * o, 4); var gamma = RandomFloats(o, 5, 0.5f, 1.5f); var beta = RandomFloats(o, 6);
        var map = RandomFloats(2 * i, 7, -1.5f, 1.5f);
        var mean = new float[o]; var inv = new float[o]; var ss = new float[2 * o]; var coef = new float[3 * o];
        BatchNorm.ForwardTrain(z, new float[p * o], p, o, gamma, beta, mean, inv, new float[o], new float[o], 0.1f, 1e-5f, true, ss);
        BatchNorm.BackwardCoefficients(dy, z, ss, p, o, gamma, mean, inv, new float[o], new float[o], true, coef);
        var x = new float[p * i];
        BatchNorm.ApplyMap(xIn, x, p, i, map, mapRelu6);
        int threads = Workers.Threads;
        foreach (int t in new[] { 1, 2, 3 })
        {
            Workers.Threads = t;
            try
            {
                var dwRef = new float[o * i]; var dxRef = new float[p * i];
                PointwiseBackward.Run(dy, z, ss, mean, coef, true, x, w, dwRef, dxRef, p, o, i);
                var dwMap = new float[o * i]; var dxMap = new float[p * i];
                PointwiseBackward.Run(dy, z, ss, mean, coef, true, xIn, w, dwMap, dxMap, p, o, i, map, mapRelu6);
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
        var z = RandomFloats(p * o, 11, -2f, 4f); var x = RandomFloats(p * i, 12); var w = RandomFloats(o * i, 13);
        var dy = RandomFloats(p * o, 14); var gamma = RandomFloats(o, 15, 0.5f, 1.5f); var beta = RandomFloats(o, 16);
        var mean = new float[o]; var inv = new float[o]; var ss = new float[2 * o]; var coef = new float[3 * o];
        BatchNorm.ForwardTrain(z, new float[p * o], p, o, gamma, beta, mean, inv, new float[o], new float[o], 0.1f, 1e-5f, true, ss);
        BatchNorm.BackwardCoefficients(dy, z, ss, p, o, gamma, mean, inv, new float[o], new float[o], true, coef);
        // The owner of dX: a batch norm over [P, I] with its own statistics and map.
        var zo = RandomFloats(p * i, 17, -2f, 4f); var go = RandomFloats(i, 18, 0.5f, 1.5f); var bo = RandomFloats(i, 19);
        var mo = new float[i]; var io = new float[i]; var sso = new float[2 * i];
        BatchNorm.ForwardTrain(zo, new float[p * i], p, i, go, bo, mo, io, new float[i], new float[i], 0.1f, 1e-5f, ownerRelu6, sso);
        int threads = Workers.Threads;
        foreach (int t in new[] { 1, 2, 3 })
        {
            Workers.Threads = t;
            try
            {
                var dx = new float[p * i];
                var partials = new double[BatchNormGradSumsRequest.Slots * 2 * i];
                var request = new BatchNormGradSumsRequest { Z = zo, Mask = ownerRelu6 ? sso : default, Mean = mo, Partials = partials, C = i };
                PointwiseBackward.Run(dy, z, ss, mean, coef, true, x, w, new float[o * i], dx, p, o, i, dxSums: request);
                AssertSameCoefficients(dx, zo, sso, mo, io, go, partials, p, i, ownerRelu6);
            }
            finally { Workers.Threads = threads; }
        }
    }

    /// <summary>Coefficients from gathered partial sums against <see cref="BatchNorm.BackwardCoefficients"/> over dy and z.</summary>
    internal static void AssertSameCoefficients(float[] dy, float[] z, float[] ss, float[] mean, float[] invStd, float[] gamma,
        double[] partials, int p, int c, bool relu6)
    {
        var cRef = new float[3 * c]; var dgRef = new float[c]; var dbRef = new float[c];
        BatchNorm.BackwardCoefficients(dy, z, ss, p, c, gamma, mean, invStd, dgRef, dbRef, relu6, cRef);
        var cGot = new float[3 * c]; var dg = new float[c]; var db = new float[c];
        BatchNorm.CoefficientsFromSums(partials, BatchNormGradSumsRequest.Slots, p, c, gamma, invStd, dg, db, cGot);
        Close("dBeta", dbRef, db, 1e-5);
        Close("dGamma", dgRef, dg, 1e-5);
        Close("coefficients", cRef, cGot, 1e-5);
    }
}
