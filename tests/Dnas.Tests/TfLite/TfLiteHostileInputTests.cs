using System.Diagnostics;
using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.TfLite;

/// <summary>The reader on damaged bytes: every truncation and thousands of seeded mutations of a
/// real-shaped model either read or throw <see cref="TfLiteFormatException"/> (nothing else), each
/// quickly and without growing memory.</summary>
public sealed class TfLiteHostileInputTests
{
    private static readonly byte[] Valid = TfLiteWriter.Write(TfLiteTestModels.SmallInt8Net(7, size: 16, width: 16,
        config: new TfLiteDataConfig(16, "rgb", 1f / 128, -1, "centre-crop,area-resize", ["a", "b", "c", "d"])));

    private static string? Attempt(byte[] bytes, string what, ref long worstTicks)
    {
        var watch = Stopwatch.StartNew();
        // Inspection reads, plans the arena and parses the data configuration: all must hold.
        try { TfLiteInspection.Of("fuzz.tflite", bytes); }
        catch (TfLiteFormatException) { }
        catch (Exception e) { return $"{what}: {e.GetType().Name}: {e.Message}"; }
        worstTicks = Math.Max(worstTicks, watch.ElapsedTicks);
        return null;
    }

    [Fact]
    public void EveryTruncationIsRejectedCleanly()
    {
        long worst = 0;
        var failures = new List<string>();
        for (int len = 0; len < Valid.Length; len++)
            if (Attempt(Valid[..len], $"truncated to {len}", ref worst) is { } f) failures.Add(f);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(worst < Stopwatch.Frequency / 2, $"slowest read took {worst * 1000.0 / Stopwatch.Frequency:F1} ms");
    }

    [Fact]
    public void SeededMutationsGiveOnlyFormatErrors()
    {
        var rng = new Random(12345);
        long worst = 0;
        long startMemory = GC.GetTotalMemory(true);
        var failures = new List<string>();
        for (int i = 0; i < 10_000; i++)
        {
            var bytes = (byte[])Valid.Clone();
            int kind = rng.Next(4);
            int edits = 1 + rng.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = rng.Next(bytes.Length);
                switch (kind)
                {
                    case 0: bytes[at] ^= (byte)(1 << rng.Next(8)); break;                 // bit flip
                    case 1: bytes[at] = (byte)rng.Next(256); break;                        // random byte
                    case 2:                                                                // corrupt an offset/length word
                        at &= ~3;
                        if (at + 4 <= bytes.Length)
                            BitConverter.TryWriteBytes(bytes.AsSpan(at), rng.Next(3) switch { 0 => int.MaxValue, 1 => rng.Next(bytes.Length * 2), _ => -rng.Next(1, 64) });
                        break;
                    default:                                                               // a small integer into a word
                        at &= ~3;
                        if (at + 4 <= bytes.Length) BitConverter.TryWriteBytes(bytes.AsSpan(at), rng.Next(-8, 256));
                        break;
                }
            }
            if (rng.Next(10) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            if (Attempt(bytes, $"mutation {i} (kind {kind})", ref worst) is { } f) failures.Add(f);
        }
        long grown = GC.GetTotalMemory(true) - startMemory;
        Assert.True(failures.Count == 0, $"{failures.Count} mutations escaped:\n" + string.Join("\n", failures.Take(10)));
        Assert.True(worst < Stopwatch.Frequency / 2, $"slowest read took {worst * 1000.0 / Stopwatch.Frequency:F1} ms");
        Assert.True(grown < 64 << 20, $"memory grew by {grown} bytes");
    }

    [Fact]
    public void SharedReferencesCannotExplodeDecoding()
    {
        // 2000 tensors whose name offsets all point at one 200 KB string: decoding it once per
        // reference would allocate 800 MB; the reader's budget must stop that with a format error.
        var b = new TfLiteModelBuilder();
        for (int i = 0; i < 2000; i++) b.AddTensor("t" + i, [1], TfLiteType.Int8);
        // Last, so that its name lies after every other tensor (uoffsets only point forward).
        int big = b.AddTensor(new string('n', 200_000), [1], TfLiteType.Int8);
        b.SetInputs(big).SetOutputs(big);
        byte[] bytes = TfLiteWriter.Write(b.Build());
        var r = new FlatBufferReader(bytes);
        var tensors = r.RootTable("Model").Tables(2, "subgraphs")[0].Tables(0, "tensors");
        long bigName = tensors[^1].Ref(3, "name");
        foreach (var t in tensors.SkipLast(1))
        {
            long field = t.Field(3, 4, "name");
            BitConverter.TryWriteBytes(bytes.AsSpan((int)field), (uint)(bigName - field));
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<TfLiteFormatException>(() => TfLiteReader.Read(bytes));
        Assert.Contains("too many times", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100 << 20);
    }
}
