using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dnas.Engine;

/// <summary>A pinned float buffer whose first element sits on a 64-byte boundary. The engine's
/// kernels read activations and the small per-channel arrays (batch-norm scale, shift, mean,
/// gradient coefficients) with 512-bit loads once per row; a load that straddles two cache lines
/// costs two. Pinned, the buffer never moves, so the boundary holds.</summary>
internal sealed class AlignedFloats
{
    private const int Floats = 16; // one 64-byte line
    private readonly float[] _array;
    private readonly int _offset;

    public AlignedFloats(int length)
    {
        (_array, _offset) = Allocate(length);
        Length = length;
    }

    public int Length { get; }
    public Span<float> Span => _array.AsSpan(_offset, Length);
    public float this[int i] { get => Span[i]; set => Span[i] = value; }

    public static implicit operator Span<float>(AlignedFloats a) => a.Span;
    public static implicit operator ReadOnlySpan<float>(AlignedFloats a) => a.Span;

    /// <summary>A pinned, zeroed array holding at least <paramref name="n"/> floats from the
    /// returned offset on, which is a 64-byte boundary.</summary>
    public static unsafe (float[] Array, int Offset) Allocate(long n)
    {
        if (n == 0) return ([], 0);
        var array = GC.AllocateArray<float>(checked((int)n + Floats - 1), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int offset = (int)((Floats * sizeof(float) - address % (Floats * sizeof(float))) % (Floats * sizeof(float)) / sizeof(float));
        return (array, offset);
    }
}
