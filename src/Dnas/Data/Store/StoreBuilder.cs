using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Data.Sources;
using Dnas.Engine;

namespace Dnas.Data.Store;

public enum PreparePhase
{
    /// <summary>Checking whether the existing store is still valid.</summary>
    Checking,
    /// <summary>Listing the source's items.</summary>
    Scanning,
    /// <summary>Decoding, resizing and writing images (Done/Total count items).</summary>
    Building,
    /// <summary>Finished (built or reused).</summary>
    Done,
}

/// <summary>A progress event: items done of total, bad so far, the rate over the build so far
/// and the estimated time left (null until there is a rate).</summary>
public readonly record struct PrepareProgress(PreparePhase Phase, int Done, int Total, int Bad, TimeSpan Elapsed, double ImagesPerSecond, TimeSpan? Eta);

/// <summary>What <see cref="StoreBuilder.Prepare"/> did.</summary>
public sealed class PrepareResult
{
    public required string Directory { get; init; }
    /// <summary>True when the existing store matched and nothing was decoded.</summary>
    public bool Reused { get; init; }
    /// <summary>Why an existing store was not reused (null when there was none, or it was reused).</summary>
    public string? RebuildReason { get; init; }
    public required StoreIndex Index { get; init; }
    /// <summary>Warnings: the first bad items, a summary of all, classes missing from a split.</summary>
    public required IReadOnlyList<Diagnostic> Warnings { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>Items processed per second during the build (0 when reused).</summary>
    public double ImagesPerSecond { get; init; }
    public string DataPath => PreparedStore.DataPath(Directory);
    public string IndexPath => PreparedStore.IndexPath(Directory);
}

/// <summary>Builds the prepared store: every image decoded once (JPEG at the smallest DCT scale
/// whose shorter side is at least the store resolution), centre-cropped and area-resized to
/// Resolution x Resolution RGB (<see cref="Resizer"/>), and written to one file in a fixed order
/// (items sorted by id), so the same inputs always give the same bytes. Decoding runs on
/// <see cref="Workers.Threads"/> threads; the calling thread writes in order.
/// <para>An existing store in the folder is reused when its format version and fingerprint
/// (format version, settings, and the source's files with their sizes and modification times)
/// match; otherwise it is rebuilt. Bad items are skipped and reported; the build fails with a
/// <see cref="DataException"/> when more than <see cref="StoreSettings.MaxBadFraction"/> of
/// the items are bad or a class ends up empty, leaving no store under the final names.</para></summary>
public static class StoreBuilder
{
    /// <summary>Bad items named one by one in the warnings (the rest are counted).</summary>
    public const int ListedBadItems = 10;

    public static string ComputeFingerprint(IDataSource source, StoreSettings settings)
    {
        using var fp = new Fingerprint();
        fp.Add("format", StoreFormat.FormatName);
        fp.Add("version", StoreFormat.Version);
        settings.AddTo(fp);
        source.AddFingerprint(fp);
        return fp.Current();
    }

    public static PrepareResult Prepare(IDataSource source, StoreSettings settings, string directory,
        IProgress<PrepareProgress>? progress = null, CancellationToken cancel = default, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(directory);
        directory = Path.GetFullPath(directory);
        var clock = Stopwatch.StartNew();
        progress?.Report(new PrepareProgress(PreparePhase.Checking, 0, 0, 0, clock.Elapsed, 0, null));
        string fingerprint = ComputeFingerprint(source, settings);

        string? reason = null;
        if (File.Exists(PreparedStore.IndexPath(directory)) || File.Exists(PreparedStore.DataPath(directory)))
        {
            try
            {
                using var existing = PreparedStore.Open(directory, fingerprint);
                var index = existing.Index;
                progress?.Report(new PrepareProgress(PreparePhase.Done, index.Count, index.Count, index.Bad.Count, clock.Elapsed, 0, TimeSpan.Zero));
                return new PrepareResult
                {
                    Directory = directory,
                    Reused = true,
                    Index = index,
                    Warnings = Warnings(index, settings),
                    Elapsed = clock.Elapsed,
                };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reason = e.Message; // StoreFormatException, or a store that cannot even be opened
            }
        }

        progress?.Report(new PrepareProgress(PreparePhase.Scanning, 0, 0, 0, clock.Elapsed, 0, null));
        var scan = source.Scan(cancel);
        var built = Build(source, scan, settings, fingerprint, directory, progress, cancel, threads <= 0 ? Workers.Threads : threads, clock);
        return new PrepareResult
        {
            Directory = directory,
            Reused = false,
            RebuildReason = reason,
            Index = built.Index,
            Warnings = Warnings(built.Index, settings),
            Elapsed = clock.Elapsed,
            ImagesPerSecond = built.Rate,
        };
    }

