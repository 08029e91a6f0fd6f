namespace Dnas.Data.Preprocess;

/// <summary>The resize filter of one axis, as integer taps: output index j (0..D−1) reads the
/// source indices <c>First(j) .. First(j)+Count(j)−1</c> (relative to the crop window) with
/// weights <c>Weight(j, t)</c> ≥ 0 in units of 1/<see cref="One"/> that sum to exactly
/// <see cref="One"/> for every j. The weights depend only on the source length S (the crop
/// window's side) and the output length D, through the integer formulas below; a firmware
/// can compute them at start-up or have them generated as constant tables.
/// <para><b>Area</b> (used when S ≥ D): output j covers the source interval
/// [j·S/D, (j+1)·S/D). Measured in units of 1/D source pixel, that is [a, b) = [j·S, (j+1)·S),
/// and source pixel i is [i·D, (i+1)·D). With i0 = floor(a/D) and i1 = ceil(b/D) − 1, each
/// i in i0..i1 has coverage c_i = min(b, (i+1)·D) − max(a, i·D) (1..D; they sum to S). The
/// weights round the running coverage, so they add up exactly:
/// <code>
/// C_i = c_i0 + … + c_i            (C_i1 = S)
/// R(C) = (C·4096 + floor(S/2)) / S   (integer division: C/S·4096 rounded half up; R(0) = 0, R(S) = 4096)
/// w_i = R(C_i) − R(C_(i−1))          (with C_(i0−1) = 0)
/// </code></para>
/// <para><b>Bilinear</b> (pixel-centre alignment, used when S &lt; D under Area): the source
/// coordinate x = (j + 0.5)·S/D − 0.5 is u/(2D) with u = (2j+1)·S − D. If u ≤ 0 the tap is
/// (0, 4096). Otherwise i0 = floor(u / 2D), f = u − i0·2D; if i0 ≥ S−1 the tap is (S−1, 4096);
/// else the taps are (i0, 4096 − w1) and (i0+1, w1) with w1 = (f·4096 + D) / (2D)
/// (f/2D·4096 rounded half up).</para>
/// <para><b>Nearest</b>: one tap (floor((2j+1)·S / (2D)), 4096).</para>
/// All products are formed in 64 bits.</summary>
public sealed class AxisTaps
{
    /// <summary>Weights are in units of 2^-12.</summary>
    public const int Bits = 12;
    public const int One = 1 << Bits;

    internal int[] FirstArray = [];
    internal int[] CountArray = [];
    internal int[] WeightArray = [];

    /// <summary>Source length S (crop window side).</summary>
    public int Source { get; private set; }
    /// <summary>Output length D.</summary>
    public int Destination { get; private set; }
    /// <summary>The filter this axis actually uses (Area turns into Bilinear when S &lt; D).</summary>
    public ResizeMethod Filter { get; private set; }
    /// <summary>Weights of output j start at j·Stride in the weight array (the most taps any output has).</summary>
    public int Stride { get; private set; }

    public int First(int j) => FirstArray[Check(j)];
    public int Count(int j) => CountArray[Check(j)];
    public int Weight(int j, int t)
    {
        if ((uint)t >= (uint)CountArray[Check(j)]) throw new ArgumentOutOfRangeException(nameof(t));
        return WeightArray[j * Stride + t];
    }

    private int Check(int j) => (uint)j < (uint)Destination ? j : throw new ArgumentOutOfRangeException(nameof(j));

    /// <summary>The filter an axis of <paramref name="source"/> → <paramref name="destination"/> pixels uses under <paramref name="method"/>.</summary>
    public static ResizeMethod FilterFor(ResizeMethod method, int source, int destination) =>
        method == ResizeMethod.Area && source < destination ? ResizeMethod.Bilinear : method;

    /// <summary>Builds new taps.</summary>
    public static AxisTaps Create(int source, int destination, ResizeMethod method)
    {
        var taps = new AxisTaps();
        taps.Build(source, destination, method);
        return taps;
    }

    /// <summary>Recomputes the taps, reusing the arrays when they are big enough.</summary>
    public void Build(int source, int destination, ResizeMethod method)
    {
        if (source < 1 || destination < 1)
            throw new ArgumentOutOfRangeException(nameof(source), $"resize lengths must be positive, got {source} -> {destination}");
        var filter = FilterFor(method, source, destination);
        int stride = filter switch
        {
            ResizeMethod.Area => (source + destination - 1) / destination + 1,
            ResizeMethod.Bilinear => 2,
            ResizeMethod.Nearest => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
        if (FirstArray.Length < destination)
        {
            FirstArray = new int[destination];
            CountArray = new int[destination];
        }
        if (WeightArray.Length < destination * stride) WeightArray = new int[destination * stride];
        Source = source;
        Destination = destination;
        Filter = filter;
        Stride = stride;
        for (int j = 0; j < destination; j++)
        {
            var w = WeightArray.AsSpan(j * stride, stride);
            switch (filter)
            {
                case ResizeMethod.Area: BuildArea(j, source, destination, w); break;
                case ResizeMethod.Bilinear: BuildBilinear(j, source, destination, w); break;
                default:
                    FirstArray[j] = (int)((2L * j + 1) * source / (2L * destination));
                    CountArray[j] = 1;
                    w[0] = One;
                    break;
            }
        }
    }

    private void BuildArea(int j, long s, long d, Span<int> w)
    {
        long a = j * s, b = (j + 1) * s;
        long i0 = a / d, i1 = (b + d - 1) / d - 1;
        long covered = 0, before = 0;
        for (long i = i0; i <= i1; i++)
        {
            covered += Math.Min(b, (i + 1) * d) - Math.Max(a, i * d);
            long r = (covered * One + s / 2) / s;
            w[(int)(i - i0)] = (int)(r - before);
            before = r;
        }
        FirstArray[j] = (int)i0;
        CountArray[j] = (int)(i1 - i0 + 1);
    }

    private void BuildBilinear(int j, long s, long d, Span<int> w)
    {
        long u = (2L * j + 1) * s - d;
        if (u <= 0) { FirstArray[j] = 0; CountArray[j] = 1; w[0] = One; return; }
        long i0 = u / (2 * d), f = u - i0 * 2 * d;
        if (i0 >= s - 1) { FirstArray[j] = (int)(s - 1); CountArray[j] = 1; w[0] = One; return; }
        int w1 = (int)((f * One + d) / (2 * d));
        FirstArray[j] = (int)i0;
        CountArray[j] = 2;
        w[0] = One - w1;
        w[1] = w1;
    }
}
