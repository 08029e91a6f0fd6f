using Dnas.Data.Synthetic;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The synthetic person / no-person generator: determinism, labels, sizes, and that the
/// images carry a person signal that is not a trivial statistic.</summary>
public sealed class SyntheticTests
{
    private static byte[] Draw(SyntheticScenes s, long index, int w, int h)
    {
        var rgb = new byte[w * h * 3];
        s.Render(index, w, h, rgb);
        return rgb;
    }

    private static (byte[] Rgb, byte[] Mask) DrawWithMask(SyntheticScenes s, long index, int w, int h, bool people = true)
    {
        var rgb = new byte[w * h * 3];
        var mask = new byte[w * h];
        s.Render(index, w, h, rgb, mask, people);
        return (rgb, mask);
    }

    private static double Mean(byte[] a)
    {
        long sum = 0;
        foreach (var v in a) sum += v;
        return (double)sum / a.Length;
    }

    private static double Variance(byte[] a)
    {
        double m = Mean(a), sum = 0;
        foreach (var v in a) sum += (v - m) * (v - m);
        return sum / a.Length;
    }

    private static double MeanAbsDiff(byte[] a, byte[] b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }

    [Fact]
    public void ClassNamesFollowVisualWakeWords()
    {
        Assert.Equal(["no_person", "person"], SyntheticScenes.ClassNames);
        Assert.Equal("person", SyntheticScenes.ClassNames[SyntheticScenes.PersonLabel]);
    }

    [Fact]
    public void SameSeedAndIndexGiveIdenticalBytes()
    {
        var a = new SyntheticScenes(7);
        var b = new SyntheticScenes(7);
        for (long i = 0; i < 24; i++)
        {
            Assert.Equal(a.Label(i), b.Label(i));
            Assert.Equal(Draw(a, i, 96, 96), Draw(b, i, 96, 96));
            Assert.Equal(Draw(a, i, 40, 56), a.Render(i, 40, 56).Pixels);
        }
        // Large indices are as valid as small ones.
        Assert.Equal(Draw(a, 1L << 40, 32, 32), Draw(b, 1L << 40, 32, 32));
    }

    [Fact]
    public void DifferentSeedsAndIndicesDiffer()
    {
        var a = new SyntheticScenes(1);
        var b = new SyntheticScenes(2);
        int sameLabel = 0;
        for (long i = 0; i < 16; i++)
        {
            Assert.True(MeanAbsDiff(Draw(a, i, 64, 64), Draw(b, i, 64, 64)) > 15, $"seeds 1 and 2 give similar image {i}");
            Assert.True(MeanAbsDiff(Draw(a, i, 64, 64), Draw(a, i + 1, 64, 64)) > 15, $"images {i} and {i + 1} are similar");
        }
        for (long i = 0; i < 400; i++) if (a.Label(i) == b.Label(i)) sameLabel++;
        Assert.InRange(sameLabel, 150, 250);
    }

