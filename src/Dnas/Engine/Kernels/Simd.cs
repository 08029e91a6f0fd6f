using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dnas.Engine.Kernels;

/// <summary>The handful of vector operations the GEMM micro-kernels need, as static abstract
/// members so each kernel is written once and the JIT specialises it per vector width
/// (512, 256 or a 1-wide scalar "vector"). The hot ones inline to single instructions.</summary>
internal unsafe interface ISimd<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Width { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(float* p);
    static abstract void Store(float* p, TV v);
    /// <summary>Every lane = *p.</summary>
    static abstract TV Broadcast(float* p);
    /// <summary>a * b + c (fused where the hardware has FMA).</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    /// <summary>g where 0 &lt; y &lt; 6, else 0 (the ReLU6 gradient mask).</summary>
    static abstract TV KeepInside06(TV g, TV y);
    /// <summary>Loads the first <paramref name="count"/> (0 &lt; count &lt; Width) lanes without
    /// touching memory past them; other lanes are zero.</summary>
    static abstract TV LoadPartial(float* p, int count);
    /// <summary>Stores the first <paramref name="count"/> (0 &lt; count &lt; Width) lanes only.</summary>
    static abstract void StorePartial(float* p, TV v, int count);
}

/// <summary>Which vector width the kernels use. Auto-detected; tests can force a narrower
/// (or, emulated, a wider) path to cover every code path on one machine.</summary>
internal static class SimdIsa
{
    public const int Scalar = 1, V256 = 256, V512 = 512;

    /// <summary>0 = pick from the hardware; otherwise <see cref="Scalar"/>, <see cref="V256"/> or
    /// <see cref="V512"/>. Only tests set this (forcing V512 on hardware without it runs the
    /// software-emulated vectors: correct but slow).</summary>
    internal static volatile int Force;

    public static int Current
    {
        get
        {
            int f = Force;
            if (f != 0) return f;
            if (Vector512.IsHardwareAccelerated) return V512;
            if (Vector256.IsHardwareAccelerated) return V256;
            return Scalar;
        }
    }
}

internal unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float* p) => Vector512.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeepInside06(Vector512<float> g, Vector512<float> y)
        => g & (Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512.LessThan(y, Vector512.Create(6f)));

    private static Vector512<float> Mask(int count)
        => Vector512.LessThan(Vector512.CreateSequence(0, 1), Vector512.Create(count)).AsSingle();

    public static Vector512<float> LoadPartial(float* p, int count)
    {
        if (Avx512F.IsSupported) return Avx512F.MaskLoad(p, Mask(count), Vector512<float>.Zero);
        var v = Vector512<float>.Zero;
        for (int i = 0; i < count; i++) v = v.WithElement(i, p[i]);
        return v;
    }

    public static void StorePartial(float* p, Vector512<float> v, int count)
    {
        if (Avx512F.IsSupported) { Avx512F.MaskStore(p, Mask(count), v); return; }
        for (int i = 0; i < count; i++) p[i] = v.GetElement(i);
    }
}

internal unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float* p) => Vector256.Create(*p);

    // Without FMA hardware Vector256.FusedMultiplyAdd is emulated lane by lane; an unfused
    // multiply-add is then far faster and just as good for training.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeepInside06(Vector256<float> g, Vector256<float> y)
        => g & (Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256.Create(6f)));

    private static Vector256<float> Mask(int count)
        => Vector256.LessThan(Vector256.CreateSequence(0, 1), Vector256.Create(count)).AsSingle();

    public static Vector256<float> LoadPartial(float* p, int count)
    {
        if (Avx.IsSupported) return Avx.MaskLoad(p, Mask(count));
        var v = Vector256<float>.Zero;
        for (int i = 0; i < count; i++) v = v.WithElement(i, p[i]);
        return v;
    }

    public static void StorePartial(float* p, Vector256<float> v, int count)
    {
        if (Avx.IsSupported) { Avx.MaskStore(p, Mask(count), v); return; }
        for (int i = 0; i < count; i++) p[i] = v.GetElement(i);
    }
}

/// <summary>One float per "vector": the portable fallback, same kernels, no intrinsics.</summary>
internal unsafe struct SimdScalar : ISimd<float>
{
    public static int Width => 1;
    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float v) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MulAdd(float a, float b, float c) => a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float KeepInside06(float g, float y) => y > 0f && y < 6f ? g : 0f;

    // Width 1 never has a partial vector.
    public static float LoadPartial(float* p, int count) => throw new InvalidOperationException("scalar has no partial vectors");
    public static void StorePartial(float* p, float v, int count) => throw new InvalidOperationException("scalar has no partial vectors");
}
