using Dnas.Engine;

namespace Dnas.Data.Synthetic;

/// <summary>A linear RGB colour with channels in 0..255 (floats, so shading can scale it before
/// it is rounded into a byte).</summary>
internal readonly record struct Colour(float R, float G, float B)
{
    public static readonly Colour Black = new(0, 0, 0);

    public Colour Scale(float f) => new(R * f, G * f, B * f);

    public Colour Lerp(Colour to, float t) => new(R + (to.R - R) * t, G + (to.G - G) * t, B + (to.B - B) * t);

    /// <summary>Hue in turns (0..1), saturation and value in 0..1.</summary>
    public static Colour Hsv(float h, float s, float v)
    {
        h -= MathF.Floor(h);
        float c = v * s, hp = h * 6f, x = c * (1f - MathF.Abs(hp % 2f - 1f)), m = v - c;
        (float r, float g, float b) = (int)hp switch
        {
            0 => (c, x, 0f),
            1 => (x, c, 0f),
            2 => (0f, c, x),
            3 => (0f, x, c),
            4 => (x, 0f, c),
            _ => (c, 0f, x),
        };
        return new Colour((r + m) * 255f, (g + m) * 255f, (b + m) * 255f);
    }
}

/// <summary>Random helpers over the engine's <see cref="Rng"/> in the single-precision units the
/// scene description uses.</summary>
internal static class RngExtensions
{
    /// <summary>Uniform in [lo, hi).</summary>
    public static float Range(this Rng rng, float lo, float hi) => lo + (hi - lo) * (float)rng.NextDouble();

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(this Rng rng, float p) => rng.NextDouble() < p;

    /// <summary>+1 or -1 with equal probability.</summary>
    public static int Sign(this Rng rng) => (rng.NextUInt64() >> 63) == 0 ? 1 : -1;

    /// <summary>Log-uniform in [lo, hi).</summary>
    public static float LogRange(this Rng rng, float lo, float hi) => lo * MathF.Pow(hi / lo, (float)rng.NextDouble());

    public static float Radians(this Rng rng, float loDegrees, float hiDegrees) => rng.Range(loDegrees, hiDegrees) * (MathF.PI / 180f);
}
