namespace Dnas.Engine.Optim;

/// <summary>Updates parameters from their accumulated gradients at a given learning rate.</summary>
public interface IOptimizer
{
    void Step(float learningRate);

    /// <summary>The per-parameter buffers (momentum; Adam's two moments), for checkpoints.</summary>
    IReadOnlyList<float[]> State { get; }

    /// <summary>Steps taken (what the update depends on besides the buffers), for checkpoints.</summary>
    long Steps { get; set; }
}

/// <summary>SGD with momentum and weight decay, PyTorch's formula:
/// d = g + wd·p (wd = 0 for BN and biases); buf = μ·buf + d (buf = d on the first step);
/// p -= lr·(nesterov ? d + μ·buf : buf).</summary>
public sealed class Sgd : IOptimizer
{
    private readonly Parameter[] _params;
    private readonly float[][] _momentum;
    private bool _started;
    public float Momentum { get; }
    public float WeightDecay { get; }
    public bool Nesterov { get; }

    public Sgd(IEnumerable<Parameter> parameters, float momentum = 0.9f, float weightDecay = 4e-5f, bool nesterov = false)
    {
        _params = parameters.ToArray();
        _momentum = _params.Select(p => new float[p.Length]).ToArray();
        Momentum = momentum; WeightDecay = weightDecay; Nesterov = nesterov;
    }

    public void Step(float learningRate)
    {
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            float wd = p.NoDecay ? 0f : WeightDecay;
            var v = p.Value; var g = p.Grad; var buf = _momentum[i];
            for (int j = 0; j < v.Length; j++)
            {
                float d = g[j] + wd * v[j];
                float b = _started ? Momentum * buf[j] + d : d;
                buf[j] = b;
                v[j] -= learningRate * (Nesterov ? d + Momentum * b : b);
            }
        }
        _started = true;
    }

    /// <summary>Momentum buffers, for checkpoints.</summary>
    public IReadOnlyList<float[]> State => _momentum;
    public bool Started { get => _started; set => _started = value; }

    /// <summary>SGD only tells the first step from the others.</summary>
    public long Steps { get => _started ? 1 : 0; set => _started = value > 0; }
}

/// <summary>Adam (Kingma and Ba) with L2 weight decay added to the gradient, as torch.optim.Adam.</summary>
public sealed class Adam : IOptimizer
{
    private readonly Parameter[] _params;
    private readonly float[][] _m, _v;
    private long _t;
    public float Beta1 { get; } public float Beta2 { get; } public float Eps { get; } public float WeightDecay { get; }

    public Adam(IEnumerable<Parameter> parameters, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
    {
        _params = parameters.ToArray();
        _m = _params.Select(p => new float[p.Length]).ToArray();
        _v = _params.Select(p => new float[p.Length]).ToArray();
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        State = [.. _m, .. _v];
    }

    /// <summary>First moments of every parameter, then second moments.</summary>
    public IReadOnlyList<float[]> State { get; }

    public long Steps { get => _t; set => _t = value; }

    public void Step(float learningRate)
    {
        _t++;
        double bc1 = 1 - Math.Pow(Beta1, _t), bc2 = 1 - Math.Pow(Beta2, _t);
        float stepSize = (float)(learningRate / bc1);
        float sqrtBc2 = (float)Math.Sqrt(bc2);
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            float wd = p.NoDecay ? 0f : WeightDecay;
            var w = p.Value; var g = p.Grad; var m = _m[i]; var v = _v[i];
            for (int j = 0; j < w.Length; j++)
            {
                float d = g[j] + wd * w[j];
                m[j] = Beta1 * m[j] + (1 - Beta1) * d;
                v[j] = Beta2 * v[j] + (1 - Beta2) * d * d;
                w[j] -= stepSize * m[j] / (MathF.Sqrt(v[j]) / sqrtBc2 + Eps);
            }
        }
    }
}

/// <summary>Linear warm-up from 0 to the base rate, then half-cosine decay to <see cref="MinLr"/>.</summary>
public sealed record CosineSchedule(float BaseLr, long TotalSteps, long WarmupSteps = 0, float MinLr = 0f)
{
    public float At(long step)
    {
        if (step < WarmupSteps) return BaseLr * (step + 1) / WarmupSteps;
        long decay = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / decay);
        return (float)(MinLr + (BaseLr - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
