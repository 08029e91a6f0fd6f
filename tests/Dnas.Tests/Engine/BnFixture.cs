using Dnas.Engine.Kernels;
using static Dnas.Tests.Engine.KernelAssert;

namespace Dnas.Tests.Engine;

/// <summary>A batch norm over seeded z [P,C] after a training forward (seeded gamma and beta):
/// its statistics and map, and, given dY, its gradient coefficients. The state the fused
/// backward kernels take, and the owner whose sums a kernel that writes its dY gathers.</summary>
internal sealed class BnFixture
{
    public readonly int P, C;
    public readonly bool Relu6;
    public readonly float[] Z, Gamma, Mean, InvStd, ScaleShift, Coef;

    public BnFixture(int p, int c, int seed, bool relu6, float[]? dy = null)
    {
        (P, C, Relu6) = (p, c, relu6);
        Z = RandomFloats(p * c, seed, -2f, 4f);
        Gamma = RandomFloats(c, seed + 1, 0.5f, 1.5f);
        var beta = RandomFloats(c, seed + 2);
        Mean = new float[c]; InvStd = new float[c]; ScaleShift = new float[2 * c]; Coef = new float[3 * c];
        BatchNorm.ForwardTrain(Z, new float[p * c], p, c, Gamma, beta, Mean, InvStd, new float[c], new float[c], 0.1f, 1e-5f, relu6, ScaleShift);
        if (dy != null)
            BatchNorm.BackwardCoefficients(dy, Z, ScaleShift, p, c, Gamma, Mean, InvStd, new float[c], new float[c], relu6, Coef);
    }

    /// <summary>Cleared partial sums and a request for a kernel that writes this batch norm's dY.</summary>
    public double[] NewPartials() => new double[BatchNormGradSumsRequest.Slots * 2 * C];

    public BatchNormGradSumsRequest Request(double[] partials) =>
        new() { Z = Z, Mask = Relu6 ? ScaleShift : default, Mean = Mean, Partials = partials, C = C };

    /// <summary>Coefficients from gathered partial sums against <see cref="BatchNorm.BackwardCoefficients"/>
    /// over <paramref name="dy"/> and Z.</summary>
    public void AssertSameCoefficients(float[] dy, double[] partials)
    {
        var cRef = new float[3 * C]; var dgRef = new float[C]; var dbRef = new float[C];
        BatchNorm.BackwardCoefficients(dy, Z, ScaleShift, P, C, Gamma, Mean, InvStd, dgRef, dbRef, Relu6, cRef);
        var cGot = new float[3 * C]; var dg = new float[C]; var db = new float[C];
        BatchNorm.CoefficientsFromSums(partials, BatchNormGradSumsRequest.Slots, P, C, Gamma, InvStd, dg, db, cGot);
        Close("dBeta", dbRef, db, 1e-5);
        Close("dGamma", dgRef, dg, 1e-5);
        Close("coefficients", cRef, cGot, 1e-5);
    }
}
