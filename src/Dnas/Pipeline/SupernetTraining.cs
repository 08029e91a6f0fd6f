using Dnas.Data.Preprocess;
using Dnas.Engine;
using Dnas.Engine.Optim;
using Dnas.Search;
using Dnas.Supernet;

namespace Dnas.Pipeline;

/// <summary>Settings of supernet training (the <c>supernet:</c> section, when it is wired).</summary>
public sealed record SupernetTrainingOptions
{
    public int Steps { get; init; } = 100;
    public int Batch { get; init; } = 32;
    public Config.OptimizerKind Optimizer { get; init; } = Config.OptimizerKind.Adam;
    public float LearningRate { get; init; } = 0.002f;
    public float Momentum { get; init; } = 0.9f;
    /// <summary>SGD's weight decay (Adam runs without, as torch.optim.Adam's default).</summary>
    public float WeightDecay { get; init; } = 4e-5f;
    /// <summary>Random subnets per step besides the largest and the smallest (the sandwich rule: 2).</summary>
    public int RandomSubnets { get; init; } = 2;
    public bool Distill { get; init; } = true;
    public ulong Seed { get; init; } = 1;
}

/// <summary>Trains one elastic supernet for every data configuration of a search space: each
/// step draws a resolution and a colour mode, fills an augmented batch at that configuration
/// from the training images (in place, through the one preprocessing definition), and makes a
/// sandwich step (largest, smallest and random subnets at that configuration). Deterministic
/// for a seed and thread count.</summary>
public sealed class SupernetTraining
{
    private readonly SearchSpace _space;
    private readonly IImageSource _images;
    private readonly int[] _labels, _trainItems;
    private readonly SupernetTrainingOptions _options;
    private readonly Rng _rng;
    private readonly Dictionary<(int, ColorMode), BatchBuilder> _builders = [];
    private readonly Tensor _batch = new(0);
    private readonly int[] _batchItems, _batchLabels;
    private int _cursor, _epoch;
    private readonly int[] _order;
    private readonly IOptimizer _optimizer;
    private readonly string _fingerprint;

    public ElasticMobileNetV2 Supernet { get; }
    public SandwichTrainer Trainer { get; }
    public int Classes { get; }

    /// <param name="images">the training images (e.g. the prepared store)</param>
    /// <param name="labels">label of every image in <paramref name="images"/></param>
    /// <param name="trainItems">which images are in the training split</param>
    public SupernetTraining(SearchSpace space, IImageSource images, IReadOnlyList<int> labels, IReadOnlyList<int> trainItems,
        int classes, SupernetTrainingOptions options)
    {
        if (labels.Count != images.Count) throw new ArgumentException($"{labels.Count} labels for {images.Count} images");
        if (trainItems.Count < options.Batch) throw new ArgumentException($"{trainItems.Count} training images are fewer than one batch of {options.Batch}");
        if (space.Kernels.Any(k => k is not (3 or 5 or 7))) throw new ArgumentException("the supernet's kernels are 3, 5 or 7");
        _space = space; _images = images; _labels = [.. labels]; _trainItems = [.. trainItems]; _options = options; Classes = classes;
        _rng = new Rng(options.Seed);
        _order = [.. _trainItems];
        _rng.Shuffle(_order.AsSpan());
        _batchItems = new int[options.Batch];
        _batchLabels = new int[options.Batch];
        Supernet = new ElasticMobileNetV2(space.Widths.Max(), space.Depths.Select(d => d.Max).ToArray(), space.Expansions.Max(), space.Kernels.Max(), classes);
        Supernet.Full.Initialize(options.Seed);
        _optimizer = options.Optimizer == Config.OptimizerKind.Adam
            ? new Adam(Supernet.Full.Parameters())
            : new Sgd(Supernet.Full.Parameters(), options.Momentum, options.WeightDecay);
        Trainer = new SandwichTrainer(Supernet, _optimizer,
            new CosineSchedule(options.LearningRate, options.Steps, Math.Max(1, options.Steps / 20)), options.Distill);
        _fingerprint = string.Join("|", options.ToString(), classes, images.Count, string.Join(",", _trainItems.Take(64)), _trainItems.Length,
            string.Join(",", space.Resolutions), string.Join(",", space.Colors), string.Join(",", space.Widths),
            string.Join(",", space.Depths), string.Join(",", space.Expansions), string.Join(",", space.Kernels));
    }

    /// <summary>Steps done so far.</summary>
    public long StepsDone => Trainer.StepIndex;

    private const long CheckpointMagic = 0x3150_4B43_5341_4E44; // "DNASCKP1" little-endian
    private const int CheckpointVersion = 2;

