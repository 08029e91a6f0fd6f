using System.Numerics;

namespace Dnas.Data.Preprocess;

/// <summary>The integer resize: a crop window of an HWC uint8 frame (1 or 3 channels) to a
/// D_w x D_h image (1 or 3 channels), separable, with the taps of <see cref="AxisTaps"/> on
/// each axis. With P(r, i, c) the window's pixel (row r, column i, channel c, all relative to
/// the window), taps (ix_t, wx_t) for output column x and (iy_t, wy_t) for output row y:
/// <code>
/// h(r, x, c)   = Σ_t wx_t · P(r, ix_t, c)                       ≤ 255·4096      (fits int32)
/// out(y, x, c) = (Σ_t wy_t · h(iy_t, x, c) + 2^23) &gt;&gt; 24        ≤ 255·2^24 + 2^23 (fits uint32)
/// </code>
/// Everything is exact integer arithmetic, so the order of the sums does not matter and the
/// result is always 0..255 (no clamp needed). Colour: an RGB source with a gray output is
/// converted pixel by pixel (<see cref="Color.Gray"/>) before the resize; a gray source with an
/// RGB output is resized as gray and the value written to all three channels.
/// <para>One instance keeps its work buffers between calls (allocation-free once they have
/// grown); it is not thread-safe.</para></summary>
public sealed unsafe class Resizer
{
    private const int Shift = 2 * AxisTaps.Bits;
    private const uint Half = 1u << (Shift - 1);

    private readonly AxisTaps _x = new(), _y = new();
    private int[] _rows = [];
    private bool[] _done = [];
    private uint[] _acc = [];
    private byte[] _line = [];

    /// <summary>The column taps of the last call.</summary>
    public AxisTaps TapsX => _x;
    /// <summary>The row taps of the last call.</summary>
    public AxisTaps TapsY => _y;

    /// <summary>Resizes <paramref name="window"/> of <paramref name="source"/> (rows of
    /// <paramref name="sourceWidth"/>·<paramref name="sourceChannels"/> bytes, no padding)
    /// into <paramref name="destination"/> (HWC, <paramref name="destinationWidth"/> x
    /// <paramref name="destinationHeight"/> x <paramref name="destinationChannels"/>).</summary>
    public void Run(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int sourceChannels, CropWindow window,
        Span<byte> destination, int destinationWidth, int destinationHeight, int destinationChannels, ResizeMethod method)
    {
        RequireChannels(sourceChannels, nameof(sourceChannels));
        RequireChannels(destinationChannels, nameof(destinationChannels));
        if (sourceWidth < 1 || sourceHeight < 1) throw new ArgumentOutOfRangeException(nameof(sourceWidth), $"source size must be positive, got {sourceWidth}x{sourceHeight}");
        if (source.Length < (long)sourceWidth * sourceHeight * sourceChannels)
            throw new ArgumentException($"a {sourceWidth}x{sourceHeight}x{sourceChannels} frame needs {(long)sourceWidth * sourceHeight * sourceChannels} bytes, got {source.Length}", nameof(source));
        window.RequireInside(sourceWidth, sourceHeight);
        if (destinationWidth < 1 || destinationHeight < 1) throw new ArgumentOutOfRangeException(nameof(destinationWidth), $"output size must be positive, got {destinationWidth}x{destinationHeight}");
        long outLength = (long)destinationWidth * destinationHeight * destinationChannels;
        if (destination.Length < outLength)
            throw new ArgumentException($"a {destinationWidth}x{destinationHeight}x{destinationChannels} output needs {outLength} bytes, got {destination.Length}", nameof(destination));

        _x.Build(window.Width, destinationWidth, method);
        _y.Build(window.Height, destinationHeight, method);
        bool toGray = sourceChannels == 3 && destinationChannels == 1;
        int wc = toGray ? 1 : sourceChannels;        // channels the filter works on
        int rowLength = destinationWidth * wc;
        Grow(ref _rows, checked(window.Height * rowLength));
        Grow(ref _done, window.Height);
        Grow(ref _acc, rowLength);
        if (toGray) Grow(ref _line, window.Width);
        Array.Clear(_done, 0, window.Height);

        fixed (byte* src = source, dst = destination)
        fixed (int* rows = _rows)
        fixed (uint* acc = _acc)
        {
            int[] yFirst = _y.FirstArray, yCount = _y.CountArray, yWeight = _y.WeightArray;
            int yStride = _y.Stride;
            for (int y = 0; y < destinationHeight; y++)
            {
                bool first = true;
                for (int t = 0; t < yCount[y]; t++)
                {
                    uint w = (uint)yWeight[y * yStride + t];
                    if (w == 0) continue;
                    int r = yFirst[y] + t;
                    int* h = rows + (long)r * rowLength;
                    if (!_done[r])
                    {
                        byte* line = src + ((long)(window.Y + r) * sourceWidth + window.X) * sourceChannels;
                        if (toGray)
                        {
                            Color.ToGray(new ReadOnlySpan<byte>(line, window.Width * 3), _line);
                            fixed (byte* g = _line) Horizontal(g, wc, h);
                        }
                        else Horizontal(line, wc, h);
                        _done[r] = true;
                    }
                    Accumulate(acc, (uint*)h, w, rowLength, first);
                    first = false;
                }
                byte* o = dst + (long)y * destinationWidth * destinationChannels;
                if (wc == destinationChannels)
                {
                    for (int i = 0; i < rowLength; i++) o[i] = (byte)((acc[i] + Half) >> Shift);
                }
                else
                {
                    for (int x = 0; x < destinationWidth; x++)
                    {
                        byte v = (byte)((acc[x] + Half) >> Shift);
                        o[3 * x] = v; o[3 * x + 1] = v; o[3 * x + 2] = v;
                    }
                }
            }
        }
    }

