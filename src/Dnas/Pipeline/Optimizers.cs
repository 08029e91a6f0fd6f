using Dnas.Config;
using Dnas.Engine;
using Dnas.Engine.Optim;

namespace Dnas.Pipeline;

/// <summary>The optimiser a configuration names.</summary>
public static class Optimizers
{
    /// <summary>Adam as torch.optim.Adam's defaults; SGD with momentum 0.9 and weight decay 4e-5
    /// (none on batch norm).</summary>
    public static IOptimizer Create(OptimizerKind kind, IEnumerable<Parameter> parameters) => kind switch
    {
        OptimizerKind.Adam => new Adam(parameters),
        _ => new Sgd(parameters),
    };
}
