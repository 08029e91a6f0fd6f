namespace Dnas.Engine;

/// <summary>Gradient tensors flowing backward are short-lived: at most three are live at
/// once in MobileNetV2 (the block's output gradient kept for the skip path, the branch's
/// gradient, and the input gradient). This pool hands them out and takes them back, so a
/// training step allocates nothing once the buffers have grown to the largest activation.</summary>
public sealed class GradientPool
{
    private readonly List<Tensor> _free = [];

    public Tensor Rent4(int n, int h, int w, int c)
    {
        var t = TakeLargest();
        t.Reshape4(n, h, w, c);
        return t;
    }

    public Tensor Rent2(int n, int c)
    {
        var t = TakeLargest();
        t.Reshape2(n, c);
        return t;
    }

    public void Return(Tensor t) => _free.Add(t);

    private Tensor TakeLargest()
    {
        if (_free.Count == 0) return new Tensor(0);
        int best = 0;
        for (int i = 1; i < _free.Count; i++) if (_free[i].Capacity > _free[best].Capacity) best = i;
        var t = _free[best];
        _free.RemoveAt(best);
        return t;
    }
}