    private sealed class Slot
    {
        public int Index = -1;
        public bool Ready;
        public byte[] Pixels = [];
        public string Hash = "";
        public BadItem? Bad;
    }

    private static (StoreIndex Index, double Rate) Build(IDataSource source, SourceScan scan, StoreSettings settings, string fingerprint,
        string directory, IProgress<PrepareProgress>? progress, CancellationToken cancel, int threads, Stopwatch clock)
    {
        var classes = scan.Classes;
        var items = scan.Items.ToList();
        items.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(a.Id, b.Id);
            return c != 0 ? c : string.CompareOrdinal(a.SourceFile, b.SourceFile);
        });
        var bad = new List<BadItem>(scan.Bad);
        int total = items.Count + bad.Count;
        if (total == 0)
            throw new DataException(Diagnostic.Error(DiagnosticCodes.NoItems, $"{source.Description}: no images found"));
        CheckBad(bad, total, settings, final: false);
        CheckClasses(classes, items.Select(i => i.Label), bad, total);

        var splits = SplitAssigner.Assign(items.Select(i => (i.Id, i.Label, i.Split)).ToList(), settings.Split, settings.Seed);
        var spec = settings.Spec;
        int r = settings.Resolution;
        int imageBytes = r * r * 3;

        Directory.CreateDirectory(directory);
        string token = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        string tmpData = Path.Combine(directory, $"{StoreFormat.DataFileName}.tmp-{token}");
        string tmpIndex = Path.Combine(directory, $"{StoreFormat.IndexFileName}.tmp-{token}");
        bool committed = false;
        try
        {
            var keptIds = new List<string>(items.Count);
            var keptLabels = new List<int>(items.Count);
            var keptSplits = new List<Split>(items.Count);
            var keptSources = new List<string>(items.Count);
            var keptHashes = new List<string>(items.Count);
            byte[] contentHash;
            var buildClock = Stopwatch.StartNew();
            using (var data = new FileStream(tmpData, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                data.Write(new byte[StoreFormat.HeaderSize]);
                RunPipeline(items, threads, r, spec, cancel, (i, slot) =>
                {
                    if (slot.Bad is { } b)
                    {
                        bad.Add(b);
                        CheckBad(bad, total, settings, final: false);
                    }
                    else
                    {
                        data.Write(slot.Pixels, 0, imageBytes);
                        hash.AppendData(slot.Pixels, 0, imageBytes);
                        keptIds.Add(items[i].Id);
                        keptLabels.Add(items[i].Label);
                        keptSplits.Add(splits[i]);
                        keptSources.Add(items[i].SourceFile);
                        keptHashes.Add(slot.Hash);
                    }
                    if (progress != null)
                    {
                        double seconds = buildClock.Elapsed.TotalSeconds;
                        double rate = seconds > 0 ? (i + 1) / seconds : 0;
                        TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((items.Count - i - 1) / rate) : null;
                        progress.Report(new PrepareProgress(PreparePhase.Building, i + 1, items.Count, bad.Count, clock.Elapsed, rate, eta));
                    }
                });
                cancel.ThrowIfCancellationRequested();
                contentHash = hash.GetCurrentHash();
                CheckBad(bad, total, settings, final: true);
                CheckClasses(classes, keptLabels, bad, total);
                data.Position = 0;
                data.Write(StoreFormat.WriteHeader(new StoreFormat.Header(StoreFormat.Version, keptIds.Count, r, r, 3,
                    Convert.FromHexString(fingerprint), contentHash)));
                data.Flush(flushToDisk: true);
            }
            double buildRate = items.Count / Math.Max(1e-9, buildClock.Elapsed.TotalSeconds);

            var index = new StoreIndex
            {
                Fingerprint = fingerprint,
                ContentHash = Convert.ToHexStringLower(contentHash),
                Source = source.Description,
                Spec = spec.ToString(),
                SplitFractions = settings.Split.ToString(),
                Seed = settings.Seed,
                MaxBadFraction = settings.MaxBadFraction,
                Classes = classes,
                Width = r,
                Height = r,
                Channels = 3,
                SourceItems = total,
                Ids = keptIds.ToArray(),
                Labels = keptLabels.ToArray(),
                Splits = keptSplits.ToArray(),
                SourceFiles = keptSources.ToArray(),
                Hashes = keptHashes.ToArray(),
                Bad = bad.OrderBy(b => b.Id, StringComparer.Ordinal).ThenBy(b => b.SourceFile, StringComparer.Ordinal).ToList(),
            };
            index.Write(tmpIndex);

            // Commit: the old index goes first, the new one comes last, so the final names never
            // pair an index with an image file it does not describe.
            string finalIndex = PreparedStore.IndexPath(directory), finalData = PreparedStore.DataPath(directory);
            File.Delete(finalIndex);
            File.Move(tmpData, finalData, overwrite: true);
            File.Move(tmpIndex, finalIndex, overwrite: true);
            committed = true;
            progress?.Report(new PrepareProgress(PreparePhase.Done, items.Count, items.Count, bad.Count, clock.Elapsed, buildRate, TimeSpan.Zero));
            return (index, buildRate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException(Diagnostic.Error(DiagnosticCodes.StoreIo, $"cannot write the prepared store: {e.Message}", directory), e);
        }
        finally
        {
            if (!committed)
            {
                TryDelete(tmpData);
                TryDelete(tmpIndex);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Decodes and resizes items on worker threads and hands them to
    /// <paramref name="consume"/> on the calling thread in index order. At most a window of
    /// items is in flight, so memory stays bounded whatever the data set size.</summary>
    private static void RunPipeline(List<SourceItem> items, int threads, int resolution, PreprocessSpec spec, CancellationToken cancel,
        Action<int, Slot> consume)
    {
        int n = items.Count;
        if (n == 0) return;
        threads = Math.Max(1, Math.Min(threads, n));
        int window = Math.Max(4, threads * 4);
        var slots = new Slot[window];
        for (int i = 0; i < window; i++) slots[i] = new Slot { Pixels = new byte[resolution * resolution * 3] };
        var gate = new object();
        int next = -1, consumed = 0;
        bool stop = false;
        Exception? failure = null;

        void Work()
        {
            var resizer = new Resizer();
            try
            {
                while (true)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= n) return;
                    lock (gate)
                    {
                        while (i >= consumed + window && !stop) Monitor.Wait(gate);
                        if (stop) return;
                    }
                    var slot = slots[i % window];
                    Process(items[i], slot, resizer, resolution, spec);
                    lock (gate)
                    {
                        slot.Index = i;
                        slot.Ready = true;
                        Monitor.PulseAll(gate);
                    }
                }
            }
            catch (Exception e)
            {
                lock (gate)
                {
                    failure ??= e;
                    stop = true;
                    Monitor.PulseAll(gate);
                }
            }
        }

        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(Work) { IsBackground = true, Name = $"dnas-prepare-{t}" };
            workers[t].Start();
        }
        try
        {
            for (int i = 0; i < n; i++)
            {
                var slot = slots[i % window];
                lock (gate)
                {
                    while (!(slot.Ready && slot.Index == i))
                    {
                        if (failure != null) throw new AggregateException("a prepare worker failed", failure);
                        cancel.ThrowIfCancellationRequested();
                        Monitor.Wait(gate, 100);
                    }
                }
                cancel.ThrowIfCancellationRequested();
                consume(i, slot);
                lock (gate)
                {
                    slot.Ready = false;
                    slot.Bad = null;
                    consumed = i + 1;
                    Monitor.PulseAll(gate);
                }
            }
        }
        finally
        {
            lock (gate)
            {
                stop = true;
                Monitor.PulseAll(gate);
            }
            foreach (var w in workers) w.Join();
        }
    }

    private static void Process(SourceItem item, Slot slot, Resizer resizer, int resolution, PreprocessSpec spec)
    {
        slot.Bad = null;
        try
        {
            byte[] bytes = item.ReadBytes();
            slot.Hash = Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16));
            var image = item.Decode(bytes, resolution);
            var window = spec.WindowFor(image.Width, image.Height);
            resizer.Run(image.Pixels, image.Width, image.Height, 3, window, slot.Pixels, resolution, resolution, 3, spec.Resize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            slot.Bad = BadItem.FromException(item, e);
        }
    }

