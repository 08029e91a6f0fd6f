namespace Dnas.Engine.Reference;

/// <summary>Plain batch norm over x [P,C] (P = N·H·W, NHWC flattened), PyTorch semantics:
/// biased variance normalises, the unbiased one feeds the running average.
/// Accumulates in double so it can also serve as the yardstick for the float kernels.</summary>
public static class BatchNormReference
{
    // x [P,C] -> y [P,C]; mean, invStd [C] saved for backward; running stats updated.
    public static void ForwardTrain(ReadOnlySpan<float> x, Span<float> y, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> mean, Span<float> invStd,
        Span<float> runningMean, Span<float> runningVar, float momentum, float eps)
    {
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int i = 0; i < p; i++) s += x[i * c + ch];
            double mu = s / p;
            double v = 0;
            for (int i = 0; i < p; i++) { double d = x[i * c + ch] - mu; v += d * d; }
            double var = v / p;
            mean[ch] = (float)mu;
            invStd[ch] = (float)(1.0 / Math.Sqrt(var + eps));
            double unbiased = p > 1 ? v / (p - 1) : var;
            runningMean[ch] = (float)((1 - momentum) * runningMean[ch] + momentum * mu);
            runningVar[ch] = (float)((1 - momentum) * runningVar[ch] + momentum * unbiased);
        }
        for (int i = 0; i < p; i++)
            for (int ch = 0; ch < c; ch++)
                y[i * c + ch] = (x[i * c + ch] - mean[ch]) * invStd[ch] * gamma[ch] + beta[ch];
    }

    // x [P,C] -> y [P,C] with running statistics.
    public static void ForwardInference(ReadOnlySpan<float> x, Span<float> y, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps)
    {
        for (int i = 0; i < p; i++)
            for (int ch = 0; ch < c; ch++)
                y[i * c + ch] = (float)((x[i * c + ch] - runningMean[ch]) / Math.Sqrt(runningVar[ch] + eps) * gamma[ch] + beta[ch]);
    }

    // dy, x [P,C], saved mean/invStd -> dx [P,C], dGamma, dBeta [C] (overwritten)
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> dGamma, Span<float> dBeta)
    {
        for (int ch = 0; ch < c; ch++)
        {
            double sb = 0, sg = 0;
            for (int i = 0; i < p; i++)
            {
                double xh = (x[i * c + ch] - mean[ch]) * invStd[ch];
                sb += dy[i * c + ch];
                sg += dy[i * c + ch] * xh;
            }
            dBeta[ch] = (float)sb;
            dGamma[ch] = (float)sg;
            double k = gamma[ch] * invStd[ch] / p;
            for (int i = 0; i < p; i++)
            {
                double xh = (x[i * c + ch] - mean[ch]) * invStd[ch];
                dx[i * c + ch] = (float)(k * (p * dy[i * c + ch] - sb - xh * sg));
            }
        }
    }
}
