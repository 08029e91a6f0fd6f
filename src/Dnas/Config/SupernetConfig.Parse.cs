using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

public sealed partial record SupernetConfig
{
    /// <summary>Optimiser names as written in dnas.yaml.</summary>
    public static readonly IReadOnlyDictionary<string, OptimizerKind> OptimizerNames = new Dictionary<string, OptimizerKind>
    {
        ["adam"] = OptimizerKind.Adam,
        ["sgd"] = OptimizerKind.Sgd,
    };

    public static readonly string[] Keys = ["epochs", "steps", "batch", "optimizer", "learning_rate", "sandwich", "distillation", "checkpoint_minutes"];

    /// <summary>Validates the <c>supernet:</c> node; unusable values keep their defaults (the
    /// errors stop the run).</summary>
    public static SupernetConfig Parse(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "supernet", Keys);
        if (map is null) return Default;
        var c = Default;
        if (map.TryGet("epochs", out var e) && reader.PositiveNumber(e, "supernet.epochs", 10_000) is double epochs) c = c with { Epochs = epochs };
        if (map.TryGet("steps", out var s) && reader.Integer(s, "supernet.steps", 1, int.MaxValue) is long steps) c = c with { Steps = (int)steps };
        if (map.TryGet("batch", out var b) && reader.Integer(b, "supernet.batch", 1, 4096) is long batch) c = c with { Batch = (int)batch };
        if (map.TryGet("optimizer", out var o) && reader.Choice(o, "supernet.optimizer", OptimizerNames.Keys.ToArray()) is { } opt)
            c = c with { Optimizer = OptimizerNames[opt] };
        if (map.TryGet("learning_rate", out var lr) && reader.PositiveNumber(lr, "supernet.learning_rate", 10) is double rate) c = c with { LearningRate = rate };
        // The sandwich rule needs the largest and the smallest subnet in every step; more are random ones.
        if (map.TryGet("sandwich", out var sw) && reader.Integer(sw, "supernet.sandwich", 2, 64) is long sandwich) c = c with { Sandwich = (int)sandwich };
        if (map.TryGet("distillation", out var d) && reader.Bool(d, "supernet.distillation") is bool distil) c = c with { Distillation = distil };
        if (map.TryGet("checkpoint_minutes", out var cm) && reader.PositiveNumber(cm, "supernet.checkpoint_minutes", 24 * 60) is double minutes)
            c = c with { CheckpointMinutes = minutes };
        return c;
    }
}