    /// <summary>Writes everything a resumed run needs to continue bit-exactly (weights, optimiser
    /// state, step, data order and position, generator state) to <paramref name="path"/>,
    /// atomically: a temporary file renamed over the old checkpoint only once complete.</summary>
    public void SaveCheckpoint(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(CheckpointMagic); w.Write(CheckpointVersion);
            w.Write(_fingerprint);
            w.Write(Trainer.StepIndex); w.Write(_epoch); w.Write(_cursor);
            w.Write(_order.Length); foreach (int i in _order) w.Write(i);
            var (s0, s1, s2, s3, spare) = _rng.State;
            w.Write(s0); w.Write(s1); w.Write(s2); w.Write(s3); w.Write(spare.HasValue); w.Write(spare ?? 0);
            w.Write(_optimizer.Steps);
            float[][] arrays = [.. Supernet.Full.Parameters().Select(p => p.Value), .. _optimizer.State];
            w.Write(arrays.Length);
            foreach (var a in arrays)
            {
                w.Write(a.Length);
                w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
            }
        });
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same
    /// configuration; anything else (another configuration, another version, a damaged file) is
    /// refused with an <see cref="InvalidDataException"/> that says what differs.</summary>
    public void LoadCheckpoint(string path)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadInt64() != CheckpointMagic) throw new InvalidDataException($"{path}: not a DnasToolchain supernet checkpoint");
            int version = r.ReadInt32();
            if (version != CheckpointVersion) throw new InvalidDataException($"{path}: checkpoint version {version}, this build reads {CheckpointVersion}; start the training again");
            if (r.ReadString() != _fingerprint)
                throw new InvalidDataException($"{path}: the checkpoint was written for another configuration (search space, data or supernet settings changed); remove it or start without --resume");
            long step = r.ReadInt64(); int epoch = r.ReadInt32(), cursor = r.ReadInt32();
            int n = r.ReadInt32();
            if (n != _order.Length) throw new InvalidDataException($"{path}: {n} training items, expected {_order.Length}");
            var order = new int[n];
            for (int i = 0; i < n; i++) order[i] = r.ReadInt32();
            var state = (r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadBoolean() ? (double?)r.ReadDouble() : SkipDouble(r));
            long optimizerSteps = r.ReadInt64();
            float[][] arrays = [.. Supernet.Full.Parameters().Select(p => p.Value), .. _optimizer.State];
            if (r.ReadInt32() != arrays.Length) throw new InvalidDataException($"{path}: holds another number of arrays (parameters and optimiser state); was the optimiser changed?");
            var loaded = new float[arrays.Length][];
            for (int i = 0; i < arrays.Length; i++)
            {
                int length = r.ReadInt32();
                if (length != arrays[i].Length) throw new InvalidDataException($"{path}: array {i} has {length} values, expected {arrays[i].Length}");
                loaded[i] = NetState.ReadArray(r, length);
            }
            // Everything read and checked: only now change the run's state.
            for (int i = 0; i < arrays.Length; i++) loaded[i].CopyTo(arrays[i], 0);
            _optimizer.Steps = optimizerSteps;
            Trainer.StepIndex = step; _epoch = epoch; _cursor = cursor;
            order.CopyTo(_order, 0);
            _rng.State = state;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint is cut short", e);
        }
    }

    private static double? SkipDouble(BinaryReader r) { r.ReadDouble(); return null; }

    /// <summary>The largest and smallest subnets of the space at one data configuration.</summary>
    public (Genome Largest, Genome Smallest) Extremes(int resolution, ColorMode color)
    {
        var e = new int[_space.SlotCount]; var k = new int[_space.SlotCount];
        var eMin = new int[_space.SlotCount]; var kMin = new int[_space.SlotCount];
        for (int i = 0; i < _space.SlotCount; i++)
        {
            bool fixedE = _space.ExpansionFixed(i);
            e[i] = fixedE ? SearchSpace.FixedFirstExpansion : _space.Expansions.Max();
            eMin[i] = fixedE ? SearchSpace.FixedFirstExpansion : _space.Expansions.Min();
            k[i] = _space.Kernels.Max(); kMin[i] = _space.Kernels.Min();
        }
        var largest = new Genome(_space, resolution, color, _space.Widths.Max(), _space.Depths.Select(d => d.Max).ToArray(), e, k);
        var smallest = new Genome(_space, resolution, color, _space.Widths.Min(), _space.Depths.Select(d => d.Min).ToArray(), eMin, kMin);
        return (largest, smallest);
    }

    /// <summary>One training step; returns the largest subnet's loss.</summary>
    public float Step()
    {
        int res = _space.Resolutions[_rng.NextInt(_space.Resolutions.Count)];
        var color = _space.Colors[_rng.NextInt(_space.Colors.Count)];
        var (largest, smallest) = Extremes(res, color);
        var fixedData = _space.WithFixedData(res, color);
        var subnets = new List<SubnetSpec>(2 + _options.RandomSubnets)
        {
            SupernetEvaluator.ToSubnet(largest, Classes),
            SupernetEvaluator.ToSubnet(smallest, Classes),
        };
        for (int i = 0; i < _options.RandomSubnets; i++) subnets.Add(SupernetEvaluator.ToSubnet(Genome.Random(fixedData, _rng), Classes));

        for (int i = 0; i < _batchItems.Length; i++)
        {
            if (_cursor == _order.Length) { _cursor = 0; _epoch++; _rng.Shuffle(_order.AsSpan()); }
            _batchItems[i] = _order[_cursor++];
            _batchLabels[i] = _labels[_batchItems[i]];
        }
        Builder(res, color).Fill(_images, _batchItems, _batch, _epoch);
        return Trainer.Step(_batch, _batchLabels, subnets);
    }

    private BatchBuilder Builder(int resolution, ColorMode color)
    {
        if (!_builders.TryGetValue((resolution, color), out var b))
            _builders[(resolution, color)] = b = new BatchBuilder(PreprocessSpec.Square(resolution, color), new AugmentOptions(), seed: _options.Seed);
        return b;
    }
}