    private static void CheckBad(List<BadItem> bad, int total, StoreSettings settings, bool final)
    {
        if (bad.Count <= settings.MaxBadFraction * total) return;
        var diagnostics = bad.Take(ListedBadItems).Select(b => b.ToDiagnostic()).ToList();
        string so = final ? "" : " (so far; the build stopped early)";
        diagnostics.Add(Diagnostic.Error(DiagnosticCodes.TooManyBad, string.Create(CultureInfo.InvariantCulture,
            $"{bad.Count} of {total} items are bad ({100.0 * bad.Count / total:0.#}%){so}, more than data.max_bad_fraction ({settings.MaxBadFraction:0.###}) allows; " +
            $"{(bad.Count > ListedBadItems ? $"the first {ListedBadItems} are listed above" : "they are listed above")}: fix or remove them, or raise data.max_bad_fraction")));
        throw new DataException(diagnostics);
    }

    private static void CheckClasses(IReadOnlyList<string> classes, IEnumerable<int> labels, List<BadItem> bad, int total)
    {
        var counts = new int[classes.Count];
        foreach (var l in labels) counts[l]++;
        var errors = new List<Diagnostic>();
        for (int c = 0; c < classes.Count; c++)
        {
            if (counts[c] > 0) continue;
            errors.Add(Diagnostic.Error(DiagnosticCodes.EmptyClass,
                $"class '{classes[c]}' has no usable images ({total} items in all, {bad.Count} bad); every class needs at least one"));
        }
        if (errors.Count > 0)
            throw new DataException(bad.Take(ListedBadItems).Select(b => b.ToDiagnostic()).Concat(errors).ToList());
    }

