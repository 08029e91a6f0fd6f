using System.Numerics;

namespace Dnas.Engine.Reference;

/// <summary>Plain batch norm over x [P,C] (P = N·H·W, NHWC flattened), PyTorch semantics:
/// biased variance normalises, the unbiased one feeds the running average. Two-pass
/// statistics; generic so gradient checks can run it in double.</summary>
public static class BatchNormReference
{
    // x [P,C] -> y [P,C]; mean, invStd [C] saved for backward; running stats updated.
    public static void ForwardTrain<T>(ReadOnlySpan<T> x, Span<T> y, int p, int c,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> mean, Span<T> invStd,
        Span<T> runningMean, Span<T> runningVar, T momentum, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(p);
        for (int ch = 0; ch < c; ch++)
        {
            T s = T.Zero;
            for (int i = 0; i < p; i++) s += x[i * c + ch];
            T mu = s / count;
            T v = T.Zero;
            for (int i = 0; i < p; i++) { T d = x[i * c + ch] - mu; v += d * d; }
            T var = v / count;
            mean[ch] = mu;
            invStd[ch] = T.One / T.Sqrt(var + eps);
            T unbiased = p > 1 ? v / (count - T.One) : var;
            runningMean[ch] = (T.One - momentum) * runningMean[ch] + momentum * mu;
            runningVar[ch] = (T.One - momentum) * runningVar[ch] + momentum * unbiased;
        }
        for (int i = 0; i < p; i++)
            for (int ch = 0; ch < c; ch++)
                y[i * c + ch] = (x[i * c + ch] - mean[ch]) * invStd[ch] * gamma[ch] + beta[ch];
    }

    // x [P,C] -> y [P,C] with running statistics.
    public static void ForwardInference<T>(ReadOnlySpan<T> x, Span<T> y, int p, int c,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVar, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p; i++)
            for (int ch = 0; ch < c; ch++)
                y[i * c + ch] = (x[i * c + ch] - runningMean[ch]) / T.Sqrt(runningVar[ch] + eps) * gamma[ch] + beta[ch];
    }

    // dy, x [P,C], saved mean/invStd -> dx [P,C], dGamma, dBeta [C] (overwritten)
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dx, int p, int c,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd, Span<T> dGamma, Span<T> dBeta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(p);
        for (int ch = 0; ch < c; ch++)
        {
            T sb = T.Zero, sg = T.Zero;
            for (int i = 0; i < p; i++)
            {
                T xh = (x[i * c + ch] - mean[ch]) * invStd[ch];
                sb += dy[i * c + ch];
                sg += dy[i * c + ch] * xh;
            }
            dBeta[ch] = sb;
            dGamma[ch] = sg;
            T k = gamma[ch] * invStd[ch] / count;
            for (int i = 0; i < p; i++)
            {
                T xh = (x[i * c + ch] - mean[ch]) * invStd[ch];
                dx[i * c + ch] = k * (count * dy[i * c + ch] - sb - xh * sg);
            }
        }
    }
}
