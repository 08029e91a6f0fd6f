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
    public float LearningRate { get; init; } = 0.05f;
    public float Momentum { get; init; } = 0.9f;
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
        Trainer = new SandwichTrainer(Supernet, new Sgd(Supernet.Full.Parameters(), options.Momentum, options.WeightDecay),
            new CosineSchedule(options.LearningRate, options.Steps, Math.Max(1, options.Steps / 20)), options.Distill);
    }

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
