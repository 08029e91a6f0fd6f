using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnas.Data.Synthetic;

/// <summary>The background of a scene: an upper region (wall or sky) and a lower one (floor or
/// ground) split at a horizon that may be tilted and, outdoors, topped by a band of hills. Each
/// region is a linear gradient between two colours in any direction plus value noise, and
/// optionally stripes (wallpaper, panels, fences) above or perspective floor lines (planks,
/// tiles) below. Positions are fractions of the image height or width, lengths fractions of
/// min(width, height), so the same description renders at any resolution.</summary>
internal struct BackdropSpec
{
    /// <summary>Horizon height at the image centre (fraction of height); outside [0, 1] there is one region only.</summary>
    public float Horizon;
    /// <summary>Horizon slope, in height fractions per width fraction.</summary>
    public float Tilt;
    /// <summary>Height of the hills above the horizon (fraction of min side); 0 for none.</summary>
    public float HillHeight;
    public float HillFrequency;
    public Colour Hill;

    public Colour Upper0, Upper1, Lower0, Lower1;
    /// <summary>Direction of each region's gradient in radians (π/2: top to bottom, 0: left to right).</summary>
    public float UpperAngle, LowerAngle;

    /// <summary>Value-noise cells per min side, and amplitude (0..255 units) in each region.</summary>
    public float NoiseFrequency, UpperNoise, LowerNoise;
    /// <summary>Per-channel weight of the noise (grey noise is 1, 1, 1).</summary>
    public Colour NoiseTint;

    /// <summary>Vertical stripes on the upper region: period (fraction of min side) and amplitude.</summary>
    public float StripePeriod, StripeAmplitude;
    /// <summary>Perspective floor lines: spacing factor, amplitude, and whether lines towards the
    /// vanishing point cross them (tiles) at <see cref="VanishingX"/>.</summary>
    public float FloorSpacing, FloorAmplitude, VanishingX;
    public bool Tiles;

    public ulong NoiseSeed;
}

/// <summary>The final pass that plays the camera: exposure, white balance, a smooth illumination
/// gradient and vignette, and sensor noise.</summary>
internal struct CameraSpec
{
    public float Gain;
    public Colour WhiteBalance;
    public float GradientX, GradientY, Vignette;
    /// <summary>Standard deviation of the luminance noise, in 0..255 units.</summary>
    public float Noise;
    public ulong NoiseSeed;
}

