namespace Dnas.Engine;

/// <summary>A float32 tensor, activations in NHWC. The backing array may be larger than
/// the logical size so a buffer can be reused when a later step needs fewer elements
/// (the supernet changes resolution and width between steps).</summary>
public sealed class Tensor
{
    // Storage: a pinned array whose element _offset starts on a 64-byte boundary, so every row
    // of a 16-channel multiple starts a cache line and 512-bit loads never straddle two (a
    // straddling load costs two; the batch-norm sums ran 17-22 % slower on unaligned rows).
    // Pinned, it never moves, so the offset stays right. Wrapped caller arrays keep offset 0.
    private int[] _shape;
    private float[] _array;
    private int _offset;

    public int Length { get; private set; }

    public Tensor(params int[] shape)
    {
        _shape = (int[])shape.Clone();
        Length = checked((int)Engine.Shape.Product(shape));
        (_array, _offset) = AlignedFloats.Allocate(Length);
    }

    /// <summary>A tensor over <paramref name="data"/> as it is (no copy, no alignment).</summary>
    public Tensor(float[] data, params int[] shape)
    {
        _shape = (int[])shape.Clone();
        Length = checked((int)Engine.Shape.Product(shape));
        Engine.Shape.Require("Tensor", data.Length, Length);
        _array = data;
    }

    public ReadOnlySpan<int> Shape => _shape;
    public int Rank => _shape.Length;
    public int this[int dim] => _shape[dim];
    public Span<float> Span => _array.AsSpan(_offset, Length);

    /// <summary>Elements the storage holds (at least <see cref="Length"/>).</summary>
    public int Capacity => _array.Length - _offset;

    private void Grow(long n)
    {
        if (n > Capacity) (_array, _offset) = AlignedFloats.Allocate(n);
    }

    /// <summary>Gives the tensor a new shape, growing the backing array only when it must.
    /// Contents are unspecified afterwards.</summary>
    public void Reshape(params int[] shape)
    {
        long n = Engine.Shape.Product(shape);
        Grow(n);
        if (_shape.Length != shape.Length) _shape = new int[shape.Length];
        shape.CopyTo(_shape, 0);
        Length = (int)n;
    }

    /// <summary>Same as <see cref="Reshape(int[])"/> for the common NHWC case, without a params array.</summary>
    public void Reshape4(int n, int h, int w, int c)
    {
        long len = (long)n * h * w * c;
        Grow(len);
        if (_shape.Length != 4) _shape = new int[4];
        _shape[0] = n; _shape[1] = h; _shape[2] = w; _shape[3] = c;
        Length = (int)len;
    }

    public void Reshape2(int n, int c)
    {
        long len = (long)n * c;
        Grow(len);
        if (_shape.Length != 2) _shape = new int[2];
        _shape[0] = n; _shape[1] = c;
        Length = (int)len;
    }

    public void RequireShape(string what, params int[] expected)
    {
        if (!_shape.AsSpan().SequenceEqual(expected))
            throw new ShapeMismatchException(what, expected, _shape);
    }

    public override string ToString() => "Tensor" + Engine.Shape.Format(_shape);
}
