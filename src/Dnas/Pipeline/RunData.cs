using Dnas.Data.Preprocess;
using Dnas.Data.Sources;
using Dnas.Data.Store;
using Dnas.Engine;
using Dnas.Search;

namespace Dnas.Pipeline;

/// <summary>The prepared images of a run seen by the later stages: the store, its labels and
/// split members, and un-augmented evaluation batches at any data configuration. Evaluation
/// batches are preprocessed once per (split, resolution, colour, count) and kept, so scoring
/// hundreds of candidates at a handful of data configurations costs the preprocessing only a
/// handful of times.</summary>
public sealed class RunData : IDisposable
{
    /// <summary>Images per evaluation batch.</summary>
    public const int EvalBatch = 64;

    private readonly Dictionary<(Split, int, ColorMode, int), LabelledBatch[]> _cache = [];

    public PreparedStore Store { get; }
    public int[] Train { get; }
    public int[] Val { get; }
    public int[] Test { get; }
    public IReadOnlyList<int> Labels => Store.Labels;
    public IReadOnlyList<string> Classes => Store.Classes;
    /// <summary>The data's content hash (changes when any stored image or label changes).</summary>
    public string ContentHash => Store.Index.ContentHash;

    public RunData(PreparedStore store)
    {
        Store = store;
        Train = store.IndicesOf(Split.Train);
        Val = store.IndicesOf(Split.Val);
        Test = store.IndicesOf(Split.Test);
    }

    public static RunData Open(string storeDirectory) => new(PreparedStore.Open(storeDirectory));

    public int[] Items(Split split) => split switch { Split.Train => Train, Split.Val => Val, _ => Test };

    /// <summary>The first <paramref name="count"/> images of <paramref name="split"/> (all when
    /// count is 0 or larger than the split) at a data configuration, in batches of
    /// <see cref="EvalBatch"/>, without augmentation.</summary>
    public IReadOnlyList<LabelledBatch> Batches(Split split, int resolution, ColorMode color, int count = 0)
    {
        var items = Items(split);
        int n = count <= 0 ? items.Length : Math.Min(count, items.Length);
        var key = (split, resolution, color, n);
        lock (_cache)
        {
            if (_cache.TryGetValue(key, out var cached)) return cached;
            var builder = new BatchBuilder(PreprocessSpec.Square(resolution, color));
            var batches = new LabelledBatch[(n + EvalBatch - 1) / EvalBatch];
            for (int b = 0; b < batches.Length; b++)
            {
                var chunk = items.AsSpan(b * EvalBatch, Math.Min(EvalBatch, n - b * EvalBatch)).ToArray();
                var images = new Tensor(0);
                builder.Fill(Store, chunk, images);
                batches[b] = new LabelledBatch(images, chunk.Select(i => Labels[i]).ToArray());
            }
            _cache[key] = batches;
            return batches;
        }
    }

    public void Dispose() => Store.Dispose();
}