    // acc = (first ? 0 : acc) + w·h over n lanes; h holds non-negative int32 values, read as uint32.
    private static void Accumulate(uint* acc, uint* h, uint w, int n, bool first)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var wv = new Vector<uint>(w);
            int step = Vector<uint>.Count;
            if (first)
                for (; i <= n - step; i += step) Vector.Store(wv * Vector.Load(h + i), acc + i);
            else
                for (; i <= n - step; i += step) Vector.Store(Vector.Load(acc + i) + wv * Vector.Load(h + i), acc + i);
        }
        if (first) for (; i < n; i++) acc[i] = w * h[i];
        else for (; i < n; i++) acc[i] += w * h[i];
    }

    private void Horizontal(byte* line, int wc, int* h)
    {
        fixed (int* first = _x.FirstArray, count = _x.CountArray, weight = _x.WeightArray)
        {
            int stride = _x.Stride, d = _x.Destination;
            if (wc == 1)
            {
                for (int x = 0; x < d; x++)
                {
                    byte* p = line + first[x];
                    int* w = weight + x * stride;
                    int n = count[x], s = 0;
                    for (int t = 0; t < n; t++) s += w[t] * p[t];
                    h[x] = s;
                }
            }
            else
            {
                for (int x = 0; x < d; x++)
                {
                    byte* p = line + 3 * first[x];
                    int* w = weight + x * stride;
                    int n = count[x], s0 = 0, s1 = 0, s2 = 0;
                    for (int t = 0; t < n; t++, p += 3)
                    {
                        int wt = w[t];
                        s0 += wt * p[0];
                        s1 += wt * p[1];
                        s2 += wt * p[2];
                    }
                    h[3 * x] = s0; h[3 * x + 1] = s1; h[3 * x + 2] = s2;
                }
            }
        }
    }

    private static void RequireChannels(int c, string name)
    {
        if (c != 1 && c != 3) throw new ArgumentOutOfRangeException(name, $"images have 1 (gray) or 3 (RGB) channels, got {c}");
    }

    private static void Grow<T>(ref T[] a, int n)
    {
        if (a.Length < n) a = new T[n];
    }
}
