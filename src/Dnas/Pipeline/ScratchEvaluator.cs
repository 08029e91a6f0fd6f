using Dnas.Data.Preprocess;
using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;
using Dnas.Hardware;
using Dnas.Search;

namespace Dnas.Pipeline;

/// <summary>The non-supernet baseline (<c>--no-supernet</c>, the authors' earlier method):
/// every candidate is trained from scratch for a few steps at its own data configuration, then
/// scored on the validation images. Costs come from the same hardware model as the supernet
/// path, so only the accuracy estimate (and its price in time) differs.</summary>
public sealed class ScratchEvaluator : ICandidateEvaluator
{
    private readonly RunData _data;
    private readonly int _steps, _batch, _validationImages;
    private readonly float _learningRate;
    private readonly Config.OptimizerKind _optimizer;
    private readonly ulong _seed;
    private readonly TargetProfile _target;
    private readonly Func<Genome, CameraFrame> _cameraOf;
    private readonly ActivationBuffers _buffers = new();
    private readonly Tensor _images = new(0);

    /// <param name="optimizer">the optimiser and <paramref name="learningRate"/> a network from scratch trains with (the supernet's)</param>
    public ScratchEvaluator(RunData data, int steps, int batch, Config.OptimizerKind optimizer, float learningRate, int validationImages, ulong seed,
        TargetProfile target, Func<Genome, CameraFrame> cameraOf)
    {
        _optimizer = optimizer;
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "train each candidate for at least one step");
        _data = data; _steps = steps; _batch = batch; _learningRate = learningRate; _validationImages = validationImages;
        _seed = seed; _target = target; _cameraOf = cameraOf;
    }

    public CandidateScore Evaluate(Genome genome, CancellationToken cancellationToken)
    {
        var spec = SupernetEvaluator.ToSubnet(genome, _data.Classes.Count).ToMobileNetV2Spec();
        var net = new MobileNetV2(spec, _buffers);
        ulong seed = _seed ^ (ulong)StableHash(genome.Key);
        net.Initialize(seed);
        var trainer = new Trainer(net, Optimizers.Create(_optimizer, net.Parameters()), new CosineSchedule(_learningRate, _steps, Math.Max(1, _steps / 20)));
        var builder = new BatchBuilder(PreprocessSpec.Square(genome.Resolution, genome.Color), new AugmentOptions(), seed: seed);
        var order = new EpochOrder(_data.Train, seed);
        var items = new int[_batch];
        var labels = new int[_batch];
        for (int step = 0; step < _steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int epoch = order.Fill(step, items);
            for (int i = 0; i < items.Length; i++) labels[i] = _data.Labels[items[i]];
            builder.Fill(_data.Store, items, _images, epoch);
            trainer.Step(_images, labels);
        }
        long correct = 0, total = 0;
        foreach (var b in _data.Batches(Data.Sources.Split.Val, genome.Resolution, genome.Color, _validationImages))
        {
            correct += trainer.CountCorrect(b.Images, b.Labels);
            total += b.Labels.Length;
        }
        return new CandidateScore((double)correct / Math.Max(1, total),
            SupernetEvaluator.Costs(genome, _cameraOf(genome), _target, _data.Classes.Count));
    }

    /// <summary>FNV-1a of the key: a seed per network that does not depend on .NET's randomised string hash.</summary>
    internal static long StableHash(string s)
    {
        ulong h = 14695981039346656037;
        foreach (char c in s) { h ^= c; h *= 1099511628211; }
        return (long)h;
    }
}

/// <summary>A deterministic order over training items: epoch e is a shuffle seeded by (seed,
/// e), so the items of any step follow from the step number alone, which is what lets an
/// interrupted fine-tuning resume bit-exactly from a step count.</summary>
public sealed class EpochOrder
{
    private readonly int[] _items, _order;
    private readonly ulong _seed;
    private readonly Rng _rng = new(0);
    private int _epoch = -1;

    public EpochOrder(IReadOnlyList<int> items, ulong seed)
    {
        if (items.Count == 0) throw new ArgumentException("no training items");
        _items = [.. items]; _order = new int[_items.Length]; _seed = seed;
    }

    /// <summary>Fills <paramref name="batch"/> with the items of <paramref name="step"/> (batches
    /// never straddle epochs: the tail of an epoch shorter than a batch is dropped, as PyTorch's
    /// drop_last does); returns the epoch.</summary>
    public int Fill(long step, Span<int> batch)
    {
        int perEpoch = Math.Max(1, _items.Length / batch.Length);
        int epoch = (int)(step / perEpoch);
        int offset = (int)(step % perEpoch) * batch.Length;
        if (epoch != _epoch)
        {
            _items.CopyTo(_order, 0);
            _rng.Reseed(_seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 1);
            _rng.Shuffle(_order.AsSpan());
            _epoch = epoch;
        }
        for (int i = 0; i < batch.Length; i++) batch[i] = _order[(offset + i) % _order.Length];
        return epoch;
    }
}
