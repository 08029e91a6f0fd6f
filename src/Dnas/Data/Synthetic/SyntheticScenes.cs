using Dnas.Data.Images;
using Dnas.Engine;

namespace Dnas.Data.Synthetic;

/// <summary>The built-in person / no-person dataset: procedurally drawn RGB scenes, so the
/// toolchain runs on a machine with no data. A person image holds one to three articulated
/// people (standing, walking, sitting, arms raised or waving; near and cropped to far and small;
/// varied skin, hair and clothing; sometimes partly hidden by scenery); a no-person image is drawn
/// from the same distribution of rooms, streets and close-up surfaces with the same clutter
/// (boxes, poles, plants, trees, vehicles, furniture, animals), so a classifier has to learn the
/// figure rather than "objects versus empty".
///
/// <para>Image <c>i</c> of a dataset with seed <c>s</c> is a pure function of (s, i, width,
/// height): the scene is laid out from an <see cref="Rng"/> seeded by a hash of (s, i) and depends
/// on the image size only through its aspect ratio, so the same index shows the same scene at
/// every resolution, and images can be generated in any order on any number of threads. The
/// label is a function of (s, i) alone and exactly balanced over each pair of indices (2k, 2k+1).
/// Instances are immutable and thread-safe.</para></summary>
public sealed class SyntheticScenes
{
    /// <summary>Smallest and largest supported width or height, in pixels.</summary>
    public const int MinSize = 8, MaxSize = 1024;

    /// <summary>The label of images that contain a person (Visual Wake Words' convention).</summary>
    public const int PersonLabel = 1;

    /// <summary>Class names by label: 0 = "no_person", 1 = "person".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["no_person", "person"];

    private readonly ulong _key;

    public int Seed { get; }

    public SyntheticScenes(int seed)
    {
        Seed = seed;
        _key = Mix((ulong)(uint)seed ^ 0xD1B54A32D192ED03UL);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The seed of image <paramref name="index"/>'s random stream.</summary>
    private ulong SceneSeed(long index) => Mix(_key + (ulong)index * 0x9E3779B97F4A7C15UL);

    /// <summary>0 (no person) or 1 (person). Within each pair of indices (2k, 2k+1) one image is
    /// a person image and the other is not, the order decided by a hash.</summary>
    public int Label(long index)
    {
        CheckIndex(index);
        ulong pairBit = Mix(_key ^ Mix((ulong)(index >> 1) + 0x632BE59BD9B4E019UL)) >> 63;
        return (int)((ulong)(index & 1) ^ pairBit);
    }

    /// <summary>Draws image <paramref name="index"/> into <paramref name="rgb"/>, which must hold
    /// exactly width·height·3 bytes (HWC, R,G,B). Scratch lives on the stack; the only
    /// allocation is the image's small random generator.</summary>
    public void Render(long index, int width, int height, Span<byte> rgb) => Render(index, width, height, rgb, default);

    /// <summary>Draws image <paramref name="index"/> as a new <see cref="RgbImage"/>.</summary>
    public RgbImage Render(long index, int width, int height)
    {
        CheckSize(width, height);
        var image = new RgbImage(width, height);
        Render(index, width, height, image.Pixels, default);
        return image;
    }

    /// <summary>Draws image <paramref name="index"/> and, when <paramref name="mask"/> is not
    /// empty (width·height bytes), the visible coverage of people in it (0..255, after occlusion
    /// by scenery). With <paramref name="drawPeople"/> false the same scene is drawn without its
    /// people. For tests.</summary>
    internal void Render(long index, int width, int height, Span<byte> rgb, Span<byte> mask, bool drawPeople = true)
    {
        CheckIndex(index);
        CheckSize(width, height);
        int pixels = width * height;
        if (rgb.Length != pixels * 3)
            throw new ArgumentException($"a {width}x{height} RGB image needs {pixels * 3} bytes, got {rgb.Length}", nameof(rgb));
        if (!mask.IsEmpty && mask.Length != pixels)
            throw new ArgumentException($"a {width}x{height} mask needs {pixels} bytes, got {mask.Length}", nameof(mask));

        bool person = Label(index) == PersonLabel;
        var rng = new Rng(SceneSeed(index));
        var scene = new SceneSpec();
        Span<Item> items = stackalloc Item[SceneBuilder.MaxItems];
        Span<FigureSpec> figures = stackalloc FigureSpec[SceneBuilder.MaxFigures];
        SceneBuilder.Build(rng, (float)width / height, person, ref scene, items, figures);

        Backdrop.Render(in scene.Backdrop, rgb, width, height);
        if (!mask.IsEmpty) mask.Clear();
        var canvas = new Canvas(rgb, mask, width, height) { Light = scene.Light };
        float side = Math.Min(width, height);
        for (int i = 0; i < scene.ItemCount; i++)
        {
            ref readonly var it = ref items[i];
            if (it.Kind == ItemKind.Person)
            {
                if (!drawPeople) continue;
                ref readonly var f = ref figures[it.Figure];
                Figure.Draw(ref canvas, in f, f.X * width, f.FootY * height, f.Height * side);
            }
            else
            {
                canvas.Mode = MaskMode.Occluder;
                Scenery.Draw(ref canvas, in it, width, height);
            }
        }
        Backdrop.Expose(in scene.Camera, rgb, width, height);
    }

    private static void CheckIndex(long index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), $"image index must be non-negative, got {index}");
    }

    private static void CheckSize(int width, int height)
    {
        if (width < MinSize || width > MaxSize || height < MinSize || height > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(width), $"synthetic images are {MinSize}..{MaxSize} pixels a side, got {width}x{height}");
    }
}
