using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

public sealed partial record FinetuneConfig
{
    public static readonly string[] Keys = ["epochs", "batch", "optimizer", "learning_rate"];

    /// <summary>Validates the <c>finetune:</c> node. <c>epochs: 0</c> is allowed: the chosen
    /// subnet is then tested with its inherited weights as they are.</summary>
    public static FinetuneConfig Parse(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "finetune", Keys);
        if (map is null) return Default;
        var c = Default;
        if (map.TryGet("epochs", out var e) && reader.Number(e, "finetune.epochs", 0, 10_000) is double epochs) c = c with { Epochs = epochs };
        if (map.TryGet("batch", out var b) && reader.Integer(b, "finetune.batch", 1, 4096) is long batch) c = c with { Batch = (int)batch };
        if (map.TryGet("optimizer", out var o) && reader.Choice(o, "finetune.optimizer", SupernetConfig.OptimizerNames.Keys.ToArray()) is { } opt)
            c = c with { Optimizer = SupernetConfig.OptimizerNames[opt] };
        if (map.TryGet("learning_rate", out var lr) && reader.PositiveNumber(lr, "finetune.learning_rate", 10) is double rate)
            c = c with { LearningRate = rate };
        return c;
    }
}