internal static class Backdrop
{
    private const int Lattice = 16; // value-noise lattice side (wraps)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ulong x)
    {
        x ^= x >> 30; x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27; x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Fills a lattice with values in [-1, 1] derived from a seed.</summary>
    private static void FillLattice(Span<float> lattice, ulong seed)
    {
        for (int i = 0; i < lattice.Length; i++)
            lattice[i] = (Hash(seed + (ulong)i * 0x9E3779B97F4A7C15UL) >> 40) * (2f / (1 << 24)) - 1f;
    }

    /// <summary>Per-column (or per-row) lattice cell and smoothed fraction for a frequency.</summary>
    private static void Axis(Span<int> cell, Span<float> frac, float cellsPerPixel, float offset)
    {
        for (int i = 0; i < cell.Length; i++)
        {
            float u = (i + 0.5f) * cellsPerPixel + offset;
            float fl = MathF.Floor(u), t = u - fl;
            cell[i] = (int)fl & (Lattice - 1);
            frac[i] = t * t * (3f - 2f * t);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tri(float v)
    {
        v -= MathF.Floor(v);
        return MathF.Abs(v - 0.5f) * 4f - 1f; // -1..1
    }

    /// <summary>Writes every pixel of <paramref name="rgb"/> (HWC) from the description.</summary>
    public static unsafe void Render(in BackdropSpec s, Span<byte> rgb, int width, int height)
    {
        if (rgb.Length < width * height * 3) throw new ArgumentException("buffer too small", nameof(rgb));
        float side = Math.Min(width, height);
        Span<float> lat1 = stackalloc float[Lattice * Lattice];
        Span<float> lat2 = stackalloc float[Lattice * Lattice];
        FillLattice(lat1, s.NoiseSeed);
        FillLattice(lat2, s.NoiseSeed ^ 0x5DEECE66DUL);
        float f1 = s.NoiseFrequency / side, f2 = f1 * 2.6f;
        Span<int> cx1 = stackalloc int[width], cx2 = stackalloc int[width];
        Span<float> fx1 = stackalloc float[width], fx2 = stackalloc float[width];
        Axis(cx1, fx1, f1, 0.37f);
        Axis(cx2, fx2, f2, 5.11f);
        Span<int> cy1 = stackalloc int[height], cy2 = stackalloc int[height];
        Span<float> fy1 = stackalloc float[height], fy2 = stackalloc float[height];
        Axis(cy1, fy1, f1, 2.71f);
        Axis(cy2, fy2, f2, 9.43f);

        // Horizon (and hill line) per column, in pixels.
        Span<float> horizon = stackalloc float[width], hills = stackalloc float[width];
        bool hasHills = s.HillHeight > 0f;
        float hillF = s.HillFrequency / side;
        float minHorizon = float.MaxValue, maxHorizon = float.MinValue, minHills = float.MaxValue;
        for (int x = 0; x < width; x++)
        {
            float xf = (x + 0.5f) / width - 0.5f;
            horizon[x] = (s.Horizon + s.Tilt * xf) * height;
            if (hasHills)
            {
                // One-dimensional value noise along lattice row 3, two octaves, mapped to 0..1.
                float u = (x + 0.5f) * hillF + 1.3f, fl = MathF.Floor(u), t = u - fl;
                int c0 = (int)fl & (Lattice - 1);
                t = t * t * (3f - 2f * t);
                float n = lat1[3 * Lattice + c0] + (lat1[3 * Lattice + ((c0 + 1) & (Lattice - 1))] - lat1[3 * Lattice + c0]) * t;
                float u2 = u * 3.1f, fl2 = MathF.Floor(u2), t2 = u2 - fl2;
                int d0 = (int)fl2 & (Lattice - 1);
                n += 0.3f * (lat2[5 * Lattice + d0] + (lat2[5 * Lattice + ((d0 + 1) & (Lattice - 1))] - lat2[5 * Lattice + d0]) * t2);
                hills[x] = horizon[x] - s.HillHeight * side * (0.55f + 0.45f * n);
            }
            else hills[x] = horizon[x];
            minHorizon = MathF.Min(minHorizon, horizon[x]);
            maxHorizon = MathF.Max(maxHorizon, horizon[x]);
            minHills = MathF.Min(minHills, hills[x]);
        }

        // Region gradients: t = 0.5 + (x - cx)·gx + (y - cy)·gy over each region's box; the
        // x part and the wall stripes are per column.
        float hMid = Math.Clamp(s.Horizon, 0f, 1f) * height;
        float upperH = MathF.Max(hMid, 1f), lowerH = MathF.Max(height - hMid, 1f);
        float ugy = MathF.Sin(s.UpperAngle) / upperH, ucy = hMid * 0.5f;
        float lgy = MathF.Sin(s.LowerAngle) / lowerH, lcy = (hMid + height) * 0.5f;
        float ugx = MathF.Cos(s.UpperAngle) / width, lgx = MathF.Cos(s.LowerAngle) / width;
        Span<float> colU = stackalloc float[width], colL = stackalloc float[width], stripe = stackalloc float[width];
        float stripeF = s.StripePeriod > 0f ? 1f / (s.StripePeriod * side) : 0f;
        for (int x = 0; x < width; x++)
        {
            float px = x + 0.5f - width * 0.5f;
            colU[x] = px * ugx;
            colL[x] = px * lgx;
            stripe[x] = stripeF != 0f ? s.StripeAmplitude * Tri((x + 0.5f) * stripeF) : 0f;
        }
        float vanX = s.VanishingX * width;
        Span<float> row1 = stackalloc float[Lattice + 1], row2 = stackalloc float[Lattice + 1];
        var up0 = s.Upper0; var upD = new Colour(s.Upper1.R - s.Upper0.R, s.Upper1.G - s.Upper0.G, s.Upper1.B - s.Upper0.B);
        var tint = s.NoiseTint;
        float upperNoise = s.UpperNoise;

        fixed (byte* basePtr = rgb)
        fixed (int* pcx1 = cx1, pcx2 = cx2)
        fixed (float* pfx1 = fx1, pfx2 = fx2, pr1 = row1, pr2 = row2, pu = colU, pst = stripe)
        {
            for (int y = 0; y < height; y++)
            {
                float py = y + 0.5f;
                // Noise lattice rows interpolated once per image row.
                int r1a = cy1[y] * Lattice, r1b = ((cy1[y] + 1) & (Lattice - 1)) * Lattice;
                int r2a = cy2[y] * Lattice, r2b = ((cy2[y] + 1) & (Lattice - 1)) * Lattice;
                float gy1 = fy1[y], gy2 = fy2[y];
                for (int i = 0; i < Lattice; i++)
                {
                    row1[i] = lat1[r1a + i] + (lat1[r1b + i] - lat1[r1a + i]) * gy1;
                    row2[i] = 0.45f * (lat2[r2a + i] + (lat2[r2b + i] - lat2[r2a + i]) * gy2);
                }
                row1[Lattice] = row1[0];
                row2[Lattice] = row2[0];
                float uRow = 0.5f + (py - ucy) * ugy, lRow = 0.5f + (py - lcy) * lgy;
                byte* o = basePtr + (long)y * width * 3;
                if (py + 0.5f <= minHills && py + 0.5f <= minHorizon)
                {
                    // Entirely wall or sky: the fast path.
                    for (int x = 0; x < width; x++, o += 3)
                    {
                        int a = pcx1[x], b = pcx2[x];
                        float n = pr1[a] + (pr1[a + 1] - pr1[a]) * pfx1[x] + pr2[b] + (pr2[b + 1] - pr2[b]) * pfx2[x];
                        float t = uRow + pu[x];
                        t = t < 0f ? 0f : t > 1f ? 1f : t;
                        float k = n * upperNoise + pst[x];
                        o[0] = Sat(up0.R + upD.R * t + k * tint.R);
                        o[1] = Sat(up0.G + upD.G * t + k * tint.G);
                        o[2] = Sat(up0.B + upD.B * t + k * tint.B);
                    }
                    continue;
                }
                if (py - 0.5f >= maxHorizon)
                {
                    // Entirely floor or ground.
                    for (int x = 0; x < width; x++, o += 3)
                    {
                        int a = pcx1[x], b = pcx2[x];
                        float n = pr1[a] + (pr1[a + 1] - pr1[a]) * pfx1[x] + pr2[b] + (pr2[b + 1] - pr2[b]) * pfx2[x];
                        LowerColour(in s, x + 0.5f, py - horizon[x], lRow + colL[x], n, height, vanX, out float r, out float g, out float bl);
                        o[0] = Sat(r);
                        o[1] = Sat(g);
                        o[2] = Sat(bl);
                    }
                    continue;
                }
                for (int x = 0; x < width; x++, o += 3)
                {
                    float px = x + 0.5f;
                    int a = pcx1[x], b = pcx2[x];
                    float n = pr1[a] + (pr1[a + 1] - pr1[a]) * pfx1[x] + pr2[b] + (pr2[b + 1] - pr2[b]) * pfx2[x];
                    float below = py - horizon[x]; // > 0 on the floor
                    float r, g, bl;
                    if (below >= 0.5f)
                    {
                        LowerColour(in s, px, below, lRow + colL[x], n, height, vanX, out r, out g, out bl);
                    }
                    else
                    {
                        float ur, ug, ub;
                        float aboveHill = hills[x] - py; // > 0 in the sky above the hills
                        if (hasHills && aboveHill < 0.5f)
                        {
                            float nh = n * s.LowerNoise * 0.5f;
                            float hr = s.Hill.R + nh * tint.R, hg = s.Hill.G + nh * tint.G, hb = s.Hill.B + nh * tint.B;
                            if (aboveHill > -0.5f)
                            {
                                UpperColour(in s, uRow + pu[x], n, pst[x], out float sr, out float sg, out float sb);
                                float k = 0.5f - aboveHill; // coverage of the hill
                                hr = sr + (hr - sr) * k; hg = sg + (hg - sg) * k; hb = sb + (hb - sb) * k;
                            }
                            ur = hr; ug = hg; ub = hb;
                        }
                        else UpperColour(in s, uRow + pu[x], n, pst[x], out ur, out ug, out ub);
                        if (below > -0.5f)
                        {
                            LowerColour(in s, px, MathF.Max(below, 0f), lRow + colL[x], n, height, vanX, out float lr, out float lg, out float lb);
                            float k = below + 0.5f;
                            ur += (lr - ur) * k; ug += (lg - ug) * k; ub += (lb - ub) * k;
                        }
                        r = ur; g = ug; bl = ub;
                    }
                    o[0] = Sat(r);
                    o[1] = Sat(g);
                    o[2] = Sat(bl);
                }
            }
        }
    }

    /// <summary>Rounds and saturates to a byte without branches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Sat(float v) => (byte)Math.Clamp((int)(v + 0.5f), 0, 255);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpperColour(in BackdropSpec s, float t, float n, float stripe, out float r, out float g, out float b)
    {
        t = t < 0f ? 0f : t > 1f ? 1f : t;
        float k = n * s.UpperNoise + stripe;
        r = s.Upper0.R + (s.Upper1.R - s.Upper0.R) * t + k * s.NoiseTint.R;
        g = s.Upper0.G + (s.Upper1.G - s.Upper0.G) * t + k * s.NoiseTint.G;
        b = s.Upper0.B + (s.Upper1.B - s.Upper0.B) * t + k * s.NoiseTint.B;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LowerColour(in BackdropSpec s, float px, float below, float t, float n, int height, float vanX,
        out float r, out float g, out float b)
    {
        t = t < 0f ? 0f : t > 1f ? 1f : t;
        float k = n * s.LowerNoise;
        if (s.FloorAmplitude != 0f)
        {
            // Lines equally spaced on the floor plane are equally spaced in 1/(distance below the horizon).
            float depth = below + 1f;
            float fade = MathF.Min(1f, depth / (0.25f * height));
            float line = Line(s.FloorSpacing * height / depth);
            if (s.Tiles) line = MathF.Max(line, Line((px - vanX) / depth * 2.2f));
            k -= s.FloorAmplitude * fade * line;
        }
        r = s.Lower0.R + (s.Lower1.R - s.Lower0.R) * t + k * s.NoiseTint.R;
        g = s.Lower0.G + (s.Lower1.G - s.Lower0.G) * t + k * s.NoiseTint.G;
        b = s.Lower0.B + (s.Lower1.B - s.Lower0.B) * t + k * s.NoiseTint.B;
    }

    /// <summary>1 on integer values of v, falling to 0 a fifth of a period away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Line(float v)
    {
        v -= MathF.Floor(v);
        float d = MathF.Min(v, 1f - v) * 5f;
        return d >= 1f ? 0f : 1f - d;
    }

    private const int NoiseTableBits = 15;

    /// <summary>Standard normal deviates, fixed for all time (derived from a hash, not a library
    /// generator); each image row reads them from its own random offset.</summary>
    private static readonly float[] NoiseTable = BuildNoiseTable();

    private static float[] BuildNoiseTable()
    {
        var t = new float[(1 << NoiseTableBits) + 1024 * 3];
        for (int i = 0; i < t.Length; i += 2)
        {
            ulong h = Hash(0xA0761D6478BD642FUL + (ulong)i);
            double u1 = ((h >> 11) + 1) * (1.0 / (1UL << 53)), u2 = (Hash(h) >> 11) * (1.0 / (1UL << 53));
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            t[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < t.Length) t[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return t;
    }

    /// <summary>Applies exposure, white balance, illumination and sensor noise in place.</summary>
    public static void Expose(in CameraSpec c, Span<byte> rgb, int width, int height)
    {
        int rowBytes = width * 3;
        if (rgb.Length < rowBytes * height) throw new ArgumentException("buffer too small", nameof(rgb));
        float invW = 1f / width, invH = 1f / height, vig = 2f * c.Vignette;
        // Illumination is a row term plus a column term; per byte of a row, factor = gain·(row + column).
        Span<float> gain = stackalloc float[rowBytes], column = stackalloc float[rowBytes], factor = stackalloc float[rowBytes];
        float gr = c.Gain * c.WhiteBalance.R, gg = c.Gain * c.WhiteBalance.G, gb = c.Gain * c.WhiteBalance.B;
        for (int x = 0; x < width; x++)
        {
            float xf = (x + 0.5f) * invW - 0.5f, term = c.GradientX * xf - vig * xf * xf;
            gain[3 * x] = gr; gain[3 * x + 1] = gg; gain[3 * x + 2] = gb;
            column[3 * x] = gr * term; column[3 * x + 1] = gg * term; column[3 * x + 2] = gb * term;
        }
        var table = NoiseTable;
        ulong state = c.NoiseSeed | 1UL;
        for (int y = 0; y < height; y++)
        {
            float yf = (y + 0.5f) * invH - 0.5f;
            float rowLight = 1f + c.GradientY * yf - vig * yf * yf;
            for (int j = 0; j < rowBytes; j++) factor[j] = gain[j] * rowLight + column[j];
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
            int offset = (int)((state * 0x2545F4914F6CDD1DUL) >> (64 - NoiseTableBits));
            ScaleAddNoise(rgb.Slice(y * rowBytes, rowBytes), factor, table.AsSpan(offset, rowBytes), c.Noise);
        }
    }

    /// <summary>row[j] = saturate(round(row[j]·factor[j] + noise[j]·sigma)).</summary>
    private static void ScaleAddNoise(Span<byte> row, ReadOnlySpan<float> factor, ReadOnlySpan<float> noise, float sigma)
    {
        int n = row.Length, j = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(sigma);
            var half = Vector128.Create(0.5f);
            var zero = Vector128<float>.Zero;
            var max = Vector128.Create(255f);
            for (; j + 16 <= n; j += 16)
            {
                var bytes = Vector128.Create<byte>(row.Slice(j, 16));
                var (lo, hi) = Vector128.Widen(bytes);
                var (a, b) = Vector128.Widen(lo);
                var (cc, d) = Vector128.Widen(hi);
                var ia = One(a, factor.Slice(j), noise.Slice(j), s, half, zero, max);
                var ib = One(b, factor.Slice(j + 4), noise.Slice(j + 4), s, half, zero, max);
                var ic = One(cc, factor.Slice(j + 8), noise.Slice(j + 8), s, half, zero, max);
                var id = One(d, factor.Slice(j + 12), noise.Slice(j + 12), s, half, zero, max);
                Vector128.Narrow(Vector128.Narrow(ia, ib), Vector128.Narrow(ic, id)).CopyTo(row.Slice(j, 16));
            }
        }
        for (; j < n; j++)
            row[j] = (byte)Math.Clamp((int)(row[j] * factor[j] + noise[j] * sigma + 0.5f), 0, 255);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> One(Vector128<uint> v, ReadOnlySpan<float> factor, ReadOnlySpan<float> noise,
        Vector128<float> sigma, Vector128<float> half, Vector128<float> zero, Vector128<float> max)
    {
        var f = Vector128.ConvertToSingle(v) * Vector128.Create(factor) + Vector128.Create(noise) * sigma + half;
        f = Vector128.MinNative(Vector128.MaxNative(f, zero), max);
        return Vector128.ConvertToInt32Native(f).AsUInt32();
    }
}
