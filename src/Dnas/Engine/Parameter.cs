namespace Dnas.Engine;

/// <summary>A trainable array with its gradient. Gradients accumulate (+=) until
/// <see cref="ZeroGrad"/>, so several forward/backward passes can share one optimiser step
/// (the supernet's sandwich rule).</summary>
public sealed class Parameter
{
    public string Name { get; }
    public int[] Shape { get; }
    public float[] Value { get; }
    public float[] Grad { get; }
    /// <summary>Excluded from weight decay (batch-norm scales/shifts and biases).</summary>
    public bool NoDecay { get; }

    public Parameter(string name, int[] shape, bool noDecay = false)
    {
        Name = name;
        Shape = shape;
        int n = checked((int)Engine.Shape.Product(shape));
        Value = new float[n];
        Grad = new float[n];
        NoDecay = noDecay;
    }

    public int Length => Value.Length;
    public void ZeroGrad() => Array.Clear(Grad);

    public void AccumulateGrad(ReadOnlySpan<float> g)
    {
        if (g.Length != Grad.Length) throw new ShapeMismatchException($"gradient for {Name}: expected {Grad.Length} elements, got {g.Length}");
        var dst = Grad.AsSpan();
        for (int i = 0; i < g.Length; i++) dst[i] += g[i];
    }

    public override string ToString() => $"{Name}{Engine.Shape.Format(Shape)}";
}