    [Fact]
    public void ImagesDoNotDependOnOrderOrThreads()
    {
        var s = new SyntheticScenes(11);
        const int n = 48;
        var forward = new byte[n][];
        for (int i = 0; i < n; i++) forward[i] = Draw(s, i, 48, 48);
        var backward = new byte[n][];
        for (int i = n - 1; i >= 0; i--) backward[i] = Draw(s, i, 48, 48);
        var parallel = new byte[n][];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => parallel[i] = Draw(new SyntheticScenes(11), i, 48, 48));
        // Interleaving other seeds and sizes in between changes nothing either.
        var other = new SyntheticScenes(12);
        for (int i = 0; i < n; i++)
        {
            _ = Draw(other, i * 3, 80, 24);
            Assert.Equal(forward[i], backward[i]);
            Assert.Equal(forward[i], parallel[i]);
            Assert.Equal(forward[i], Draw(s, i, 48, 48));
        }
    }

    [Fact]
    public void LabelsAreBalancedAndNotAPattern()
    {
        var s = new SyntheticScenes(3);
        int persons = 0, equalToParity = 0, runs = 0;
        for (long i = 0; i < 2000; i++)
        {
            int label = s.Label(i);
            Assert.InRange(label, 0, 1);
            persons += label;
            if (label == (int)(i & 1)) equalToParity++;
            if (i > 0 && label != s.Label(i - 1)) runs++;
        }
        Assert.InRange(persons, 940, 1060);
        Assert.InRange(equalToParity, 850, 1150);
        Assert.InRange(runs, 1100, 1900); // neither alternating nor in long blocks
        for (int seed = 0; seed < 5; seed++)
        {
            var t = new SyntheticScenes(seed * 1000 + 17);
            int p = 0;
            for (long i = 5000; i < 7000; i++) p += t.Label(i);
            Assert.InRange(p, 940, 1060);
        }
    }

    [Fact]
    public void EverySizeFrom16To256AndNonSquareWorks()
    {
        var s = new SyntheticScenes(5);
        var sizes = new List<(int W, int H)>();
        for (int n = 16; n <= 256; n++) sizes.Add((n, n));
        sizes.AddRange([(16, 256), (256, 16), (96, 64), (64, 96), (33, 77), (200, 120), (17, 19)]);
        for (int k = 0; k < sizes.Count; k++)
        {
            var (w, h) = sizes[k];
            long index = k;
            var image = s.Render(index, w, h);
            Assert.Equal(w, image.Width);
            Assert.Equal(h, image.Height);
            Assert.True(Variance(image.Pixels) > 20, $"{w}x{h} image {index} is nearly flat");
            var (rgb, mask) = DrawWithMask(s, index, w, h);
            Assert.Equal(image.Pixels, rgb);
            if (s.Label(index) == SyntheticScenes.PersonLabel) Assert.True(mask.Any(m => m > 0), $"{w}x{h} person image {index} has no visible person");
            else Assert.All(mask, m => Assert.Equal(0, m));
        }
    }

    [Fact]
    public void TheSameSceneAtEveryResolution()
    {
        // Only the aspect ratio enters the layout: a 128x128 image averaged down 2x2 is close to
        // the 64x64 one (sensor noise differs, so not equal).
        var s = new SyntheticScenes(9);
        for (long i = 0; i < 24; i++)
        {
            var small = Draw(s, i, 64, 64);
            var large = Draw(s, i, 128, 128);
            var down = new byte[small.Length];
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        int sum = large[((2 * y) * 128 + 2 * x) * 3 + c] + large[((2 * y) * 128 + 2 * x + 1) * 3 + c]
                                + large[((2 * y + 1) * 128 + 2 * x) * 3 + c] + large[((2 * y + 1) * 128 + 2 * x + 1) * 3 + c];
                        down[(y * 64 + x) * 3 + c] = (byte)((sum + 2) / 4);
                    }
            // Same scene: typically 3 levels apart, edges and noise aside; different scenes are 30 or more.
            Assert.True(MeanAbsDiff(small, down) < 14, $"image {i}: 64x64 and 128x128 show different scenes ({MeanAbsDiff(small, down):F1})");
        }
    }

    [Fact]
    public void PersonImagesShowAVisibleFigure()
    {
        var s = new SyntheticScenes(21);
        int persons = 0;
        double changedInside = 0, changedOutside = 0;
        for (long i = 0; i < 300; i++)
        {
            var (rgb, mask) = DrawWithMask(s, i, 96, 96);
            if (s.Label(i) != SyntheticScenes.PersonLabel)
            {
                Assert.All(mask, m => Assert.Equal(0, m));
                Assert.Equal(rgb, DrawWithMask(s, i, 96, 96, people: false).Rgb);
                continue;
            }
            persons++;
            int solid = mask.Count(m => m >= 128);
            Assert.True(solid >= 12, $"image {i}: only {solid} figure pixels visible");
            // Removing the people changes the figure's pixels, and little else.
            var (without, _) = DrawWithMask(s, i, 96, 96, people: false);
            long inside = 0, outside = 0;
            int nIn = 0, nOut = 0;
            for (int p = 0; p < mask.Length; p++)
            {
                int d = Math.Abs(rgb[3 * p] - without[3 * p]) + Math.Abs(rgb[3 * p + 1] - without[3 * p + 1]) + Math.Abs(rgb[3 * p + 2] - without[3 * p + 2]);
                if (mask[p] >= 200) { inside += d; nIn++; }
                else if (mask[p] == 0) { outside += d; nOut++; }
            }
            changedInside += (double)inside / Math.Max(nIn, 1) / 3;
            changedOutside += (double)outside / Math.Max(nOut, 1) / 3;
        }
        Assert.InRange(persons, 120, 180);
        changedInside /= persons;
        changedOutside /= persons;
        Assert.True(changedInside > 25, $"figures barely differ from what they cover ({changedInside:F1} levels)");
        Assert.True(changedOutside < 3, $"drawing people changed much outside them ({changedOutside:F1} levels)");
    }

    [Fact]
    public void ClassesDoNotDifferInSimpleStatistics()
    {
        // Brightness, contrast and colour are distributed alike in both classes; what differs is
        // the figure.
        var s = new SyntheticScenes(4);
        var sums = new double[2, 5];
        var counts = new int[2];
        for (long i = 0; i < 600; i++)
        {
            var rgb = Draw(s, i, 32, 32);
            int label = s.Label(i);
            counts[label]++;
            double r = 0, g = 0, b = 0;
            for (int p = 0; p < rgb.Length; p += 3) { r += rgb[p]; g += rgb[p + 1]; b += rgb[p + 2]; }
            int n = rgb.Length / 3;
            sums[label, 0] += Mean(rgb);
            sums[label, 1] += Math.Sqrt(Variance(rgb));
            sums[label, 2] += r / n;
            sums[label, 3] += g / n;
            sums[label, 4] += b / n;
        }
        string[] names = ["mean", "std", "red", "green", "blue"];
        for (int k = 0; k < 5; k++)
        {
            double p = sums[1, k] / counts[1], q = sums[0, k] / counts[0];
            Assert.True(Math.Abs(p - q) < 6, $"{names[k]}: person {p:F1} vs no person {q:F1}");
        }
    }

    [Fact]
    public void ImagesAreNotDegenerate()
    {
        var s = new SyntheticScenes(8);
        var backgrounds = new List<byte[]>();
        for (long i = 0; i < 200; i++)
        {
            var rgb = Draw(s, i, 64, 64);
            Assert.True(Variance(rgb) > 30, $"image {i} has variance {Variance(rgb):F1}");
            int distinct = rgb.Distinct().Count();
            Assert.True(distinct > 20, $"image {i} has {distinct} distinct values");
            if (i < 40) backgrounds.Add(DrawWithMask(s, i, 64, 64, people: false).Rgb);
        }
        for (int i = 0; i < backgrounds.Count; i++)
            for (int j = i + 1; j < backgrounds.Count; j++)
                Assert.True(MeanAbsDiff(backgrounds[i], backgrounds[j]) > 4, $"scenes {i} and {j} look alike");
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var s = new SyntheticScenes(0);
        Assert.Throws<ArgumentException>(() => s.Render(0, 32, 32, new byte[32 * 32 * 3 - 1]));
        Assert.Throws<ArgumentException>(() => s.Render(0, 32, 32, new byte[32 * 32 * 3 + 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Render(0, SyntheticScenes.MinSize - 1, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Render(0, 32, SyntheticScenes.MaxSize + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Render(-1, 32, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Label(-1));
        Assert.Throws<ArgumentException>(() => s.Render(0, 32, 32, new byte[32 * 32 * 3], new byte[10]));
    }
}
