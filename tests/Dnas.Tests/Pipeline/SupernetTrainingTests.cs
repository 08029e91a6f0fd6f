using Dnas.Data.Preprocess;
using Dnas.Data.Synthetic;
using Dnas.Pipeline;
using Dnas.Search;
using Xunit;

namespace Dnas.Tests.Pipeline;

public class SupernetTrainingTests
{
    private static readonly SearchSpace Space = new([16, 24], [ColorMode.Gray, ColorMode.Rgb], [0.35, 0.5],
        [new(1, 1), new(1, 2), new(1, 2), new(1, 2), new(1, 2), new(1, 2), new(1, 1)], [3, 6], [3, 5]);

    private static (RgbImageList, int[]) Scenes(int count)
    {
        var scenes = new SyntheticScenes(4);
        var images = Enumerable.Range(0, count).Select(i => scenes.Render(i, 32, 32)).ToArray();
        return (new RgbImageList(images), Enumerable.Range(0, count).Select(i => scenes.Label(i)).ToArray());
    }

    private static float[][] Train(int steps, out float[] losses)
    {
        var (images, labels) = Scenes(24);
        var training = new SupernetTraining(Space, images, labels, Enumerable.Range(0, 20).ToArray(), 2,
            new SupernetTrainingOptions { Steps = steps, Batch = 8, Seed = 3 });
        losses = Enumerable.Range(0, steps).Select(_ => training.Step()).ToArray();
        return training.Supernet.Full.Parameters().Select(p => (float[])p.Value.Clone()).ToArray();
    }

    [Fact]
    public void TrainingIsDeterministicAndFinite()
    {
        var a = Train(4, out var la);
        var b = Train(4, out var lb);
        Assert.Equal(la, lb);
        Assert.All(la, l => Assert.True(float.IsFinite(l) && l > 0));
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
    }

    [Fact]
    public void ExtremesSpanTheSpace()
    {
        var (images, labels) = Scenes(10);
        var t = new SupernetTraining(Space, images, labels, Enumerable.Range(0, 8).ToArray(), 2, new SupernetTrainingOptions { Batch = 4 });
        var (largest, smallest) = t.Extremes(24, ColorMode.Gray);
        Assert.Equal(0.5, largest.Width);
        Assert.Equal(0.35, smallest.Width);
        Assert.Equal(new[] { 1, 2, 2, 2, 2, 2, 1 }, largest.Depths);
        Assert.Equal(new[] { 1, 1, 1, 1, 1, 1, 1 }, smallest.Depths);
        Assert.Equal(1, largest.InChannels);
        Assert.Throws<ArgumentException>(() => new SupernetTraining(Space, images, labels, [0, 1], 2, new SupernetTrainingOptions { Batch = 4 }));
    }

    [Fact]
    public void ResumingFromACheckpointIsBitExact()
    {
        var (images, labels) = Scenes(24);
        var items = Enumerable.Range(0, 20).ToArray();
        var options = new SupernetTrainingOptions { Steps = 6, Batch = 8, Seed = 5 };
        var straight = new SupernetTraining(Space, images, labels, items, 2, options);
        var expectedLosses = Enumerable.Range(0, 6).Select(_ => straight.Step()).ToArray();

        string dir = Path.Combine(Path.GetTempPath(), "dnas-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "supernet.ckpt");
            var first = new SupernetTraining(Space, images, labels, items, 2, options);
            var losses = new List<float>();
            for (int i = 0; i < 4; i++) losses.Add(first.Step()); // 4 steps: past one epoch of 20 images
            first.SaveCheckpoint(path);
            Assert.False(File.Exists(path + ".tmp"));
            var resumed = new SupernetTraining(Space, images, labels, items, 2, options);
            resumed.LoadCheckpoint(path);
            Assert.Equal(4, resumed.StepsDone);
            for (int i = 0; i < 2; i++) losses.Add(resumed.Step());
            Assert.Equal(expectedLosses, losses);
            var a = straight.Supernet.Full.Parameters().ToArray(); var b = resumed.Supernet.Full.Parameters().ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i].Value, b[i].Value);

            // Another configuration, a damaged file: refused, state untouched.
            var other = new SupernetTraining(Space, images, labels, items, 2, options with { Seed = 6 });
            var e = Assert.Throws<InvalidDataException>(() => other.LoadCheckpoint(path));
            Assert.Contains("another configuration", e.Message);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var fresh = new SupernetTraining(Space, images, labels, items, 2, options);
            Assert.Contains("cut short", Assert.Throws<InvalidDataException>(() => fresh.LoadCheckpoint(path)).Message);
            Assert.Equal(0, fresh.StepsDone);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