    /// <summary>The warnings of a store: the first bad items, a count of all, and classes that a
    /// split with a non-zero fraction lacks.</summary>
    public static List<Diagnostic> Warnings(StoreIndex index, StoreSettings settings)
    {
        var warnings = index.Bad.Take(ListedBadItems).Select(b => b.ToDiagnostic()).ToList();
        if (index.Bad.Count > 0)
        {
            string listed = index.Bad.Count > ListedBadItems ? $"the first {ListedBadItems} are listed above, " : "";
            warnings.Add(Diagnostic.Warning(DiagnosticCodes.BadItemSummary, string.Create(CultureInfo.InvariantCulture,
                $"skipped {index.Bad.Count} bad item(s) of {index.SourceItems} ({100.0 * index.Bad.Count / Math.Max(1, index.SourceItems):0.#}%); {listed}all are in {IndexFileNote}")));
        }
        var counts = index.Counts();
        double[] fractions = [settings.Split.Train, settings.Split.Val, settings.Split.Test];
        for (int s = 0; s < 3; s++)
        {
            if (fractions[s] <= 0) continue;
            for (int c = 0; c < index.Classes.Count; c++)
                if (counts[c, s] == 0)
                    warnings.Add(Diagnostic.Warning(DiagnosticCodes.EmptySplit,
                        $"class '{index.Classes[c]}' has no images in the {SplitAssigner.Name((Split)s)} split"));
        }
        return warnings;
    }

    private const string IndexFileNote = "the store's " + StoreFormat.IndexFileName;
}
