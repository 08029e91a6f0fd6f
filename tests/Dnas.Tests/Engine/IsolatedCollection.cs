using Xunit;

namespace Dnas.Tests.Engine;

/// <summary>Tests that flip process-wide kernel switches (forcing the Vector256 or scalar
/// paths). xunit runs a collection with parallelization disabled on its own, after the
/// parallel ones, so no other test sees a forced path: otherwise a concurrently running
/// determinism test would mix kernel paths and, rightly, fail.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolatedCollection
{
    public const string Name = "Process-wide kernel switches";
}
