using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dnas.Data.Synthetic;

/// <summary>What a fill does to the optional figure mask (a test-only view of where people are).</summary>
internal enum MaskMode : byte
{
    /// <summary>The mask is left alone (background, shadows).</summary>
    None,
    /// <summary>The shape is part of a person: its coverage is written into the mask.</summary>
    Figure,
    /// <summary>The shape is scenery: whatever it covers is no longer visible figure.</summary>
    Occluder,
}

/// <summary>The key light of a scene, a unit vector in image coordinates (x right, y down, z
/// towards the viewer), used to shade limbs, balls and faces of boxes.</summary>
internal readonly record struct Light(float X, float Y, float Z);

/// <summary>An anti-aliased rasteriser over an HWC RGB byte buffer. Every shape is a signed
/// distance function evaluated at pixel centres over the shape's bounding box only; coverage is
/// <c>clamp(0.5 - distance, 0, 1)</c>, which gives one-pixel-wide anti-aliased edges without
/// supersampling. Coordinates are in pixels, y down.</summary>
internal ref struct Canvas
{
    private readonly Span<byte> _rgb;
    private readonly Span<byte> _mask;
    private MaskMode _mode;

    public readonly int Width;
    public readonly int Height;
    public Light Light;

    public Canvas(Span<byte> rgb, Span<byte> mask, int width, int height)
    {
        _rgb = rgb;
        _mask = mask;
        Width = width;
        Height = height;
        Light = new Light(0, 0, 1);
    }

    /// <summary>How subsequent fills touch the mask; ignored when there is no mask.</summary>
    public MaskMode Mode
    {
        readonly get => _mode;
        set => _mode = _mask.IsEmpty ? MaskMode.None : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Clamp255(float v) => v < 0f ? 0f : v > 255f ? 255f : v;

    /// <summary>Blends (r, g, b), already within 0..255, into pixel <paramref name="i"/> with
    /// coverage <paramref name="a"/>. Callers only pass pixels inside the image (the bounding box
    /// is clamped to it and the buffer holds exactly width·height pixels), so the access is unchecked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put(int i, float r, float g, float b, float a)
    {
        ref byte p = ref Unsafe.Add(ref MemoryMarshal.GetReference(_rgb), i * 3);
        if (a >= 1f)
        {
            p = (byte)(r + 0.5f);
            Unsafe.Add(ref p, 1) = (byte)(g + 0.5f);
            Unsafe.Add(ref p, 2) = (byte)(b + 0.5f);
        }
        else
        {
            float d0 = p, d1 = Unsafe.Add(ref p, 1), d2 = Unsafe.Add(ref p, 2);
            p = (byte)(d0 + (r - d0) * a + 0.5f);
            Unsafe.Add(ref p, 1) = (byte)(d1 + (g - d1) * a + 0.5f);
            Unsafe.Add(ref p, 2) = (byte)(d2 + (b - d2) * a + 0.5f);
        }
        if (_mode != MaskMode.None) PutMask(i, a);
    }

    private void PutMask(int i, float a)
    {
        ref byte m = ref _mask[i];
        if (_mode == MaskMode.Figure)
        {
            byte v = (byte)(a * 255f + 0.5f);
            if (v > m) m = v;
        }
        else
        {
            m = (byte)(m * (1f - a) + 0.5f);
        }
    }

    /// <summary>The pixel rectangle a shape with these float bounds can touch (one pixel of margin
    /// for the anti-aliased edge); false when it misses the image.</summary>
    private readonly bool Bounds(float minX, float minY, float maxX, float maxY, out int x0, out int y0, out int x1, out int y1)
    {
        x0 = y0 = x1 = y1 = 0;
        if (!(maxX > -1f && maxY > -1f && minX < Width + 1f && minY < Height + 1f)) return false; // also rejects NaN
        x0 = Math.Max(0, (int)MathF.Floor(minX - 0.5f));
        y0 = Math.Max(0, (int)MathF.Floor(minY - 0.5f));
        x1 = Math.Min(Width - 1, (int)MathF.Ceiling(maxX + 0.5f));
        y1 = Math.Min(Height - 1, (int)MathF.Ceiling(maxY + 0.5f));
        return x0 <= x1 && y0 <= y1;
    }

    /// <summary>A capsule from a to b whose radius goes linearly from <paramref name="ra"/> to
    /// <paramref name="rb"/> (limbs, necks, poles), shaded like a lit cylinder by
    /// <paramref name="shade"/> (0 = flat).</summary>
    public void Capsule(float ax, float ay, float bx, float by, float ra, float rb, Colour c, float shade = 0f, float opacity = 1f)
    {
        ra = MathF.Max(ra, 0.05f);
        rb = MathF.Max(rb, 0.05f);
        if (!Bounds(MathF.Min(ax - ra, bx - rb), MathF.Min(ay - ra, by - rb), MathF.Max(ax + ra, bx + rb), MathF.Max(ay + ra, by + rb),
                out int x0, out int y0, out int x1, out int y1)) return;
        float bax = bx - ax, bay = by - ay, len2 = bax * bax + bay * bay;
        float inv = len2 > 1e-6f ? 1f / len2 : 0f;
        float len = MathF.Sqrt(len2);
        float nx = len > 1e-3f ? -bay / len : 1f, ny = len > 1e-3f ? bax / len : 0f;
        float nl = nx * Light.X + ny * Light.Y, lz = Light.Z, dr = rb - ra;
        for (int y = y0; y <= y1; y++)
        {
            float pay = y + 0.5f - ay;
            int row = y * Width;
            for (int x = x0; x <= x1; x++)
            {
                float pax = x + 0.5f - ax;
                float h = (pax * bax + pay * bay) * inv;
                h = h < 0f ? 0f : h > 1f ? 1f : h;
                float qx = pax - bax * h, qy = pay - bay * h, r = ra + dr * h;
                float d2 = qx * qx + qy * qy, lim = r + 0.5f;
                if (d2 >= lim * lim) continue;
                float dist = MathF.Sqrt(d2);
                float a = lim - dist;
                if (a > 1f) a = 1f;
                float f = 1f;
                if (shade != 0f)
                {
                    float s = (qx * nx + qy * ny) / r;
                    s = s < -1f ? -1f : s > 1f ? 1f : s;
                    float lambert = s * nl + MathF.Sqrt(1f - s * s) * lz;
                    f = 1f + shade * ((lambert > 0f ? lambert : 0f) - lz);
                }
                Put(row + x, Clamp255(c.R * f), Clamp255(c.G * f), Clamp255(c.B * f), a * opacity);
            }
        }
    }

    /// <summary>A disc, shaded like a lit sphere by <paramref name="shade"/>.</summary>
    public void Circle(float cx, float cy, float r, Colour c, float shade = 0f, float opacity = 1f)
    {
        r = MathF.Max(r, 0.05f);
        if (!Bounds(cx - r, cy - r, cx + r, cy + r, out int x0, out int y0, out int x1, out int y1)) return;
        float lim = r + 0.5f, lim2 = lim * lim, invR = 1f / r;
        for (int y = y0; y <= y1; y++)
        {
            float dy = y + 0.5f - cy;
            int row = y * Width;
            for (int x = x0; x <= x1; x++)
            {
                float dx = x + 0.5f - cx, d2 = dx * dx + dy * dy;
                if (d2 >= lim2) continue;
                float a = lim - MathF.Sqrt(d2);
                if (a > 1f) a = 1f;
                float f = 1f;
                if (shade != 0f)
                {
                    float u = dx * invR, v = dy * invR, w = 1f - u * u - v * v;
                    float lambert = u * Light.X + v * Light.Y + (w > 0f ? MathF.Sqrt(w) : 0f) * Light.Z;
                    f = 1f + shade * ((lambert > 0f ? lambert : 0f) - Light.Z);
                }
                Put(row + x, Clamp255(c.R * f), Clamp255(c.G * f), Clamp255(c.B * f), a * opacity);
            }
        }
    }

    /// <summary>An ellipse with semi-axes (rx, ry) rotated by <paramref name="angle"/> radians,
    /// shaded like a lit ellipsoid. The distance is the usual first-order approximation, exact on
    /// the boundary, which is all the anti-aliasing needs.</summary>
    public void Ellipse(float cx, float cy, float rx, float ry, float angle, Colour c, float shade = 0f, float opacity = 1f)
    {
        rx = MathF.Max(rx, 0.05f);
        ry = MathF.Max(ry, 0.05f);
        float cs = MathF.Cos(angle), sn = MathF.Sin(angle);
        float ex = MathF.Sqrt(rx * rx * cs * cs + ry * ry * sn * sn), ey = MathF.Sqrt(rx * rx * sn * sn + ry * ry * cs * cs);
        if (!Bounds(cx - ex, cy - ey, cx + ex, cy + ey, out int x0, out int y0, out int x1, out int y1)) return;
        float irx = 1f / rx, iry = 1f / ry, irx2 = irx * irx, iry2 = iry * iry;
        float reject = 1f + 1.5f / MathF.Min(rx, ry), reject2 = reject * reject;
        for (int y = y0; y <= y1; y++)
        {
            float dy = y + 0.5f - cy;
            int row = y * Width;
            for (int x = x0; x <= x1; x++)
            {
                float dx = x + 0.5f - cx;
                float u = dx * cs + dy * sn, v = -dx * sn + dy * cs;
                float nu = u * irx, nv = v * iry, k02 = nu * nu + nv * nv;
                if (k02 >= reject2) continue;
                float k0 = MathF.Sqrt(k02);
                float k1 = MathF.Sqrt(u * u * irx2 * irx2 + v * v * iry2 * iry2);
                float dist = k1 > 1e-9f ? k0 * (k0 - 1f) / k1 : -MathF.Min(rx, ry);
                float a = 0.5f - dist;
                if (a <= 0f) continue;
                if (a > 1f) a = 1f;
                float f = 1f;
                if (shade != 0f)
                {
                    float ix = nu * cs - nv * sn, iy = nu * sn + nv * cs, w = 1f - k02;
                    float lambert = ix * Light.X + iy * Light.Y + (w > 0f ? MathF.Sqrt(w) : 0f) * Light.Z;
                    f = 1f + shade * ((lambert > 0f ? lambert : 0f) - Light.Z);
                }
                Put(row + x, Clamp255(c.R * f), Clamp255(c.G * f), Clamp255(c.B * f), a * opacity);
            }
        }
    }

    /// <summary>A rectangle with half-sizes (hw, hh) centred at (cx, cy), rotated by
    /// <paramref name="angle"/>, corners rounded by <paramref name="radius"/>; the colour is scaled
    /// by <c>1 + gx·u + gy·v</c> where (u, v) run from -1 to 1 across the rectangle.</summary>
    public void Box(float cx, float cy, float hw, float hh, float angle, float radius, Colour c, float gx = 0f, float gy = 0f, float opacity = 1f)
    {
        hw = MathF.Max(hw, 0.05f);
        hh = MathF.Max(hh, 0.05f);
        radius = Math.Clamp(radius, 0f, MathF.Min(hw, hh));
        float cs = MathF.Cos(angle), sn = MathF.Sin(angle);
        float ex = hw * MathF.Abs(cs) + hh * MathF.Abs(sn), ey = hw * MathF.Abs(sn) + hh * MathF.Abs(cs);
        if (!Bounds(cx - ex, cy - ey, cx + ex, cy + ey, out int x0, out int y0, out int x1, out int y1)) return;
        float ihw = gx / hw, ihh = gy / hh, kx = hw - radius, ky = hh - radius;
        bool flat = gx == 0f && gy == 0f;
        float fr = Clamp255(c.R), fg = Clamp255(c.G), fb = Clamp255(c.B);
        for (int y = y0; y <= y1; y++)
        {
            float dy = y + 0.5f - cy;
            int row = y * Width;
            for (int x = x0; x <= x1; x++)
            {
                float dx = x + 0.5f - cx;
                float u = dx * cs + dy * sn, v = -dx * sn + dy * cs;
                float qx = MathF.Abs(u) - kx, qy = MathF.Abs(v) - ky;
                float ox = qx > 0f ? qx : 0f, oy = qy > 0f ? qy : 0f;
                float inside = MathF.Max(qx, qy);
                float dist = (ox == 0f && oy == 0f ? 0f : MathF.Sqrt(ox * ox + oy * oy)) + (inside < 0f ? inside : 0f) - radius;
                float a = 0.5f - dist;
                if (a <= 0f) continue;
                if (a > 1f) a = 1f;
                if (flat) Put(row + x, fr, fg, fb, a * opacity);
                else
                {
                    float f = 1f + u * ihw + v * ihh;
                    Put(row + x, Clamp255(c.R * f), Clamp255(c.G * f), Clamp255(c.B * f), a * opacity);
                }
            }
        }
    }

    /// <summary>An axis-aligned rectangle given by its edges, with an optional vertical gradient
    /// (the colour is scaled by 1 + gy·v, v from -1 at the top to 1 at the bottom). Coverage is
    /// separable: the product of the horizontal and vertical overlaps of the pixel.</summary>
    public void Rect(float left, float top, float right, float bottom, Colour c, float gy = 0f, float opacity = 1f)
    {
        if (right < left) (left, right) = (right, left);
        if (bottom < top) (top, bottom) = (bottom, top);
        if (!Bounds(left, top, right, bottom, out int x0, out int y0, out int x1, out int y1)) return;
        float cy = (top + bottom) * 0.5f, ihh = bottom > top ? 2f * gy / (bottom - top) : 0f;
        for (int y = y0; y <= y1; y++)
        {
            float py = y + 0.5f;
            float ay = MathF.Min(MathF.Min(py - top, bottom - py) + 0.5f, MathF.Min(1f, bottom - top));
            if (ay <= 0f) continue;
            if (ay > 1f) ay = 1f;
            float f = 1f + (py - cy) * ihh;
            float r = Clamp255(c.R * f), g = Clamp255(c.G * f), b = Clamp255(c.B * f);
            ay *= opacity;
            int row = y * Width;
            for (int x = x0; x <= x1; x++)
            {
                float px = x + 0.5f;
                float ax = MathF.Min(MathF.Min(px - left, right - px) + 0.5f, MathF.Min(1f, right - left));
                if (ax <= 0f) continue;
                if (ax > 1f) ax = 1f;
                Put(row + x, r, g, b, ax * ay);
            }
        }
    }

    /// <summary>A convex polygon (x0, y0, x1, y1, ... in either winding, at most 8 vertices). The
    /// distance is the largest edge-plane distance: exact inside and along edges, slightly bevelled
    /// outside corners. The colour is scaled by <c>1 + gx·(x - ox) + gy·(y - oy)</c>.</summary>
    public void Polygon(scoped ReadOnlySpan<float> xy, Colour c, float gx = 0f, float gy = 0f, float ox = 0f, float oy = 0f, float opacity = 1f)
    {
        int n = xy.Length / 2;
        if (n < 3 || n > 8) throw new ArgumentException("a polygon needs 3 to 8 vertices", nameof(xy));
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue, area = 0f;
        for (int i = 0; i < n; i++)
        {
            float x = xy[2 * i], y = xy[2 * i + 1];
            minX = MathF.Min(minX, x); maxX = MathF.Max(maxX, x);
            minY = MathF.Min(minY, y); maxY = MathF.Max(maxY, y);
            int j = (i + 1) % n;
            area += x * xy[2 * j + 1] - xy[2 * j] * y;
        }
        if (MathF.Abs(area) < 1e-6f) return;
        if (!Bounds(minX, minY, maxX, maxY, out int x0, out int y0, out int x1, out int y1)) return;
        // Outward unit normals and offsets of the edges: the edge plane is n·p = k.
        Span<float> ex = stackalloc float[8], ey = stackalloc float[8], ek = stackalloc float[8];
        int m = 0;
        float sign = area > 0f ? 1f : -1f;
        for (int i = 0; i < n; i++)
        {
            int j = (i + 1) % n;
            float dx = xy[2 * j] - xy[2 * i], dy = xy[2 * j + 1] - xy[2 * i + 1], len = MathF.Sqrt(dx * dx + dy * dy);
            if (len < 1e-6f) continue;
            // With y down, positive area is clockwise on screen; the outward normal is (dy, -dx) then.
            float nx = sign * dy / len, ny = -sign * dx / len;
            ex[m] = nx; ey[m] = ny; ek[m] = nx * xy[2 * i] + ny * xy[2 * i + 1];
            m++;
        }
        bool flat = gx == 0f && gy == 0f;
        float fr = Clamp255(c.R), fg = Clamp255(c.G), fb = Clamp255(c.B);
        for (int y = y0; y <= y1; y++)
        {
            float py = y + 0.5f;
            int row = y * Width;
            for (int x = x0; x <= x1; x++)
            {
                float px = x + 0.5f, dist = float.MinValue;
                for (int e = 0; e < m; e++)
                {
                    float d = ex[e] * px + ey[e] * py - ek[e];
                    if (d > dist) dist = d;
                }
                float a = 0.5f - dist;
                if (a <= 0f) continue;
                if (a > 1f) a = 1f;
                if (flat) Put(row + x, fr, fg, fb, a * opacity);
                else
                {
                    float f = 1f + gx * (px - ox) + gy * (py - oy);
                    Put(row + x, Clamp255(c.R * f), Clamp255(c.G * f), Clamp255(c.B * f), a * opacity);
                }
            }
        }
    }

    public void Quad(float x0, float y0, float x1, float y1, float x2, float y2, float x3, float y3, Colour c,
        float gx = 0f, float gy = 0f, float ox = 0f, float oy = 0f, float opacity = 1f)
    {
        Span<float> p = [x0, y0, x1, y1, x2, y2, x3, y3];
        Polygon(p, c, gx, gy, ox, oy, opacity);
    }

    public void Triangle(float x0, float y0, float x1, float y1, float x2, float y2, Colour c, float opacity = 1f)
    {
        Span<float> p = [x0, y0, x1, y1, x2, y2];
        Polygon(p, c, 0f, 0f, 0f, 0f, opacity);
    }
}
