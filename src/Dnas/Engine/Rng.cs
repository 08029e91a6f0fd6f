namespace Dnas.Engine;

/// <summary>A small, fast, seedable generator (xoshiro256** seeded through SplitMix64) so
/// that initialisation, shuffling and augmentation are identical on every machine and
/// .NET version — System.Random's algorithm is not guaranteed stable.</summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spare;

    public Rng(ulong seed) => Reseed(seed);

    /// <summary>Restarts the generator as if it had just been made with <paramref name="seed"/>
    /// (lets a hot loop reuse one instance per thread instead of allocating).</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        _spare = null;
    }

    /// <summary>The generator's whole state, for checkpoints: restoring it continues the
    /// sequence exactly where it was.</summary>
    public (ulong S0, ulong S1, ulong S2, ulong S3, double? Spare) State
    {
        get => (_s0, _s1, _s2, _s3, _spare);
        set => (_s0, _s1, _s2, _s3, _spare) = value;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        return (int)((NextUInt64() >> 33) * (ulong)n >> 31);
    }

    /// <summary>Standard normal (Box–Muller, the spare value kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_spare is double s) { _spare = null; return s; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
