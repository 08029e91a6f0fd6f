using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dnas.Engine.Kernels;

/// <summary>Every kernel's per-thread working memory: grow-only, pinned buffers that start on a
/// 64-byte boundary (like <see cref="AlignedFloats"/>), one per <see cref="Slot"/>, so a step
/// allocates nothing once warmed up and no 512-bit access splits a cache line.</summary>
internal static unsafe class ThreadScratch
{
    /// <summary>Independent buffers a thread may hold at the same time.</summary>
    public enum Slot
    {
        /// <summary>GEMM: packed B panels, packed A blocks, per-chunk partial C, mapped A and B blocks.</summary>
        PackedB, PackedA, Partials, MappedA, MappedB,
        /// <summary>Depthwise: mapped input rows of a band; the weights and weight-gradient partials.</summary>
        DepthwiseStage, DepthwiseWeights,
        /// <summary>Fused 1x1 backward: every part's dZ block, partial dW and mapped x block.</summary>
        PointwiseBlocks,
    }

    private const int SlotCount = (int)Slot.PointwiseBlocks + 1;

    [ThreadStatic] private static float[]?[]? _buffers;

    /// <summary>At least <paramref name="floats"/> floats private to the calling thread
    /// (concurrent callers never share them); valid until the thread's next request for the
    /// same slot. Other threads may read and write it meanwhile if the caller waits for them.</summary>
    public static float* Get(Slot slot, long floats)
    {
        var buffers = _buffers ??= new float[SlotCount][];
        ref float[]? s = ref buffers[(int)slot];
        long need = floats + 16; // room to align to 64 bytes
        if (s == null || s.Length < need)
        {
            long grow = Math.Max(need, Math.Min(Array.MaxLength, s == null ? 0 : s.Length + (long)s.Length / 2));
            s = GC.AllocateUninitializedArray<float>(checked((int)grow), pinned: true);
        }
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s));
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
