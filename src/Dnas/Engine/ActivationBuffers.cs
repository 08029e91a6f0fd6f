namespace Dnas.Engine;

/// <summary>Activation storage shared by networks that never run at the same time, such as
/// the subnets the supernet trains one after another in a step. Each network built with the
/// same instance takes its buffers in construction order (the first layer's output buffer is
/// always buffer 0, and so on), so a newly built subnet reuses the arrays earlier subnets grew
/// instead of allocating its own activations. A network's outputs stay valid only until
/// another network sharing the buffers runs.</summary>
public sealed class ActivationBuffers
{
    private readonly List<Tensor> _tensors = [];
    private int _cursor;

    /// <summary>Gradient buffers flowing backward, shared too.</summary>
    public GradientPool Gradients { get; } = new();

    /// <summary>Called by a network's constructor before its layers take buffers.</summary>
    internal void BeginNetwork() => _cursor = 0;

    internal Tensor Next()
    {
        if (_cursor == _tensors.Count) _tensors.Add(new Tensor(0));
        return _tensors[_cursor++];
    }

    /// <summary>Floats held across all buffers (for memory reports).</summary>
    public long Capacity => _tensors.Sum(t => (long)t.Capacity);
}
