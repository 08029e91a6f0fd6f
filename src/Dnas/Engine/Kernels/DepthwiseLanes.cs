using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

public static partial class Depthwise
{
    /// <summary>The few vector operations the depthwise loops need, as static members of a
    /// struct so each loop body is written once and the JIT specialises (and inlines) it per
    /// width: Vector512, Vector256, Vector128 and plain float. Channels are innermost in
    /// NHWC, so one vector always holds consecutive channels of one pixel.</summary>
    private unsafe interface ILanes<TV> where TV : struct
    {
        static abstract int Count { get; }
        static abstract TV Zero { get; }
        static abstract TV Load(float* p);
        static abstract void Store(float* p, TV v);
        /// <summary>a * b + acc, fused where the hardware can.</summary>
        static abstract TV MulAdd(TV a, TV b, TV acc);
        static abstract TV Add(TV a, TV b);
        /// <summary>Zeroes lanes below <paramref name="lane"/>: used when a tail block overlaps
        /// channels an earlier block already accumulated.</summary>
        static abstract TV KeepFrom(TV v, int lane);
    }

    private readonly unsafe struct Lanes512 : ILanes<Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;
        public static Vector512<float> Zero => Vector512<float>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector512<float> v) => v.Store(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> acc) => Vector512.MultiplyAddEstimate(a, b, acc);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
        public static Vector512<float> KeepFrom(Vector512<float> v, int lane)
            => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(lane)).AsSingle(), v, Vector512<float>.Zero);
    }

    private readonly unsafe struct Lanes256 : ILanes<Vector256<float>>
    {
        public static int Count => Vector256<float>.Count;
        public static Vector256<float> Zero => Vector256<float>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector256<float> v) => v.Store(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> acc) => Vector256.MultiplyAddEstimate(a, b, acc);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
        public static Vector256<float> KeepFrom(Vector256<float> v, int lane)
            => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(lane)).AsSingle(), v, Vector256<float>.Zero);
    }

    private readonly unsafe struct Lanes128 : ILanes<Vector128<float>>
    {
        public static int Count => Vector128<float>.Count;
        public static Vector128<float> Zero => Vector128<float>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector128<float> v) => v.Store(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> acc) => Vector128.MultiplyAddEstimate(a, b, acc);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
        public static Vector128<float> KeepFrom(Vector128<float> v, int lane)
            => Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(lane)).AsSingle(), v, Vector128<float>.Zero);
    }

    private readonly unsafe struct Lanes1 : ILanes<float>
    {
        public static int Count => 1;
        public static float Zero => 0f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, float v) => *p = v;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MulAdd(float a, float b, float acc) => float.MultiplyAddEstimate(a, b, acc);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
        public static float KeepFrom(float v, int lane) => lane > 0 ? 0f : v; // a width-1 loop never has a partial tail
    }

    /// <summary>Test hook: caps the vector width in bits. 0 = widest the hardware accelerates;
    /// 256 or 128 = at most that; anything in 1..127 = scalar. Not for production use.</summary>
    internal static int ForceIsa;

    /// <summary>Lanes per vector for <paramref name="c"/> channels: the widest accelerated
    /// vector that still fits in one pixel, so a partial last block can be handled by
    /// stepping back to c - lanes (overlapping, never reading past the pixel).</summary>
    private static int LanesFor(int c)
    {
        int cap = ForceIsa <= 0 ? int.MaxValue : ForceIsa;
        if (cap >= 512 && Vector512.IsHardwareAccelerated && c >= Vector512<float>.Count) return Vector512<float>.Count;
        if (cap >= 256 && Vector256.IsHardwareAccelerated && c >= Vector256<float>.Count) return Vector256<float>.Count;
        if (cap >= 128 && Vector128.IsHardwareAccelerated && c >= Vector128<float>.Count) return Vector128<float>.Count;
        return 1;
    }
}
